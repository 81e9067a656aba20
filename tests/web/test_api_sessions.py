"""The sessions' JSON API: the same use cases as the page, the one error shape, a locked
session unchangeable through the API too, and the day's billing."""

from __future__ import annotations

from typing import Any

from django.test import Client

from crampcare.records.models import TreatmentSession
from tests.clinic.session_steps import (
    Clock,
    clock_fixture,  # noqa: F401  (the clock fixture)
    plan_for,
)
from tests.web.test_api import assert_error_shape, body, post
from tests.world import World, api

LOCKED = "the session is signed and locked: add an addendum"


def _patch(client: Client, url: str, data: Any) -> Any:
    import json

    return client.patch(url, json.dumps(data), content_type="application/json")


def _run(client: Client, clock: Clock, sid: str) -> None:
    """A whole session through the API, ready to close."""
    url = f"/api/v1/sessions/{sid}"
    clock.at("10:00")
    assert (
        post(client, f"{url}/contact", {"action": "enter", "electrical": True}).status_code == 200
    )
    for _ in range(4):
        assert post(client, f"{url}/needles", {"which": "inserted"}).status_code == 200
    assert post(client, f"{url}/retention", {"action": "start"}).status_code == 200
    clock.at("10:20")
    assert post(client, f"{url}/contact", {"action": "leave"}).status_code == 200
    clock.at("10:25")
    assert post(client, f"{url}/retention", {"action": "end"}).status_code == 200
    for _ in range(4):
        assert post(client, f"{url}/needles", {"which": "removed"}).status_code == 200
    r = _patch(
        client, url, {"lot": "HW-2026-0412", "measures": {"pain_before": 6, "pain_after": 3}}
    )
    assert r.status_code == 200, r.content


def test_a_session_end_to_end(world: World, clock: Clock) -> None:
    plan = plan_for(world)
    client = api(world.alice)
    r = post(client, "/api/v1/sessions", {"patient_id": str(world.ellen["id"])})
    assert r.status_code == 201, r.content
    s = body(r)
    assert s["plan_id"] == str(plan["id"]) and s["status"] == "open"
    sid = s["id"]
    _run(client, clock, sid)
    r = post(client, f"/api/v1/sessions/{sid}/close", {})
    assert r.status_code == 200, r.content
    r = client.get(f"/api/v1/sessions/{sid}/billing")
    assert r.status_code == 200, r.content
    bill = body(r)
    assert bill["sessions"] == [sid] and bill["total_units"] >= 1
    assert bill["lines"][0]["code"] == "97813"  # electrical stimulation in the first increment
    r = post(client, f"/api/v1/sessions/{sid}/sign", {})
    assert r.status_code == 200 and body(r)["status"] == "locked"
    r = post(client, f"/api/v1/sessions/{sid}/addenda", {"reason": "late entry", "text": "ok"})
    assert r.status_code == 201 and body(r)["addenda"][0]["text"] == "ok"
    listed = body(client.get(f"/api/v1/patients/{world.ellen['id']}/sessions"))
    assert [x["id"] for x in listed] == [sid]


def test_a_locked_session_cannot_be_changed_through_the_api(world: World, clock: Clock) -> None:
    plan_for(world)
    client = api(world.alice)
    sid = body(post(client, "/api/v1/sessions", {"patient_id": str(world.ellen["id"])}))["id"]
    _run(client, clock, sid)
    post(client, f"/api/v1/sessions/{sid}/close", {})
    post(client, f"/api/v1/sessions/{sid}/sign", {})
    before = TreatmentSession.objects.get(pk=sid).document
    url = f"/api/v1/sessions/{sid}"
    attempts = [
        _patch(client, url, {"note": {"plan": "changed"}}),
        post(client, f"{url}/needles", {"which": "inserted"}),
        post(client, f"{url}/retention", {"action": "start"}),
        post(client, f"{url}/contact", {"action": "enter"}),
        post(client, f"{url}/adverse-events", {"kind": "pain", "severity": "mild", "action": "x"}),
        post(client, f"{url}/close", {}),
    ]
    for r in attempts:
        assert assert_error_shape(r, 409)["errors"] == [{"field": "status", "message": LOCKED}]
    assert TreatmentSession.objects.get(pk=sid).document == before


def test_close_is_refused_naming_the_needles(world: World, clock: Clock) -> None:
    plan_for(world)
    client = api(world.alice)
    sid = body(post(client, "/api/v1/sessions", {"patient_id": str(world.ellen["id"])}))["id"]
    for _ in range(3):
        post(client, f"/api/v1/sessions/{sid}/needles", {"which": "inserted"})
    post(client, f"/api/v1/sessions/{sid}/needles", {"which": "removed"})
    data = assert_error_shape(post(client, f"/api/v1/sessions/{sid}/close", {}), 409)
    fields = [e["field"] for e in data["errors"]]
    assert fields == ["retention.start", "needles", "needles.lot"]
    assert "3 inserted, 1 removed" in data["error"]


def test_bad_input_names_the_field(world: World) -> None:
    plan_for(world)
    client = api(world.alice)
    sid = body(post(client, "/api/v1/sessions", {"patient_id": str(world.ellen["id"])}))["id"]
    r = post(client, f"/api/v1/sessions/{sid}/needles", {"which": "sideways"})
    assert [e["field"] for e in assert_error_shape(r, 422)["errors"]] == ["which"]
    r = _patch(client, f"/api/v1/sessions/{sid}", {"points": [{"code": "GB34", "side": "up"}]})
    assert "points[0].side" in [e["field"] for e in assert_error_shape(r, 422)["errors"]]


def test_other_clinics_and_the_front_desk(world: World) -> None:
    plan_for(world)
    sid = body(post(api(world.alice), "/api/v1/sessions", {"patient_id": str(world.ellen["id"])}))[
        "id"
    ]
    assert_error_shape(api(world.bert).get(f"/api/v1/sessions/{sid}"), 404)
    assert_error_shape(api(world.fran).get(f"/api/v1/sessions/{sid}"), 403)
    assert_error_shape(api(world.fran).get(f"/api/v1/patients/{world.ellen['id']}/sessions"), 403)
    assert_error_shape(api(None).get(f"/api/v1/sessions/{sid}"), 401)


def test_the_openapi_description_lists_the_session_operations(world: World) -> None:
    spec = body(Client().get("/api/v1/openapi.json"))
    for path in [
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/sessions/{session_id}/needles",
        "/api/v1/sessions/{session_id}/retention",
        "/api/v1/sessions/{session_id}/contact",
        "/api/v1/sessions/{session_id}/adverse-events",
        "/api/v1/sessions/{session_id}/close",
        "/api/v1/sessions/{session_id}/sign",
        "/api/v1/sessions/{session_id}/addenda",
        "/api/v1/sessions/{session_id}/billing",
        "/api/v1/patients/{patient_id}/sessions",
    ]:
        assert path in spec["paths"], path
    assert "patch" in spec["paths"]["/api/v1/sessions/{session_id}"]
