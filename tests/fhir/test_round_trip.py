"""Export then import gives back the same record (property-based; no database: the export's
``to_fhir.bundle`` and the import's ``Batch`` are both pure).

What round-trips: the patient's name, birth date, sex and death; the intake's coded conditions
and medications; its laboratory results with their dates (in the test's canonical unit: a
result in a unit no LOINC code of the test is reported in is exported converted); its devices
that have a SNOMED CT code; a current pregnancy. What the import does not read (Procedures,
the CarePlan, session Observations, the letter, Provenance) is not compared here:
tests/fhir/test_export.py checks it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcare import services
from crampcare.fhir import codes
from crampcare.fhir.batch import Batch
from crampcare.fhir.record import intake_document
from crampcare.fhir.to_fhir import Export, bundle
from tests import strategies
from tests.factories import TODAY
from tests.fhir.validation import validate_twice

EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300")) // 6 or 1
KB = services.knowledge_base()
LABS = {lab.id: lab for lab in KB.vocab.labs}
BY_LOINC = {c.loinc: lab for lab in KB.vocab.labs for c in lab.codes}
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄéß'-", min_size=1, max_size=12).map(
    str.capitalize
)


@st.composite
def records(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    sex = draw(st.sampled_from(["female", "male", "other", "unknown"]))
    died = draw(st.one_of(st.none(), st.just("yes"), st.dates(TODAY - dt.timedelta(3000), TODAY)))
    patient = {
        "id": str(draw(st.uuids())),
        "given_name": " ".join(draw(st.lists(NAME, min_size=1, max_size=2))),
        "family_name": draw(NAME),
        "birth_date": draw(st.dates(dt.date(1910, 1, 1), TODAY)),
        "sex": sex,
        "deceased": died is not None,
        "deceased_on": died if isinstance(died, dt.date) else None,
        "fhir_identity": draw(st.sampled_from(["", "https://example.org/mrn|A-17"])),
        "phone": "",
        "email": "",
    }
    conditions = draw(
        st.lists(strategies.coded(strategies.condition_codes(KB, pregnancy=False)), max_size=4)
    )
    medications = draw(st.lists(strategies.coded(strategies.medication_codes(KB)), max_size=4))
    labs = draw(st.lists(strategies.lab_results(KB, sorted(LABS)), max_size=5))
    devices = draw(st.lists(st.sampled_from(sorted(set(codes.DEVICE_CODES.values())))))
    pregnant = sex != "male" and draw(st.booleans())
    history = {
        "conditions": list({(c["system"], c["code"]): c for c in conditions}.values()),
        "medications": list({(m["system"], m["code"]): m for m in medications}.values()),
        "labs": labs,
        "devices": sorted(set(devices)),
    }
    document = {"patient": {"sex": sex, "pregnant": pregnant}, "history": history}
    return patient, document


def _lab_key(lab: dict[str, Any]) -> tuple[str, str, float]:
    """(test, date or "" when undated, value in the test's canonical unit): sortable."""
    test = LABS[lab["test"]] if lab.get("test") else BY_LOINC[lab["loinc"]]
    return test.id, str(lab.get("date") or ""), lab["value"] * test.conversions[lab["unit"]]


def _same_labs(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bool:
    left, right = sorted(map(_lab_key, before)), sorted(map(_lab_key, after))
    return len(left) == len(right) and all(
        a[:2] == b[:2] and math.isclose(a[2], b[2], rel_tol=1e-9, abs_tol=1e-12)
        for a, b in zip(left, right, strict=True)
    )


def round_trip(patient: dict[str, Any], document: dict[str, Any]) -> Any:
    export = Export(
        patient=patient,
        clinic={"id": 1, "name": "Willow"},
        now=dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC),
        tz=dt.UTC,
        version="test",
        kb_version=KB.version,
        intake={"document": document, "taken_on": TODAY},
    )
    made = bundle(export, KB)
    validate_twice(made)
    batch = Batch(KB, TODAY)
    for n, entry in enumerate(made["entry"]):
        batch.add(entry["resource"], f"entry[{n}]")
    ((_, record, issues),) = list(batch.finish())
    return record, issues


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_export_then_import_gives_back_the_record(drawn: Any) -> None:
    """Every exported Bundle validates twice, and importing it gives back the record."""
    patient, document = drawn
    record, issues = round_trip(patient, document)
    facts = record.patient
    assert facts is not None
    assert (facts.given_name, facts.family_name) == (patient["given_name"], patient["family_name"])
    assert (facts.birth_date, facts.sex) == (patient["birth_date"], patient["sex"])
    assert (facts.deceased, facts.deceased_on) == (patient["deceased"], patient["deceased_on"])
    expected_key = patient["fhir_identity"] or f"urn:crampcare:patient-id|{patient['id']}"
    assert facts.key == expected_key  # a re-import finds the same patient
    history = document["history"]
    got = {key: record.current.get(key, []) for key in ("conditions", "medications")}
    pregnancy = (
        {("http://snomed.info/sct", "77386006")} if document["patient"]["pregnant"] else set()
    )
    assert {(c["system"], c["code"]) for c in got["conditions"]} == {
        (c["system"], c["code"]) for c in history["conditions"]
    } | pregnancy
    assert {(m["system"], m["code"]) for m in got["medications"]} == {
        (m["system"], m["code"]) for m in history["medications"]
    }
    assert not record.history.get("conditions") and not record.history.get("medications")
    labs = record.current.get("labs", []) + record.history.get("labs", [])
    assert _same_labs(history["labs"], labs)
    assert sorted(d["device"] for d in record.current.get("devices", [])) == history["devices"]
    intake, _ = intake_document(record, KB)
    assert intake["patient"].get("pregnant", False) == document["patient"]["pregnant"]
    assert not [i for i in issues if i.severity in ("fatal", "error")]
