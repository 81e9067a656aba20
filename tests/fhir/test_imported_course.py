"""A patient imported from a FHIR bundle is assessed, planned and treated end to end through the
web app's JSON API, the way another program (or the page's fetch calls) would: import, add the
complaint to the pre-filled intake, assess, accept the plan, run a session, close, sign, bill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crampcare.clinic import plans
from tests.clinic.session_steps import Clock, clock_fixture  # noqa: F401  (fixture)
from tests.factories import make_intake
from tests.world import World, api

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response.json()


def test_an_imported_patient_is_assessed_planned_and_treated(world: World, clock: Clock) -> None:
    client = api(world.alice)
    body = (FIXTURES / "nifedipine-raloxifene-niacin.json").read_bytes()
    [report] = _ok(
        client.post("/api/v1/fhir/import?consent=true", body, content_type="application/fhir+json")
    )["reports"]
    pid = report["patient_id"]
    _ok(client.patch(f"/api/v1/patients/{pid}", {"consent_treatment": True}, "application/json"))

    # the imported intake carries the record's history; the practitioner adds the complaint
    [latest, *_] = _ok(client.get(f"/api/v1/patients/{pid}/intakes"))
    imported = latest["document"]
    intake = {**imported, "complaint": make_intake()["complaint"]}
    assessment = _ok(
        client.post(
            "/api/v1/assessments", {"patient_id": pid, "intake": intake}, "application/json"
        ),
        201,
    )
    factors = {f["id"] for f in assessment["result"]["contributing_factors"]}
    assert "nifedipine" in factors  # the imported medication reached the engine

    suggested = [plans.point_id(p["code"], p["region"]) for p in assessment["result"]["points"]]
    _ok(
        client.post(
            f"/api/v1/assessments/{assessment['id']}/plans",
            {"accepted": suggested},
            "application/json",
        ),
        201,
    )
    session = _ok(client.post("/api/v1/sessions", {"patient_id": pid}, "application/json"), 201)
    sid = session["id"]

    def act(path: str, data: dict[str, Any]) -> Any:
        return _ok(client.post(f"/api/v1/sessions/{sid}/{path}", data, "application/json"))

    clock.at("10:00")
    act("contact", {"action": "enter"})
    for _ in range(4):
        act("needles", {"which": "inserted", "delta": 1})
    clock.at("10:05")
    act("retention", {"action": "start"})
    clock.at("10:25")
    act("retention", {"action": "end"})
    for _ in range(4):
        act("needles", {"which": "removed", "delta": 1})
    clock.at("10:26")
    act("contact", {"action": "leave"})
    _ok(client.patch(f"/api/v1/sessions/{sid}", {"lot": "HW-2026-0412"}, "application/json"))
    act("close", {})
    signed = act("sign", {})
    assert signed["status"] == "locked"
    bill = _ok(client.get(f"/api/v1/sessions/{sid}/billing"))
    assert [line["code"] for line in bill["lines"]][:1] == ["97810"]
