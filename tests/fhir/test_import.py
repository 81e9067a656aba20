"""Importing FHIR records into the clinic's records: the hand-made fixtures, an NDJSON export,
the HL7 R4 examples; a second import updates; consent; deceased patients are refused
treatment; the API and the page (parallel imports: test_import_parallel.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from crampcare import services
from crampcare.clinic import assessments, fhir_import, plans, sessions
from crampcare.clinic.errors import Conflict
from crampcare.records.models import AuditEntry, FhirImport, Intake, Patient
from tests.factories import make_intake
from tests.world import PASSWORD, World, api

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def _import(world: World, *names: str, consent: bool = True) -> list[dict[str, Any]]:
    target = fhir_import.Target(world.alice, world.alice.clinic_id, consent)
    return fhir_import.import_paths(target, [str(FIXTURES / n) for n in names], world.kb)


def _latest_intake(patient_id: str) -> dict[str, Any]:
    return Intake.objects.filter(patient_id=patient_id).order_by("-version").first().document


def _assess(world: World, patient_id: str) -> dict[str, Any]:
    document = {**_latest_intake(patient_id), "complaint": make_intake()["complaint"]}
    return services.assess_document(document, world.kb, timezone.localdate())


def test_nifedipine_raloxifene_and_niacin_are_current(world: World) -> None:
    [report] = _import(world, "nifedipine-raloxifene-niacin.json")
    assert report["counts"]["medications"] == 3 and report["patient_id"]
    result = _assess(world, report["patient_id"])
    factors = {f["id"] for f in result["contributing_factors"]}
    assert {"nifedipine", "raloxifene", "niacin"} <= factors


def test_a_pacemaker_device_is_in_the_intake_and_an_inactive_one_is_not(world: World) -> None:
    [report] = _import(world, "pacemaker.json")
    assert _latest_intake(report["patient_id"])["history"]["devices"] == ["pacemaker"]
    assert report["counts"]["devices_history"] == 1
    result = _assess(world, report["patient_id"])
    assert result["electroacupuncture"]["allowed"] is False


def test_importing_twice_updates_and_adds_no_duplicate(world: World) -> None:
    first = _import(world, "pacemaker.json")[0]
    second = _import(world, "pacemaker.json")[0]
    assert first["patient_id"] == second["patient_id"]
    assert Patient.objects.filter(family_name="Aalto").count() == 1
    assert Intake.objects.filter(patient_id=first["patient_id"]).count() == 1
    assert "intake unchanged" in json.dumps(second["issues"])
    assert FhirImport.objects.filter(patient_id=first["patient_id"]).count() == 2


def test_without_consent_the_clinical_record_is_not_imported(world: World) -> None:
    [report] = _import(world, "pacemaker.json", consent=False)
    assert not Intake.objects.filter(patient_id=report["patient_id"]).exists()
    assert any(i["code"] == "business-rule" for i in report["issues"])


def test_an_ndjson_export_is_read_as_one_unit(world: World) -> None:
    reports = {Path(r["file"]).name: r for r in _import(world, "bulk")}
    patients = reports["Patient.ndjson"]
    assert len(patients["patient_ids"]) == 2
    meds = reports["MedicationRequest.ndjson"]
    # the line that is not JSON, and the request about a patient the export does not hold
    assert [i["expression"] for i in meds["issues"]] == [["line 2"], ["Patient/nobody"]]
    ada = Patient.objects.get(given_name="Ada")
    assert _latest_intake(str(ada.pk))["history"]["medications"][0]["code"] == "316672"
    ben = Patient.objects.get(given_name="Ben")
    assert "medications" not in _latest_intake(str(ben.pk))["history"]  # stopped warfarin


def test_the_hl7_examples_import_without_a_crash(world: World) -> None:
    reports = _import(world, "hl7-examples")
    assert len(reports) == 14
    issues = [i for r in reports for i in r["issues"]]
    assert any(i["code"] == "not-supported" for i in issues)  # e.g. the genetics Observation
    assert all(set(i) == {"severity", "code", "diagnostics", "expression"} for i in issues)
    assert Patient.objects.filter(fhir_identity__startswith="urn:oid:").exists()


def test_a_missing_path_is_reported_and_the_rest_imported(world: World) -> None:
    reports = _import(world, "no-such-file.json", "pacemaker.json")
    assert reports[0]["issues"][0]["severity"] == "fatal" and reports[1]["patient_id"]


def _deceased(world: World) -> str:
    body = {
        "resourceType": "Patient",
        "id": "gone",
        "name": [{"family": "Vale", "given": ["Eve"]}],
        "gender": "female",
        "birthDate": "1930-01-01",
        "deceasedDateTime": "2020-02-02",
    }
    report = fhir_import.import_upload(
        world.alice, "gone.json", io.BytesIO(json.dumps(body).encode()), world.kb, True
    )
    return str(report["patient_id"])


def test_a_deceased_patient_is_marked_and_refused_assessment(world: World) -> None:
    patient_id = _deceased(world)
    assert Patient.objects.get(pk=patient_id).deceased_on.isoformat() == "2020-02-02"
    with pytest.raises(Conflict, match="died on 2020-02-02"):
        assessments.create_assessment(
            world.alice, {"patient_id": patient_id, "intake": make_intake()}, world.kb
        )


def test_a_patient_who_died_after_planning_gets_no_plan_and_no_session(world: World) -> None:
    Patient.objects.filter(pk=world.ellen["id"]).update(deceased=True)
    with pytest.raises(Conflict, match="died"):
        plans.create_plan(world.alice, world.assessment["id"], {"accepted": []}, world.kb)
    with pytest.raises(Conflict, match="died"):
        sessions.start_session(world.alice, {"patient_id": world.ellen["id"]}, world.kb)


def test_api_imports_a_body_and_is_audited(world: World) -> None:
    body = (FIXTURES / "pacemaker.json").read_bytes()
    r = api(world.alice).post(
        "/api/v1/fhir/import?consent=true", body, content_type="application/fhir+json"
    )
    assert r.status_code == 200, r.content
    [report] = r.json()["reports"]
    assert report["counts"]["devices"] == 1
    assert AuditEntry.objects.filter(record_type="intake", patient_id=report["patient_id"]).exists()


def test_api_imports_multipart_files_and_refuses_other_types(world: World) -> None:
    client = api(world.alice)
    files = [
        SimpleUploadedFile(n, (FIXTURES / n).read_bytes(), content_type="application/json")
        for n in ("pacemaker.json", "nifedipine-raloxifene-niacin.json")
    ]
    r = client.post("/api/v1/fhir/import", {"file": files})
    assert r.status_code == 200 and len(r.json()["reports"]) == 2
    r = client.post("/api/v1/fhir/import", "x", content_type="text/plain")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Content-Type"


def test_the_page_form_imports_and_shows_the_report(world: World) -> None:
    client = Client()
    client.login(username="alice", password=PASSWORD)
    home = client.get("/").content.decode()
    assert 'action="/patients/import-fhir"' in home
    upload = SimpleUploadedFile("pace.json", (FIXTURES / "pacemaker.json").read_bytes())
    r = client.post("/patients/import-fhir", {"file": upload, "consent": "on"})
    html = r.content.decode()
    assert r.status_code == 200 and "Aalto, Henrik" in html and "devices_history" in html
    r = client.post("/patients/import-fhir", {})
    assert r.status_code == 422
