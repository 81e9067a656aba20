"""Contributing factors as the contract publishes them: every factor of a medication, a history
condition and a coded pregnancy validates against the assessment schema, and carries the
grade, kind and words of its knowledge-base entry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crampcare.core.schemas import assessment_schema
from crampcare.kb.loader import KnowledgeBase
from tests.factories import run

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"

# presentation, intake history, factor id, kind
ROWS: list[tuple[str, dict[str, Any], str, str]] = [
    ("a thiazide-like diuretic", {"medications": ["metolazone 5 mg"]}, "metolazone", "medication"),
    ("a statin by brand", {"medications": ["Zocor 40 mg"]}, "simvastatin", "medication"),
    (
        "diabetes by ICD-10-CM family",
        {"conditions": [{"system": ICD10, "code": "E11.65"}]},
        "diabetes_mellitus",
        "condition",
    ),
    (
        "pregnancy by code",
        {"conditions": [{"system": ICD10, "code": "Z34.00"}]},
        "pregnancy",
        "condition",
    ),
]


@pytest.mark.parametrize(
    ("history", "factor_id", "kind"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_a_factor_is_in_the_contract_and_graded_from_the_kb(
    kb: KnowledgeBase, history: dict[str, Any], factor_id: str, kind: str
) -> None:
    result = run(kb, history=history)
    Draft202012Validator(assessment_schema()).validate(json.loads(json.dumps(result)))
    (factor,) = [f for f in result["contributing_factors"] if f["id"] == factor_id]
    assert factor["kind"] == kind
    entry = kb.medications[factor_id] if kind == "medication" else kb.conditions[factor_id]
    assert factor["summary"].startswith(f"{entry.name}")
    assert factor["matched"] and all(factor["matched"])
    assert factor["sources"]
    if kind == "condition":
        assert entry.certainty is not None
        assert factor["certainty"] == entry.certainty.value
        assert factor["verification"] == entry.verification.value
        assert factor["summary"] == f"{entry.name}: {entry.summary}"


def test_a_condition_that_does_not_feed_cramps_is_no_factor(kb: KnowledgeBase) -> None:
    quiet = next(
        c
        for c in kb.conditions.values()
        if c.kind == "history" and not c.contributes and not c.pregnancy and c.codes
    )
    code = quiet.codes[0]
    result = run(kb, history={"conditions": [{"system": code.system, "code": code.code}]})
    assert quiet.id not in {f["id"] for f in result["contributing_factors"]}
