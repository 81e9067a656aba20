"""The session pages, the treatment rooms and the patient page's course, through Django's test
client: each page renders for the practitioner, is refused to the front desk (403) and to
another clinic (404); a refusal shows its reason; bad input gets a message, never a 500."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from crampcare.clinic import plans, sessions
from tests.world import World


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return unescape(response.content.decode())


def _plan(world: World) -> dict[str, Any]:
    ids = [p["code"] for p in world.assessment["result"]["points"]]
    return plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids}, world.kb)


def _start(world: World) -> tuple[Client, dict[str, Any], str]:
    plan = _plan(world)
    client = client_for(world.alice)
    r = client.post("/sessions/start", {"patient_id": world.ellen["id"], "plan_id": plan["id"]})
    assert r.status_code == 302 and re.fullmatch(r"/sessions/[0-9a-f-]{36}", r["Location"])
    return client, plan, r["Location"]


def _session(world: World, url: str) -> dict[str, Any]:
    return sessions.get_session(world.alice, url.rsplit("/", 1)[1], world.kb)


def test_a_session_starts_from_the_plan_pre_filled_with_its_points(world: World) -> None:
    client, plan, url = _start(world)
    page = html(client.get(url))
    planned = [p["code"] for p in plan["points"] if p["decision"] != "removed"]
    for i, code in enumerate(planned):
        assert f'name="points[{i}].code" value="{code}"' in page
    assert 'id="urgency-banner"' in page and "Needle in +1" in page and "Needle out +1" in page
    assert "All needles in — start timer" in page
    assert 'data-timer data-session-id="' in page and 'data-min-seconds="900"' in page


def test_the_plan_and_patient_pages_offer_to_start_a_session(world: World) -> None:
    plan = _plan(world)
    client = client_for(world.alice)
    assert 'action="/sessions/start"' in html(client.get(f"/plans/{plan['id']}"))
    patient = html(client.get(f"/patients/{world.ellen['id']}"))
    assert 'id="start-session"' in patient and "Course of sessions" in patient


def test_a_refused_start_shows_the_reason(world: World) -> None:
    client = client_for(world.alice)
    r = client.post("/sessions/start", {"patient_id": world.ellen["id"]})  # no plan yet
    assert r.status_code == 409 and "record the plan first" in html(r)
    r = client.post("/sessions/start", {"patient_id": "not-a-uuid"})
    assert r.status_code == 422 and "Patient_id: Input should be a valid UUID" in html(r)


def test_needles_are_counted_and_a_close_with_a_needle_still_in_is_refused(world: World) -> None:
    client, _, url = _start(world)
    for which in ("inserted", "inserted", "removed"):
        assert client.post(f"{url}/needles", {"which": which, "delta": "1"}).status_code == 302
    page = html(client.get(url))
    assert '<output id="count-in" aria-live="polite">2</output>' in page
    assert "1 needle still in." in page
    r = client.post(f"{url}/close")
    assert r.status_code == 409 and 'id="refusal"' in html(r)
    assert _session(world, url)["status"] == "open"


def test_bad_input_is_named_and_stores_nothing(world: World) -> None:
    client, _, url = _start(world)
    before = _session(world, url)["document"]
    r = client.post(url, {"points[0].code": "LI4", "points[0].depth_mm": "deep"})
    assert r.status_code == 422
    assert 'id="error-summary"' in html(r)
    assert _session(world, url)["document"]["points"] == before["points"]
    r = client.post(f"{url}/needles", {"which": "sideways", "delta": "2"})
    assert r.status_code == 422 and "which" in html(r)
    r = client.post(f"{url}/adverse-events", {"kind": "fainting", "severity": "awful"})
    assert r.status_code == 422 and "severity" in html(r)


@pytest.mark.parametrize(
    ("user", "status"),
    [("fran", 403), ("adam", 403), ("bert", 404)],
    ids=["front desk", "admin", "other clinic"],
)
def test_only_the_clinics_practitioners_see_a_session(world: World, user: str, status: int) -> None:
    _, _, url = _start(world)
    other = client_for(world.user(user))
    assert other.get(url).status_code == status
    assert other.post(f"{url}/needles", {"which": "inserted", "delta": "1"}).status_code == status
    rooms = other.get("/rooms")
    if status == 403:
        assert rooms.status_code == 403
    else:  # their own clinic's rooms, without this clinic's patient
        assert rooms.status_code == 200 and "Ayres" not in html(rooms)
    assert _session(world, url)["needles"]["inserted"] == 0


def test_the_treatment_rooms_list_open_sessions_with_their_timers(world: World) -> None:
    client, _, url = _start(world)
    client.post(f"{url}/needles", {"which": "inserted", "delta": "1"})
    client.post(f"{url}/retention", {"action": "start"})
    page = html(client.get("/rooms"))
    assert "Ellen Ayres" in page and f'href="{url}"' in page
    assert re.search(r'data-started-at="\d{4}-\d\d-\d\dT', page)
    partial = html(client.get("/rooms", headers={"HX-Request": "true"}))
    assert partial.lstrip().startswith('<div id="rooms"') and "Ellen Ayres" in partial
