"""The FHIR mapping as tables a clinician can read: what counts as current, what is history,
what is skipped, per resource type and status. No database."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import orjson
import pytest

from crampcare.fhir import codes
from crampcare.fhir.batch import Batch
from crampcare.fhir.from_fhir import (
    map_condition,
    map_device,
    map_medication,
    map_observation,
    map_patient,
)
from crampcare.fhir.reader import Reading
from crampcare.fhir.record import RecordBuilder, intake_document, merge_intake
from crampcare.kb.loader import KnowledgeBase

TODAY = dt.date(2026, 12, 1)
W = "Bundle.entry[0].resource"


def status(code: str) -> dict[str, Any]:
    return {"coding": [{"system": codes.CONDITION_CLINICAL, "code": code}]}


def condition(code: str = "49436004", clinical: str | None = "active", **extra: Any) -> dict:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": codes.SNOMED, "code": code}]},
        **extra,
    }
    if clinical is not None:
        res["clinicalStatus"] = status(clinical)
    return res


@pytest.mark.parametrize(
    ("clinical", "extra", "current"),
    [
        pytest.param("active", {}, True, id="active, not abated: current"),
        pytest.param("recurrence", {}, True, id="recurrence (a kind of active): current"),
        pytest.param("relapse", {}, True, id="relapse (a kind of active): current"),
        pytest.param(
            "active", {"abatementDateTime": "2010-05-01"}, False, id="active but abated: history"
        ),
        pytest.param(
            "resolved", {"abatementDateTime": "2010-05-01"}, False, id="resolved: history"
        ),
        pytest.param("inactive", {}, False, id="inactive: history"),
        pytest.param("remission", {}, False, id="remission: history"),
        pytest.param(None, {}, False, id="no clinicalStatus: history, with a warning"),
    ],
)
def test_condition_current_only_when_active_and_not_abated(
    kb: KnowledgeBase, clinical: str | None, extra: dict[str, Any], current: bool
) -> None:
    piece, issues = map_condition(condition(clinical=clinical, **extra), W, kb)
    assert piece is not None and piece.current is current
    assert piece.item == {"system": codes.SNOMED, "code": "49436004"}
    assert bool(issues) is (clinical is None)


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_conditions_are_skipped(kb: KnowledgeBase, verification: str) -> None:
    res = condition(verificationStatus={"coding": [{"code": verification}]})
    piece, issues = map_condition(res, W, kb)
    assert piece is None and issues[0].severity == "information"


def test_a_condition_with_only_display_text_is_not_matched(kb: KnowledgeBase) -> None:
    res = {
        "resourceType": "Condition",
        "code": {"text": "Pregnant"},
        "clinicalStatus": status("active"),
    }
    piece, issues = map_condition(res, W, kb)
    assert piece is None and issues[0].code == "code-invalid"


def test_the_coding_the_kb_knows_is_chosen(kb: KnowledgeBase) -> None:
    res = condition()
    res["code"]["coding"].insert(0, {"system": "http://example.org/local", "code": "X1"})
    res["code"]["coding"].insert(1, {"system": codes.SNOMED, "code": "999999999"})
    piece, _ = map_condition(res, W, kb)
    assert piece is not None and piece.item["code"] == "49436004"


def medication(kind: str, state: str, code: str = "316672", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "status": state,
        "medicationCodeableConcept": {"coding": [{"system": codes.RXNORM, "code": code}]},
        **extra,
    }


@pytest.mark.parametrize(
    ("kind", "state", "current"),
    [
        ("MedicationRequest", "active", True),
        ("MedicationRequest", "stopped", False),
        ("MedicationRequest", "completed", False),
        ("MedicationRequest", "on-hold", False),
        ("MedicationRequest", "cancelled", False),
        ("MedicationRequest", "draft", False),
        ("MedicationStatement", "active", True),
        ("MedicationStatement", "completed", False),
        ("MedicationStatement", "stopped", False),
        ("MedicationStatement", "intended", False),
        ("MedicationStatement", "not-taken", False),
    ],
    ids=lambda v: str(v),
)
def test_medication_current_only_with_status_active(
    kb: KnowledgeBase, kind: str, state: str, current: bool
) -> None:
    piece, _ = map_medication(medication(kind, state), W, kb, {})
    assert piece is not None and piece.current is current


def test_medication_entered_in_error_is_skipped(kb: KnowledgeBase) -> None:
    piece, issues = map_medication(medication("MedicationRequest", "entered-in-error"), W, kb, {})
    assert piece is None and issues


def test_do_not_perform_is_not_current(kb: KnowledgeBase) -> None:
    res = medication("MedicationRequest", "active", doNotPerform=True)
    piece, _ = map_medication(res, W, kb, {})
    assert piece is not None and not piece.current


def test_medication_reference_to_a_missing_medication_is_reported(kb: KnowledgeBase) -> None:
    res = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "medicationReference": {"reference": "Medication/gone"},
    }
    piece, issues = map_medication(res, W, kb, {})
    assert piece is None and issues[0].code == "not-found"


def observation(code: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": extra.pop("status", "final"),
        "code": {"coding": [{"system": codes.LOINC, "code": code}]},
        "valueQuantity": {"value": value, "unit": unit},
        "effectiveDateTime": extra.pop("when", "2026-11-20T09:00:00+01:00"),
        **extra,
    }


@pytest.mark.parametrize(
    ("res", "kind", "problem"),
    [
        pytest.param(observation("6298-4", 3.1, "mmol/L"), "lab", None, id="potassium: a lab"),
        pytest.param(observation("72514-3", 6, "{score}"), "pain", None, id="pain 0-10: kept"),
        pytest.param(
            observation("6298-4", 3.1, "mmol/L", status="preliminary"),
            None,
            "informational",
            id="preliminary: not a result",
        ),
        pytest.param(
            observation("6298-4", 3.1, "mmol/L", status="cancelled"),
            None,
            "informational",
            id="cancelled: not a result",
        ),
        pytest.param(
            observation("33914-3", 60, "mL/min"),
            None,
            "value",
            id="eGFR in an unknown unit: skipped",
        ),
        pytest.param(
            observation("6298-4", 3.1, "mmol/L", when="2027-01-01"),
            None,
            "value",
            id="dated after today: skipped",
        ),
        pytest.param(observation("72514-3", 14, "{score}"), None, "value", id="pain 14: skipped"),
        pytest.param(
            observation("8302-2", 170, "cm"), None, None, id="body height: not used, counted only"
        ),
    ],
)
def test_observations(kb: KnowledgeBase, res: dict, kind: str | None, problem: str | None) -> None:
    piece, issues = map_observation(res, W, kb, TODAY)
    assert (piece.kind if piece else None) == kind
    assert (issues[0].code if issues else None) == problem


def test_a_lab_keeps_its_date_and_the_laboratory_range(kb: KnowledgeBase) -> None:
    res = observation(
        "6298-4",
        3.1,
        "mmol/L",
        referenceRange=[{"low": {"value": 3.5, "unit": "mmol/L"}, "high": {"value": 5.1}}],
    )
    piece, _ = map_observation(res, W, kb, TODAY)
    assert piece is not None
    assert piece.item == {
        "loinc": "6298-4",
        "value": 3.1,
        "unit": "mmol/L",
        "date": "2026-11-20",
        "reference_low": 3.5,
        "reference_high": 5.1,
    }


def device(code: str, state: str | None) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Device",
        "type": {"coding": [{"system": codes.SNOMED, "code": code}]},
    }
    if state is not None:
        res["status"] = state
    return res


@pytest.mark.parametrize(
    ("code", "state", "found", "current"),
    [
        ("14106009", "active", "pacemaker", True),
        ("14106009", None, "pacemaker", True),  # unknown status: present, the cautious side
        ("14106009", "unknown", "pacemaker", True),
        ("14106009", "inactive", "pacemaker", False),
        ("72506001", "active", "implanted_defibrillator", True),
        ("43252007", "active", "cochlear_implant", True),
        ("69805005", "active", "insulin_pump", True),
        ("1351253007", "active", "neurostimulator", True),
        ("409896001", "active", None, False),  # not a device crampcare asks about
    ],
    ids=lambda v: str(v),
)
def test_devices(code: str, state: str | None, found: str | None, current: bool) -> None:
    piece, _ = map_device(device(code, state), W)
    assert (piece.item["device"] if piece else None) == found
    assert (piece.current if piece else False) is current


def patient(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Ek", "given": ["Lo"]}],
        "gender": "female",
        "birthDate": "1950-02-03",
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "deceased", "on"),
    [
        ({}, False, None),
        ({"deceasedBoolean": False}, False, None),
        ({"deceasedBoolean": True}, True, None),
        ({"deceasedDateTime": "2019-04-02T10:00:00Z"}, True, dt.date(2019, 4, 2)),
    ],
    ids=["alive", "deceasedBoolean false", "deceasedBoolean true", "deceasedDateTime"],
)
def test_deceased_patients_are_marked(extra: dict, deceased: bool, on: dt.date | None) -> None:
    facts, _ = map_patient(patient(**extra), W)
    assert facts is not None and (facts.deceased, facts.deceased_on) == (deceased, on)
    assert facts.key == "Patient/p1"


@pytest.mark.parametrize("born", ["1950", "1950-02", "", None])
def test_a_patient_without_a_full_birth_date_is_not_imported(born: str | None) -> None:
    facts, issues = map_patient(patient(birthDate=born), W)
    assert facts is None and any(i.expression == (f"{W}.birthDate",) for i in issues)


def _record(kb: KnowledgeBase, *resources: dict[str, Any], sex: str = "female") -> Any:
    builder = RecordBuilder(kb, TODAY)
    builder.add(patient(gender=sex), W, {})
    for res in resources:
        builder.add(res, W, {})
    return builder.finish({})[0]


NORMAL_PREGNANCY, MISCARRIAGE = "72892002", "19169002"


@pytest.mark.parametrize(
    ("res", "sex", "pregnant"),
    [
        pytest.param(condition(NORMAL_PREGNANCY), "female", True, id="active pregnancy"),
        pytest.param(
            condition(NORMAL_PREGNANCY, "resolved", abatementDateTime="1998-06-01"),
            "female",
            False,
            id="resolved pregnancy decades ago",
        ),
        pytest.param(
            condition(NORMAL_PREGNANCY, abatementDateTime="2026-01-01"),
            "female",
            False,
            id="active but abated",
        ),
        pytest.param(
            condition(MISCARRIAGE), "female", False, id="miscarriage left active: not a pregnancy"
        ),
        pytest.param(condition(NORMAL_PREGNANCY), "male", False, id="coded for a male: warned"),
    ],
)
def test_pregnancy_only_from_a_current_pregnancy(
    kb: KnowledgeBase, res: dict, sex: str, pregnant: bool
) -> None:
    record = _record(kb, res, sex=sex)
    document, issues = intake_document(record, kb)
    assert document["patient"].get("pregnant", False) is pregnant
    assert bool(issues) is (sex == "male")


def test_the_most_recent_lab_counts_and_older_ones_are_history(kb: KnowledgeBase) -> None:
    record = _record(
        kb,
        observation("6298-4", 3.9, "mmol/L", when="2026-11-20"),
        observation("6298-4", 2.9, "mmol/L", when="2026-11-01"),  # within 30 days: kept
        observation("6298-4", 3.0, "mmol/L", when="2026-06-01"),  # older: history
    )
    document, _ = intake_document(record, kb)
    assert [lab["date"] for lab in document["history"]["labs"]] == ["2026-11-20", "2026-11-01"]
    assert [lab["date"] for lab in record.history["labs"]] == ["2026-06-01"]


def test_a_reimport_replaces_coded_items_and_keeps_what_was_typed(kb: KnowledgeBase) -> None:
    stopped = _record(kb, medication("MedicationRequest", "stopped"))
    previous = {
        "schema": "crampcare.intake/1",
        "patient": {"age": 70, "sex": "female"},
        "complaint": {"kind": "cramp", "regions": ["calf"], "side": "left"},
        "history": {
            "medications": ["magnesium 300 mg", {"system": codes.RXNORM, "code": "316672"}],
            "devices": ["pacemaker"],
            "first_acupuncture": True,
        },
    }
    document, _ = intake_document(stopped, kb, previous)
    assert document["history"]["medications"] == ["magnesium 300 mg"]
    assert document["history"]["devices"] == ["pacemaker"]
    assert document["complaint"] == previous["complaint"]
    assert "age" not in document["patient"]


def test_an_intake_file_adds_to_the_record() -> None:
    record = {
        "schema": "crampcare.intake/1",
        "patient": {"birth_date": "1950-02-03"},
        "history": {"medications": [{"system": codes.RXNORM, "code": "316672"}]},
    }
    given = {
        "complaint": {"kind": "cramp"},
        "patient": {"pregnant": False},
        "history": {"medications": ["quinine"], "needle_phobia": True},
    }
    merged = merge_intake(record, given)
    assert merged["patient"] == {"birth_date": "1950-02-03", "pregnant": False}
    assert merged["history"]["medications"] == [record["history"]["medications"][0], "quinine"]
    assert merged["history"]["needle_phobia"] is True and merged["complaint"] == {"kind": "cramp"}


def _read(data: bytes, name: str = "x.json") -> tuple[list[Any], Any]:
    reading = Reading(name, io.BytesIO(data), name.endswith(".ndjson"))
    return list(reading.resources()), reading


def test_a_broken_bundle_keeps_what_came_before_the_break() -> None:
    good = orjson.dumps({"resource": patient()}).decode()
    found, reading = _read(f'{{"resourceType": "Bundle", "entry": [{good}, {{"resource": '.encode())
    assert len(found) == 1 and reading.issues[0].severity == "fatal"


def test_an_ndjson_line_that_is_not_json_is_skipped_and_the_next_read() -> None:
    lines = b"\n".join([orjson.dumps(patient()), b"{oops", orjson.dumps(patient(id="p2"))])
    found, reading = _read(lines, "Patient.ndjson")
    assert [r["id"] for r, _ in found] == ["p1", "p2"]
    assert reading.issues[0].expression == ("line 2",)


def test_resource_type_after_entry_is_still_a_bundle() -> None:
    data = orjson.dumps({"entry": [{"resource": patient()}], "resourceType": "Bundle"})
    found, _ = _read(data)
    assert found[0][1] == "Bundle.entry[0].resource"


def test_unsupported_resources_are_counted_once_per_type(kb: KnowledgeBase) -> None:
    batch = Batch(kb, TODAY)
    for i in range(3):
        batch.add({"resourceType": "Claim", "id": str(i)}, f"Bundle.entry[{i}].resource")
    batch.add(patient(), "Bundle.entry[3].resource")
    assert len(list(batch.finish())) == 1
    assert [i.diagnostics for i in batch.issues] == [
        "3 Claim resource(s): not read by crampcare, skipped"
    ]
