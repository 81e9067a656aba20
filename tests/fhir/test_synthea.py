"""All 40 Synthea R4 bundles of ../shared/data/synthea-r4 imported into one clinic, and the
screening checked against what the bundles say, read here straight from their codes:

- current statins and diuretics (MedicationRequest active) are in the intake; stopped ones not;
- anticoagulants and antiplatelets that are current give the anticoagulation caution;
- pregnancies that are over (abated, resolved, or a miscarriage) are not current;
- deceased patients are marked.

The RxNorm clinical-drug codes below are those the folder's README lists (and the kb carries).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.utils import timezone

from crampcare import services
from crampcare.clinic import fhir_import
from crampcare.records.models import Intake, Patient
from tests.factories import make_intake
from tests.world import World

SYNTHEA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "synthea-r4"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not SYNTHEA.is_dir(),
        reason=f"the Synthea sample bundles are not at {SYNTHEA} (a plain clone has no ../shared)",
    ),
]
STATINS = {"316672", "312961", "259255"}
DIURETICS = {"316049", "316052", "315971", "1719286"}
BLEEDING = {"855332", "309362"}  # warfarin, clopidogrel
PREGNANCY = "72892002"  # Normal pregnancy


def _facts(path: Path) -> dict[str, Any]:
    """What the bundle says, read from its codes."""
    bundle = orjson.loads(path.read_bytes())
    active: set[str] = set()
    stopped: set[str] = set()
    pregnant = False
    deceased = False
    for entry in bundle["entry"]:
        r = entry["resource"]
        if r["resourceType"] == "Patient":
            deceased = "deceasedDateTime" in r
        elif r["resourceType"] == "MedicationRequest":
            code = r["medicationCodeableConcept"]["coding"][0]["code"]
            (active if r["status"] == "active" else stopped).add(code)
        elif r["resourceType"] == "Condition":
            codes = {c["code"] for c in r["code"]["coding"]}
            status = r["clinicalStatus"]["coding"][0]["code"]
            if PREGNANCY in codes and status == "active" and "abatementDateTime" not in r:
                pregnant = True
    return {
        "active": active,
        "stopped": stopped - active,
        "pregnant": pregnant,
        "deceased": deceased,
    }


@pytest.fixture
def imported(world: World) -> list[tuple[Path, dict[str, Any]]]:
    target = fhir_import.Target(world.alice, world.alice.clinic_id, True)
    reports = fhir_import.import_paths(target, [str(SYNTHEA)], world.kb)
    assert len(reports) == 40
    return [(Path(r["file"]), r) for r in reports]


def _intake(report: dict[str, Any]) -> dict[str, Any]:
    return Intake.objects.filter(patient_id=report["patient_id"]).latest("version").document


def test_every_bundle_imports_once_and_again_without_duplicates(
    world: World, imported: list[tuple[Path, dict[str, Any]]]
) -> None:
    assert all(r["patient_id"] and r["counts"]["intakes"] == 1 for _, r in imported)
    assert not [i for _, r in imported for i in r["issues"] if i["severity"] == "fatal"]
    target = fhir_import.Target(world.alice, world.alice.clinic_id, True)
    again = fhir_import.import_paths(target, [str(SYNTHEA)], world.kb)
    assert [r["patient_id"] for r in again] == [r["patient_id"] for _, r in imported]
    assert (
        Patient.objects.filter(clinic_id=world.alice.clinic_id).exclude(fhir_identity="").count()
        == 40
    )
    assert Intake.objects.filter(patient__fhir_identity__startswith="https://").count() == 40


def test_current_statins_and_diuretics_found_stopped_ones_not(
    imported: list[tuple[Path, dict[str, Any]]],
) -> None:
    checked = 0
    for path, report in imported:
        facts = _facts(path)
        coded = {m["code"] for m in _intake(report)["history"].get("medications", [])}
        for group in (STATINS, DIURETICS):
            assert facts["active"] & group == coded & group, path.name
            assert not (facts["stopped"] & coded), path.name
            checked += len(facts["active"] & group) + len(facts["stopped"] & group)
    assert checked > 10  # the sample holds statins and diuretics, current and stopped


def test_anticoagulants_and_antiplatelets_give_the_bleeding_caution(
    world: World, imported: list[tuple[Path, dict[str, Any]]]
) -> None:
    seen = 0
    for path, report in imported:
        facts = _facts(path)
        if facts["deceased"]:
            continue
        document = {**_intake(report), "complaint": make_intake()["complaint"]}
        result = services.assess_document(document, world.kb, timezone.localdate())
        cautions = {c["id"] for c in result["cautions"]}
        assert ("anticoagulation" in cautions) is bool(facts["active"] & BLEEDING), path.name
        seen += bool(facts["active"] & BLEEDING)
    assert seen >= 1


def test_past_pregnancies_are_not_current(imported: list[tuple[Path, dict[str, Any]]]) -> None:
    with_pregnancy_codes = 0
    for path, report in imported:
        facts = _facts(path)
        with_pregnancy_codes += PREGNANCY in path.read_text()
        assert _intake(report)["patient"].get("pregnant", False) is facts["pregnant"], path.name
    assert with_pregnancy_codes >= 5  # pregnancies recorded, all of them over


def test_deceased_patients_are_marked(imported: list[tuple[Path, dict[str, Any]]]) -> None:
    marked = {r["patient_id"] for path, r in imported if _facts(path)["deceased"]}
    assert len(marked) == 15
    assert (
        set(map(str, Patient.objects.filter(deceased=True).values_list("pk", flat=True))) == marked
    )
    assert all(Patient.objects.get(pk=pid).deceased_on <= dt.date.today() for pid in marked)
