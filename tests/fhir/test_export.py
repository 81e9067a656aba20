"""FHIR export of a patient's record (clinic/fhir_export.py, fhir/to_fhir*.py) on the named
world: Ellen with a course of two signed sessions (manual and electrical, an Ashi point, points
on both sides and on one), an adverse event, diary outcomes and the letter. Every Bundle is
validated twice (fhir.resources R4B and the official R4 JSON schema)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from crampcare.cli import main
from crampcare.clinic import fhir_export
from crampcare.clinic.errors import Forbidden, NotFound
from crampcare.records.models import AuditEntry, DiaryEntry
from tests.clinic.course_world import adverse_event, make_plan, record_session, sign
from tests.fhir.validation import validate_twice
from tests.world import World, api

MANUAL = {
    "schema": "crampcare.session/1",
    "positions": ["prone"],
    "points": [
        {"code": "BL57", "side": "left", "depth_mm": 25, "stimulation": "manual"},
        {"code": "ASHI", "region": "calf", "side": "left", "stimulation": "manual"},
        {"code": "GV20", "side": "midline", "stimulation": "manual"},
    ],
    "contact": [{"start": "10:00", "end": "10:15"}],
    "measures": {
        "pain_before": 6,
        "pain_after": 3,
        "range_of_motion": [
            {"region": "neck", "movement": "rotation_left", "degrees": 50, "when": "before"}
        ],
    },
    "note": {"subjective": "cramps at night", "plan": "continue"},
}
ELECTRICAL = {
    **MANUAL,
    "points": [
        {
            "code": "GB34",
            "side": "both",
            "stimulation": "electrical",
            "electrical": {
                "frequency_hz": 2,
                "intensity_ma": 1.5,
                "minutes": 20,
                "waveform": "dense_disperse",
            },
        }
    ],
    "contact": [{"start": "09:00", "end": "09:20", "electrical": True}],
    "measures": {"pain_before": 4, "pain_after": 2},
}


def _course(world: World) -> list[Any]:
    plan = make_plan(world)
    first = record_session(world, plan, 20, document=MANUAL)
    second = record_session(world, plan, 13, "closed", document=ELECTRICAL)
    adverse_event(world, second, "fainting", "moderate", serious=False)
    sign(world, second)
    for days_ago in range(21, 35):  # the 14 days before the first session
        DiaryEntry.objects.create(
            patient_id=plan.patient_id,
            date=timezone.localdate() - dt.timedelta(days=days_ago),
            cramps=1,
            source="patient",
        )
    return [first, second]


def _name(url: str) -> str:
    return url.replace(":", "/").rsplit("/", 1)[-1]


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def exported(world: World) -> tuple[World, list[Any], dict[str, Any]]:
    sessions = _course(world)
    return world, sessions, fhir_export.export_patient(world.alice, world.ellen["id"], world.kb)


def test_the_bundle_validates_twice(exported: Any) -> None:
    _, _, bundle = exported
    assert bundle["type"] == "collection"
    validate_twice(bundle)


def test_a_procedure_per_session_with_its_points(exported: Any) -> None:
    world, sessions, bundle = exported
    procedures = {p["id"]: p for p in _resources(bundle, "Procedure")}
    assert set(procedures) == {str(s.id) for s in sessions}
    manual, electrical = procedures[str(sessions[0].id)], procedures[str(sessions[1].id)]
    assert manual["code"]["coding"][0]["code"] == "44868003"
    assert electrical["code"]["coding"][0]["code"] == "231102004"
    assert manual["status"] == "completed" and "performer" in manual
    sites = manual["bodySite"]
    bl57 = {_name(e["url"]): e for e in sites[0]["extension"]}
    assert bl57["approach-twcm"]["valueCodeableConcept"]["coding"][0]["code"] == "BL57"
    assert bl57["laterality"]["valueCodeableConcept"]["coding"][0]["code"] == "7771000"
    assert "depth 25 mm" in bl57["description-twcm"]["valueCodeableConcept"]["text"]
    ashi = {_name(e["url"]): e for e in sites[1]["extension"]}
    assert "coding" not in ashi["approach-twcm"]["valueCodeableConcept"]  # not a WHO point
    assert "calf" in ashi["approach-twcm"]["valueCodeableConcept"]["text"]
    assert not any(e["url"].endswith("laterality") for e in sites[2]["extension"])  # midline
    both = {_name(e["url"]): e for e in electrical["bodySite"][0]["extension"]}
    assert both["laterality"]["valueCodeableConcept"]["coding"][0]["code"] == "51440002"
    assert "2 Hz" in both["description-twcm"]["valueCodeableConcept"]["text"]
    day = sessions[0].date.isoformat()
    assert manual["performedPeriod"]["start"].startswith(f"{day}T10:00")
    assert manual["performedPeriod"]["end"].startswith(f"{day}T10:15")
    assert "S: cramps at night" in manual["note"][0]["text"]
    assert "fainting (moderate)" in electrical["complication"][0]["text"]


def test_observations_pain_range_of_motion_and_frequency(exported: Any) -> None:
    _, sessions, bundle = exported
    observations = _resources(bundle, "Observation")
    pain = [o for o in observations if o["code"]["coding"][0]["code"] == "72514-3"]
    assert sorted(o["valueQuantity"]["value"] for o in pain) == [2, 3, 4, 6]
    rom = [o for o in observations if "range-of-motion" in o["code"]["coding"][0]["code"]]
    assert [o["valueQuantity"]["value"] for o in rom] == [50]
    assert rom[0]["valueQuantity"]["code"] == "deg"
    freq = [o for o in observations if o["code"]["coding"][0]["code"] == "cramp-frequency-weekly"]
    assert freq and freq[0]["valueQuantity"]["value"] == 7  # one cramp a day at baseline


def test_careplan_conditions_letter_and_provenance(exported: Any) -> None:
    world, sessions, bundle = exported
    (plan,) = _resources(bundle, "CarePlan")
    done = [a["outcomeReference"][0]["reference"] for a in plan["activity"][1:]]
    assert done == [f"urn:uuid:{s.id}" for s in sessions]
    assert "BL57" in plan["activity"][0]["detail"]["description"]
    diagnoses = [
        c
        for c in _resources(bundle, "Condition")
        if c.get("verificationStatus", {}).get("coding", [{}])[0].get("code") == "provisional"
    ]
    coded = {(c["system"], c["code"]) for d in diagnoses for c in d["code"].get("coding", [])}
    assert ("http://hl7.org/fhir/sid/icd-10-cm", "G47.62") in coded  # nocturnal leg cramps
    assert not any(code.endswith("-") for _, code in coded)  # never a code family
    (letter,) = _resources(bundle, "DocumentReference")
    pdf = base64.b64decode(letter["content"][0]["attachment"]["data"])
    assert pdf.startswith(b"%PDF")
    (provenance,) = _resources(bundle, "Provenance")
    assert len(provenance["target"]) == len(bundle["entry"]) - 1
    assert world.kb.version in provenance["agent"][0]["who"]["display"]
    ids = {e["fullUrl"] for e in bundle["entry"]}
    assert {t["reference"] for t in provenance["target"]} <= ids


def test_every_reference_resolves_inside_the_bundle(exported: Any) -> None:
    _, _, bundle = exported
    ids = {e["fullUrl"] for e in bundle["entry"]}
    text = json.dumps(bundle)
    found = {
        part.split('"', 1)[0] for part in text.split('"reference": "')[1:] if part.startswith("urn")
    }
    assert found and found <= ids


def test_the_export_is_audited(exported: Any) -> None:
    world, sessions, bundle = exported
    entry = AuditEntry.objects.filter(action="export", record_type="fhir").get()
    assert entry.patient_id == str(world.ellen["id"]) and entry.actor == "alice"
    assert entry.detail["sessions"] == [str(s.id) for s in sessions]
    assert entry.detail["resources"] == len(bundle["entry"])


@pytest.mark.parametrize(
    ("user", "patient", "error"),
    [
        pytest.param("fran", "ellen", Forbidden, id="front desk: no clinical content"),
        pytest.param("adam", "ellen", Forbidden, id="clinic admin: no clinical content"),
        pytest.param("bert", "ellen", NotFound, id="another clinic's patient: not found"),
    ],
)
def test_who_may_export(world: World, user: str, patient: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        fhir_export.export_patient(world.user(user), getattr(world, patient)["id"], world.kb)
    assert AuditEntry.objects.filter(action="denied").exists()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_api_answers_fhir_json(world: World) -> None:
    _course(world)
    response = api(world.alice).get(f"/api/v1/patients/{world.ellen['id']}/fhir?letter=false")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    assert not _resources(bundle, "DocumentReference")
    validate_twice(bundle)
    other = api(world.bert).get(f"/api/v1/patients/{world.ellen['id']}/fhir")
    assert other.status_code == 404
    assert api(world.fran).get(f"/api/v1/patients/{world.ellen['id']}/fhir").status_code == 403


def test_cli_prints_the_bundle(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _course(world)
    clinic = str(world.alice.clinic_id)
    code = main(["export-fhir", str(world.ellen["id"]), "--clinic", clinic, "--no-letter"])
    assert code == 0
    bundle = json.loads(capsys.readouterr().out)
    validate_twice(bundle)
    assert _resources(bundle, "Patient")[0]["id"] == str(world.ellen["id"])
    assert AuditEntry.objects.filter(action="export", actor="system").exists()
    other = str(world.otto["id"])
    assert main(["export-fhir", other, "--clinic", clinic]) == 2  # Birch's patient
    assert "no patient" in capsys.readouterr().err
    assert main(["export-fhir", "not-a-uuid", "--clinic", clinic]) == 2
