"""Validation of crampcare.intake/1: every problem named by its field path, nothing assessed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crampcare.core.intake import InvalidIntake, parse_intake
from crampcare.kb.loader import KnowledgeBase
from tests.factories import TODAY, make_intake


def problems(kb: KnowledgeBase, doc: Any) -> dict[str, str]:
    with pytest.raises(InvalidIntake) as info:
        parse_intake(doc, kb, TODAY)
    return dict(info.value.errors)


# presentation (sections merged into a valid intake) -> field path named, text in its message
INVALID = [
    ({"complaint": {"regions": ["calves"]}}, "complaint.regions[0]", "valid: arm, calf"),
    ({"complaint": {"kind": "ache"}}, "complaint.kind", "valid: cramp"),
    ({"complaint": {"side": "up"}}, "complaint.side", "valid: both, left, midline, right"),
    ({"complaint": {"worst_severity": 11}}, "complaint.worst_severity", "less than or equal"),
    ({"complaint": {"episodes_per_week": -1}}, "complaint.episodes_per_week", "greater than"),
    ({"complaint": {"regions": []}}, "complaint.regions", "at least 1"),
    ({"complaint": {"triggers": ["moonlight"]}}, "complaint.triggers[0]", "valid: cold"),
    (
        {"complaint": {"colour": "red"}},
        "complaint.colour",
        "unknown key; valid keys here: episodes_per_week, kind",
    ),
    ({"findings": ["sore"]}, "findings[0]", "valid: calf_tenderness"),
    ({"tcm": {"tongue": ["blue"]}}, "tcm.tongue[0]", "valid:"),
    ({"tcm": {"pulse": ["bouncy"]}}, "tcm.pulse[0]", "valid:"),
    ({"tcm": {"signs": ["grumpy"]}}, "tcm.signs[0]", "valid:"),
    ({"history": {"devices": ["toaster"]}}, "history.devices[0]", "valid: cochlear_implant"),
    (
        {"history": {"labs": [{"test": "potassium", "value": 3.1, "unit": "stones"}]}},
        "history.labs[0].unit",
        "valid: mEq/L",
    ),
    (
        {"history": {"labs": [{"test": "vitamin_q", "value": 3.1, "unit": "mmol/L"}]}},
        "history.labs[0].test",
        "valid: alt",
    ),
    (
        {"history": {"labs": [{"loinc": "0000-0", "value": 3.1, "unit": "mmol/L"}]}},
        "history.labs[0].loinc",
        "unknown LOINC",
    ),
    (
        {
            "history": {
                "labs": [{"test": "potassium", "loinc": "2823-3", "value": 3, "unit": "mmol/L"}]
            }
        },
        "history.labs[0]",
        "exactly one of test or loinc",
    ),
    (
        {"history": {"labs": [{"test": "potassium", "value": float("nan"), "unit": "mmol/L"}]}},
        "history.labs[0].value",
        "finite number",
    ),
    (
        {"history": {"medications": [{"system": "http://example.org", "code": "1"}]}},
        "history.medications[0].system",
        "RxNorm",
    ),
    (
        {"history": {"conditions": [{"system": "http://loinc.org", "code": "1-1"}]}},
        "history.conditions[0].system",
        "SNOMED CT",
    ),
    ({"patient": {"sex": "robot"}}, "patient.sex", "'female'"),
    ({"patient": {"age": 130}}, "patient.age", "less than or equal"),
    ({"patient": {"pregnancy_weeks": 20}}, "patient", "pregnancy_weeks needs pregnant: true"),
    ({"patient": {"sex": "male", "pregnant": True}}, "patient.pregnant", "sex is male"),
    ({"patient": {"age": None, "birth_date": "2030-01-01"}}, "patient.birth_date", "after today"),
    ({"schema": "crampcare.intake/2"}, "schema", "crampcare.intake/1"),
    ({"extra": 1}, "extra", "unknown key; valid keys here: complaint, findings"),
]


@pytest.mark.parametrize(("sections", "path", "fragment"), INVALID, ids=[p for _, p, _ in INVALID])
def test_invalid_intake_names_the_field(
    kb: KnowledgeBase, sections: dict[str, Any], path: str, fragment: str
) -> None:
    errors = problems(kb, make_intake(**sections))
    assert path in errors, errors
    assert fragment in errors[path]


def test_every_problem_is_listed_at_once(kb: KnowledgeBase) -> None:
    doc = make_intake(complaint={"regions": ["calves"], "side": "up"}, findings=["sore"])
    assert {"complaint.regions[0]", "complaint.side", "findings[0]"} <= set(problems(kb, doc))


def test_missing_sections_are_required(kb: KnowledgeBase) -> None:
    doc = make_intake()
    del doc["complaint"]
    assert problems(kb, doc) == {"complaint": "required"}


def test_a_non_mapping_is_refused(kb: KnowledgeBase) -> None:
    assert "(document)" in problems(kb, ["not", "a", "mapping"])


def test_age_is_computed_from_birth_date_against_today(kb: KnowledgeBase) -> None:
    doc = make_intake(patient={"age": None, "birth_date": "1959-03-14"})
    assert parse_intake(doc, kb, TODAY).age == 67
    assert parse_intake(doc, kb, dt.date(2026, 3, 13)).age == 66


def test_lab_units_are_converted(kb: KnowledgeBase) -> None:
    doc = make_intake(
        history={
            "labs": [
                {"test": "magnesium", "value": 1.46, "unit": "mg/dL"},
                {"loinc": "2823-3", "value": 3.1, "unit": "mEq/L"},
            ]
        }
    )
    labs = {test: value for test, value, _ in parse_intake(doc, kb, TODAY).labs}
    assert labs["magnesium"] == pytest.approx(0.6, abs=0.01)
    assert labs["potassium"] == pytest.approx(3.1)
