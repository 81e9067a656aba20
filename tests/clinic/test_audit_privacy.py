"""Audit entries hold field names and ids, never values a user typed.

A tour of the JSON API puts a distinctive marker into every text field it can (names, address,
the patient search, intake free text, plan note and reasons, session lot and SOAP note,
adverse event, addendum, booking note, user names, token name); then no audit entry's detail,
record id or patient id may hold any marker. (The name typed at a failed sign-in is the
accounts' own question, and the tour does not make one.)
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from crampcare.records.models import AuditEntry
from tests.clinic.course_world import slots
from tests.clinic.session_steps import (
    clock_fixture,  # noqa: F401  (the clock fixture)
    run_session,
)
from tests.factories import make_intake
from tests.world import PASSWORD, World, api

MARK = "Zqx"  # + a number: a text no product value contains


def marks(n: int) -> list[str]:
    return [f"{MARK}{i:03d}" for i in range(n)]


def send(client: Client, method: str, url: str, data: Any, expect: int = 200) -> Any:
    response = client.generic(method, url, json.dumps(data), content_type="application/json")
    assert response.status_code == expect, (method, url, response.content[:300])
    return json.loads(response.content) if response.content else None


def test_no_typed_value_reaches_the_audit_log(world: World, clock: Any) -> None:
    m = iter(marks(60))
    alice, adam = api(world.alice), api(world.adam)
    send(adam, "POST", "/api/v1/users", {
        "username": "quinn", "role": "front_desk",
        "first_name": next(m), "last_name": next(m),
    }, 201)  # fmt: skip
    send(Client(), "POST", "/api/v1/auth/token", {
        "username": "alice", "password": PASSWORD, "name": next(m),
    }, 201)  # fmt: skip
    patient = send(alice, "POST", "/api/v1/patients", {
        "given_name": next(m), "family_name": next(m), "birth_date": "1950-02-03",
        "sex": "female", "address": next(m), "email": f"{next(m)}@example.org",
        "consent_treatment": True, "consent_data_processing": True,
    }, 201)  # fmt: skip
    pid = patient["id"]
    for query in (next(m), patient["family_name"], "example.org"):
        send(alice, "GET", f"/api/v1/patients?q={query}", None)
    send(alice, "PATCH", f"/api/v1/patients/{pid}", {"given_name": next(m), "address": next(m)})
    intake = make_intake()
    intake["history"] = {**intake.get("history", {}), "conditions": [next(m)]}
    intake["history"]["medications"] = [next(m)]
    assessment = send(
        alice, "POST", "/api/v1/assessments", {"patient_id": pid, "intake": intake}, 201
    )
    points = [p["code"] for p in assessment["result"]["points"]]
    plan = send(alice, "POST", f"/api/v1/assessments/{assessment['id']}/plans", {
        "accepted": points[1:], "removed": [{"point": points[0], "reason": next(m)}],
        "note": next(m),
    }, 201)  # fmt: skip
    send(alice, "POST", f"/api/v1/patients/{pid}/bookings", {
        "sessions": [{**slots(3)["sessions"][0], "note": next(m)}],
    }, 201)  # fmt: skip
    session = send(
        alice, "POST", "/api/v1/sessions", {"patient_id": pid, "plan_id": plan["id"]}, 201
    )
    url = f"/api/v1/sessions/{session['id']}"
    send(alice, "PATCH", url, {
        "lot": next(m),
        "note": {part: next(m) for part in ("subjective", "objective", "assessment", "plan")},
    })  # fmt: skip
    send(alice, "POST", f"{url}/adverse-events", {
        "kind": "other", "severity": "mild", "action": next(m), "description": next(m),
    }, 201)  # fmt: skip
    run_session(world, clock, session["id"])
    send(alice, "POST", f"{url}/close", {})
    send(alice, "POST", f"{url}/sign", {})
    send(alice, "POST", f"{url}/addenda", {"reason": next(m), "text": next(m)}, 201)
    typed = set(marks(60)) - set(m)

    entries = list(
        AuditEntry.objects.values("action", "record_type", "record_id", "patient_id", "detail")
    )
    assert len(entries) > 10  # the tour was audited
    leaks = [
        e for e in entries if MARK in json.dumps(e["detail"]) + e["record_id"] + e["patient_id"]
    ]
    assert leaks == [], f"typed values {sorted(typed)[:3]}... found in {leaks[:3]}"


def test_a_search_is_audited_as_made_without_its_text(world: World) -> None:
    send(api(world.alice), "GET", "/api/v1/patients?q=Ayres", None)
    entry = AuditEntry.objects.filter(action="list", record_type="patient").latest("id")
    assert entry.detail["search"] is True and entry.detail["count"] == 1
    assert entry.detail["ids"] == [str(world.ellen["id"])]
    assert "Ayres" not in json.dumps(entry.detail)
