"""Property-based tests over generated intakes: the never-events never happen."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from crampcare.core.assess import assess
from crampcare.core.contract import Assessment
from crampcare.core.schemas import assessment_schema
from crampcare.kb.loader import KnowledgeBase, load_kb
from tests.factories import TODAY
from tests.strategies import intakes

KB = load_kb()
KB_AGAIN = load_kb()  # a second, independent load: same version, same output
PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pregnancy_points(kb: KnowledgeBase) -> set[str]:
    return {code for code, p in kb.points.items() if any(c.kind == "pregnancy" for c in p.cautions)}


def is_pregnant(result: Assessment) -> bool:
    return "pregnancy" in {c["id"] for c in result["cautions"]}


@PROFILE
@given(intakes(KB))
def test_never_a_pregnancy_avoided_point_for_a_pregnant_patient(doc: dict[str, Any]) -> None:
    result = assess(doc, KB, TODAY)
    if doc["patient"]["pregnant"]:
        assert is_pregnant(result)
    if is_pregnant(result):
        assert not {p["code"] for p in result["points"]} & pregnancy_points(KB)


@PROFILE
@given(intakes(KB))
def test_never_electroacupuncture_with_an_implanted_device(doc: dict[str, Any]) -> None:
    result = assess(doc, KB, TODAY)
    electronic = {d.id for d in KB.vocab.devices if d.electronic}
    if set(doc["history"]["devices"]) & electronic:
        assert result["electroacupuncture"]["allowed"] is False
        assert "electrical" not in result["session"]["stimulation"]


@PROFILE
@given(intakes(KB))
def test_never_needling_with_an_urgent_or_emergency_red_flag(doc: dict[str, Any]) -> None:
    result = assess(doc, KB, TODAY)
    if any(f["urgency"] in ("urgent", "emergency") for f in result["red_flags"]):
        assert result["needling"]["allowed"] is False
        assert result["referral"]["urgency"] in ("urgent", "emergency")
        assert result["points"] == []
        assert result["session"]["needle_count"]["planned"] == 0


@PROFILE
@given(intakes(KB))
def test_every_output_is_within_the_contract(doc: dict[str, Any]) -> None:
    result = assess(doc, KB, TODAY)
    for point in result["points"]:
        assert point["code"] in KB.points
        assert point["side"] in ("left", "right", "both", "midline")
        assert point["because"] and point["sources"]
    if doc["history"]["first_acupuncture"] or doc["history"]["needle_phobia"]:
        assert "seated" not in result["session"]["positions"]
    needles = result["session"]["needle_count"]
    assert 0 <= needles["planned"] <= needles["max"] == 20 and needles["min"] == 5
    retention = result["session"]["retention_minutes"]
    assert (retention["min"], retention["max"]) == (15, 30)
    sessions = result["course"]["sessions"]
    assert 6 <= sessions["min"] <= sessions["max"] <= 12
    for item in (
        *result["red_flags"],
        *result["contributing_factors"],
        *result["cautions"],
        *result["patterns"],
    ):
        assert item["sources"] and item["because" if "because" in item else "matched"]
    for avoided in result["avoid_points"]:
        assert avoided["code"] not in {p["code"] for p in result["points"]}


@PROFILE
@given(intakes(KB))
def test_same_input_same_bytes(doc: dict[str, Any]) -> None:
    first = json.dumps(assess(doc, KB, TODAY), ensure_ascii=False)
    again = json.dumps(assess(json.loads(json.dumps(doc)), KB_AGAIN, TODAY), ensure_ascii=False)
    assert first == again


ASSESSMENT_SCHEMA = Draft202012Validator(assessment_schema())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes(KB))
def test_every_output_validates_against_the_published_schema(doc: dict[str, Any]) -> None:
    ASSESSMENT_SCHEMA.validate(json.loads(json.dumps(assess(doc, KB, TODAY))))
