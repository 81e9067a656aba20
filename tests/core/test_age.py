"""Age, as a table a clinician can read: age -> the age cautions, the needle and retention
ceilings, electroacupuncture, points over the lung apex, and advice written only for adults."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from crampcare.core.contract import Assessment
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Rule
from tests.factories import TODAY, caution_ids, codes, run

AGE_CAUTIONS = {"infant_or_toddler", "young_child", "child_or_adolescent", "very_old_age"}
ADULT_ONLY_ADVICE = {"what_to_expect", "magnesium_not_helpful", "quinine_caution"}

# neck spasm with a tension headache: GB21 (lung apex beneath) is a local point
NECK = {
    "complaint": {"kind": "spasm", "regions": ["neck"], "side": "both", "nocturnal": True},
    "findings": ["headache"],
}


class Row(NamedTuple):
    who: str
    age: int
    cautions: set[str]
    needling: bool
    needle_max: int
    retention_max: int
    electro: bool
    lung_apex_points: bool  # GB21 suggested (True) or avoided (False)
    lying_only: bool


ROWS: list[Row] = [
    Row("infant of 1", 1, {"infant_or_toddler", "young_child", "child_or_adolescent"},
        False, 5, 10, False, False, True),
    Row("toddler of 2", 2, {"infant_or_toddler", "young_child", "child_or_adolescent"},
        False, 5, 10, False, False, True),
    Row("child of 3", 3, {"young_child", "child_or_adolescent"}, True, 5, 10, False, False, True),
    Row("child of 11", 11, {"young_child", "child_or_adolescent"}, True, 5, 10, False, False, True),
    Row("adolescent of 12", 12, {"child_or_adolescent"}, True, 10, 20, True, True, False),
    Row("adolescent of 17", 17, {"child_or_adolescent"}, True, 10, 20, True, True, False),
    Row("adult of 18", 18, set(), True, 20, 30, True, True, False),
    Row("adult of 79", 79, set(), True, 20, 30, True, True, False),
    Row("very old, 80", 80, {"very_old_age"}, True, 20, 30, True, True, True),
    Row("very old, 95", 95, {"very_old_age"}, True, 20, 30, True, True, True),
]  # fmt: skip


def rule_text(rule: Rule) -> str:
    return rule.model_dump_json(exclude_none=True)


def neck_at(kb: KnowledgeBase, age: int) -> Assessment:
    return run(kb, patient={"age": age}, **NECK)


@pytest.mark.parametrize("row", ROWS, ids=[r.who for r in ROWS])
def test_age_changes_the_plan(kb: KnowledgeBase, row: Row) -> None:
    result = neck_at(kb, row.age)
    assert caution_ids(result) & AGE_CAUTIONS == row.cautions
    assert result["needling"]["allowed"] is row.needling
    session = result["session"]
    assert session["needle_count"]["max"] == row.needle_max
    assert session["retention_minutes"]["max"] == row.retention_max
    assert session["retention_minutes"]["min"] <= row.retention_max
    assert result["electroacupuncture"]["allowed"] is row.electro
    if not row.needling:
        assert result["points"] == [] and session["deferred"] is True
        assert result["course"]["starts"] == "after_medical_clearance"
        return
    planned = session["needle_count"]["planned"]
    assert 0 < planned <= row.needle_max
    assert ("GB21" in codes(result)) is row.lung_apex_points
    avoided = {a["code"] for a in result["avoid_points"]}
    assert ("GB21" in avoided) is not row.lung_apex_points
    if row.lying_only:
        assert "seated" not in session["positions"]
        assert all("seated" not in p["positions"] for p in result["points"])
    if not row.electro:
        assert session["stimulation"] == ["manual"]


@pytest.mark.parametrize("row", ROWS, ids=[r.who for r in ROWS])
def test_no_adult_only_advice_for_a_child(kb: KnowledgeBase, row: Row) -> None:
    # night calf cramps: the magnesium and quinine lines would apply to an adult
    result = run(kb, patient={"age": row.age})
    given = {a["id"] for a in result["advice_details"]}
    if row.age < 18:
        assert not given & ADULT_ONLY_ADVICE
        assert ("what_to_expect_child" in given) is row.needling
    else:
        assert {"magnesium_not_helpful", "quinine_caution", "what_to_expect"} <= given
        assert "what_to_expect_child" not in given


def test_tender_points_are_left_out_in_a_young_child(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        patient={"age": 7},
        complaint={"kind": "spasm", "regions": ["upper_back"], "side": "both"},
        findings=["trigger_points"],
    )
    assert "ASHI" not in codes(result)
    assert "ASHI" in {a["code"] for a in result["avoid_points"]}


def test_age_from_the_birth_date(kb: KnowledgeBase) -> None:
    born = TODAY.replace(year=TODAY.year - 10)
    result = run(kb, patient={"age": None, "birth_date": born.isoformat()}, **NECK)
    assert {"young_child", "child_or_adolescent"} <= caution_ids(result)
    assert result["session"]["needle_count"]["max"] == 5


def test_every_age_caution_is_in_the_table(kb: KnowledgeBase) -> None:
    ages = {c.id for c in kb.cautions.values() if "age_" in rule_text(c.when)}
    assert ages == AGE_CAUTIONS


def test_the_child_ceilings_match_the_child_advice(kb: KnowledgeBase) -> None:
    """The child's what-to-expect line quotes the ceilings; they must not drift apart."""
    text = kb.advice["what_to_expect_child"].text
    child, young = kb.cautions["child_or_adolescent"].effects, kb.cautions["young_child"].effects
    for value in (
        child.needle_count_max,
        child.retention_max_minutes,
        young.needle_count_max,
        young.retention_max_minutes,
    ):
        assert f" {value}" in text
