"""Recognising medications and conditions as they arrive in real records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import recognise_conditions, recognise_medications
from crampcare.kb.loader import KnowledgeBase
from tests.factories import factor_ids, run

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"

# as written in a record                          -> medication id
MEDICATION_TEXT = [
    ("Zocor 40 mg", "simvastatin"),
    ("Simvistatin 10 MG", "simvastatin"),
    ("SIMVASTATIN 20 MG ORAL TABLET", "simvastatin"),
    ("Lasix 40mg", "furosemide"),
    ("frusemide 20 mg daily", "furosemide"),
    ("nifedipine ER 30mg", "nifedipine"),
    ("Procardia XL 60 mg", "nifedipine"),
    ("Evista", "raloxifene"),
    ("nicotinic acid 500 mg", "niacin"),
    ("Ventolin inhaler", "salbutamol"),
    ("albuterol 90 mcg/actuat", "salbutamol"),
    ("Premarin 0.625 mg", "conjugated_estrogens"),
    ("Naprosyn 500mg", "naproxen"),
    ("Forteo", "teriparatide"),
    ("Venofer", "iron_sucrose"),
    ("Coumadin 5 mg", "warfarin"),
    ("Eliquis 5mg", "apixaban"),
    ("Plavix", "clopidogrel"),
    ("chlorthalidone 25 mg", "chlortalidone"),
    ("hydrochlorthiazide 25mg", "hydrochlorothiazide"),
]


@pytest.mark.parametrize(("text", "expected"), MEDICATION_TEXT)
def test_medication_names_brands_and_misspellings(
    kb: KnowledgeBase, text: str, expected: str
) -> None:
    found, unknown = recognise_medications(kb, (text,))
    assert [m.id for m in found] == [expected], unknown
    assert text in found[0].matched


MEDICATION_CODES = [
    (RXNORM, "7417", "nifedipine"),  # ingredient
    (RXNORM, "72143", "raloxifene"),
    (RXNORM, "316672", "simvastatin"),  # clinical drug, as Synthea writes it
    (RXNORM, "315971", "furosemide"),
    (RXNORM, "855332", "warfarin"),
    (ATC, "C08CA05", "nifedipine"),
    (ATC, "C10AA01", "simvastatin"),
    (ATC, "C10AA06", "statins"),  # a statin not in the kb (cerivastatin): recognised by its class
    (ATC, "C03CA03", "loop_diuretics"),  # a loop diuretic not in the kb (piretanide)
]


@pytest.mark.parametrize(("system", "code", "expected"), MEDICATION_CODES)
def test_medication_codes(kb: KnowledgeBase, system: str, code: str, expected: str) -> None:
    found, _ = recognise_medications(kb, (CodedItem(system=system, code=code),))
    assert [m.id for m in found] == [expected]


def test_unknown_medications_are_reported_not_guessed(kb: KnowledgeBase) -> None:
    found, unknown = recognise_medications(
        kb, ("vitamin D 1000 IU", CodedItem(system=RXNORM, code="999999999"))
    )
    assert found == []
    assert unknown == ["vitamin D 1000 IU", "RxNorm 999999999"]


CONDITIONS: list[tuple[Any, str]] = [
    ("Alcoholic cirrhosis of liver", "liver_disease"),
    ("Chronic kidney disease stage 4", "chronic_kidney_disease"),
    ("Hypothyroidism", "hypothyroidism"),
    ("Pregnant", "pregnancy"),
    (CodedItem(system=SNOMED, code="72892002"), "pregnancy"),
    (CodedItem(system=SNOMED, code="83664006"), "hypothyroidism"),
    (CodedItem(system=SNOMED, code="368581000119106"), "peripheral_neuropathy"),
    (CodedItem(system=ICD10, code="E87.6"), "hypokalaemia"),
    (CodedItem(system=ICD10, code="I82.461"), "deep_vein_thrombosis"),  # within the I82.4- family
    (CodedItem(system=ICD11, code="MG30.01"), "fibromyalgia"),
    (CodedItem(system=ICD10, code="E11.65"), "diabetes_mellitus"),  # below E11, in E08-E13
    (CodedItem(system=SNOMED, code="19943007"), "liver_disease"),  # value set: liver disorder
    (CodedItem(system=ICD11, code="5A11"), "diabetes_mellitus"),
]


@pytest.mark.parametrize(("item", "expected"), CONDITIONS, ids=[str(c[0]) for c in CONDITIONS])
def test_conditions_by_text_and_code(kb: KnowledgeBase, item: Any, expected: str) -> None:
    found, _ = recognise_conditions(kb, (item,))
    assert expected in [m.id for m in found]


@pytest.mark.parametrize(
    "text",
    [
        "not pregnant",
        "no known liver disease",
        "denies thyroid problems",
        "pregnancy test negative",
        "previous pregnancy",
    ],
)
def test_negated_conditions_are_not_matched(kb: KnowledgeBase, text: str) -> None:
    found, unknown = recognise_conditions(kb, (text,))
    assert found == [] and unknown == [text]


def test_each_factor_reports_what_it_matched(kb: KnowledgeBase) -> None:
    result = run(kb, history={"medications": ["Zocor 40 mg"], "conditions": ["cirrhosis"]})
    assert {"simvastatin", "liver_disease"} <= factor_ids(result)
    matched = {f["id"]: f["matched"] for f in result["contributing_factors"]}
    assert "Zocor 40 mg" in matched["simvastatin"][0]
    assert "cirrhosis" in matched["liver_disease"][0]


def test_pregnancy_from_a_coded_condition_triggers_the_pregnancy_caution(
    kb: KnowledgeBase,
) -> None:
    result = run(kb, history={"conditions": [{"system": SNOMED, "code": "72892002"}]})
    assert "pregnancy" in {c["id"] for c in result["cautions"]}


SYNTHEA = Path(__file__).resolve().parents[3] / "shared" / "data" / "synthea-r4"


@pytest.mark.skipif(
    not SYNTHEA.is_dir(),
    reason="../shared/data/synthea-r4 is absent (a plain clone has no ../shared); CI always has it",
)
def test_synthea_medication_codes_are_recognised(kb: KnowledgeBase) -> None:
    import json

    seen: set[str] = set()
    for path in sorted(SYNTHEA.glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        for entry in bundle.get("entry", []):
            res = entry.get("resource", {})
            if res.get("resourceType") != "MedicationRequest":
                continue
            for coding in res.get("medicationCodeableConcept", {}).get("coding", []):
                if coding.get("system") == RXNORM:
                    seen.add(coding["code"])
    wanted = {"316672", "312961", "259255", "315971", "855332", "309362", "849574"}
    present = wanted & seen
    assert present, "the sample records no longer hold the codes named in their README"
    found, unknown = recognise_medications(
        kb, tuple(CodedItem(system=RXNORM, code=c) for c in sorted(present))
    )
    assert unknown == [] and len(found) == len(present)
