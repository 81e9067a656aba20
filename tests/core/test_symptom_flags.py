"""Symptoms that stop needling, as a table a clinician can read.

One row per cause: the findings (and age, region) -> the one symptom flag that fires, its
urgency, whether needling and electroacupuncture may go ahead.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from crampcare.core.contract import Assessment
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Rule
from tests.factories import flag_ids, run


class Row(NamedTuple):
    presentation: str
    sections: dict[str, Any]
    flag: str
    urgency: str
    needling: bool
    electro: bool


def neck(age: int = 40, *findings: str) -> dict[str, Any]:
    return {
        "patient": {"age": age},
        "complaint": {"kind": "spasm", "regions": ["neck"], "side": "left", "nocturnal": False},
        "findings": list(findings),
    }


def back(*findings: str) -> dict[str, Any]:
    return {
        "complaint": {"kind": "spasm", "regions": ["low_back"], "side": "midline"},
        "findings": list(findings),
    }


ROWS: list[Row] = [
    Row(
        "calf suddenly cold, pale and numb",
        {"findings": ["sudden_cold_pale_limb"]},
        "acute_limb_ischaemia",
        "emergency",
        False,
        False,
    ),
    Row(
        "foot long cold and pale",
        {"findings": ["cold_pale_limb"]},
        "claudication_or_arterial_disease",
        "soon",
        True,
        True,
    ),
    Row(
        "fever and a stiff neck",
        neck(40, "fever", "neck_stiffness"),
        "suspected_meningitis",
        "emergency",
        False,
        False,
    ),
    Row(
        "fever and a rash that does not blanch",
        {"findings": ["fever", "non_blanching_rash"]},
        "suspected_meningitis",
        "emergency",
        False,
        False,
    ),
    Row(
        "fever, headache and new confusion",
        {"findings": ["fever", "headache", "confusion_or_drowsiness"]},
        "suspected_meningitis",
        "emergency",
        False,
        False,
    ),
    Row(
        "fever and headache alone",
        {"findings": ["fever", "headache"]},
        "fever_with_headache",
        "urgent",
        False,
        False,
    ),
    Row(
        "child of 6 with a wry neck and fever",
        neck(6, "fever", "limited_range_of_motion"),
        "febrile_torticollis_in_child",
        "urgent",
        False,
        False,
    ),
    Row(
        "adolescent of 17 with a wry neck and fever",
        neck(17, "fever"),
        "febrile_torticollis_in_child",
        "urgent",
        False,
        False,
    ),
    Row(
        "adult with neck pain and fever",
        neck(18, "fever"),
        "possible_spinal_infection",
        "urgent",
        False,
        False,
    ),
    Row(
        "low back spasm with fever",
        back("fever"),
        "possible_spinal_infection",
        "urgent",
        False,
        False,
    ),
    Row(
        "low back pain and saddle numbness",
        back("saddle_numbness"),
        "cauda_equina_syndrome",
        "emergency",
        False,
        False,
    ),
    Row(
        "low back pain and new bladder trouble",
        back("new_bladder_or_bowel_problem"),
        "cauda_equina_syndrome",
        "emergency",
        False,
        False,
    ),
    Row(
        "jaw spasm a week after a garden cut",
        {
            "complaint": {"kind": "spasm", "regions": ["jaw"], "side": "both"},
            "findings": ["lockjaw_after_wound"],
        },
        "possible_tetanus",
        "emergency",
        False,
        False,
    ),
    Row(
        "neck twisting after metoclopramide",
        neck(24, "dystonia_after_medicine"),
        "acute_dystonic_reaction",
        "urgent",
        False,
        False,
    ),
    Row(
        "thunderclap headache with a tight neck",
        neck(50, "headache", "thunderclap_headache"),
        "thunderclap_headache",
        "emergency",
        False,
        False,
    ),
    Row(
        "child of 9 with a wry neck after a fall",
        neck(9, "recent_head_or_neck_injury"),
        "neck_injury_in_child",
        "emergency",
        False,
        False,
    ),
    Row(
        "young person of 16 with neck pain after a car accident",
        neck(16, "recent_head_or_neck_injury"),
        "neck_injury",
        "urgent",
        False,
        False,
    ),
]

SYMPTOM_FLAGS = {row.flag for row in ROWS}
DANGER = SYMPTOM_FLAGS - {"claudication_or_arterial_disease"}  # the ones that defer needling


def rule_text(rule: Rule) -> str:
    return rule.model_dump_json(exclude_none=True)


@pytest.mark.parametrize("row", ROWS, ids=[r.presentation for r in ROWS])
def test_symptom_flag(kb: KnowledgeBase, row: Row) -> None:
    result = run(kb, **row.sections)
    hit = next((f for f in result["red_flags"] if f["id"] == row.flag), None)
    assert hit is not None, flag_ids(result)
    assert hit["urgency"] == row.urgency
    assert hit["because"] and hit["sources"]
    assert result["needling"]["allowed"] is row.needling
    assert result["electroacupuncture"]["allowed"] is row.electro
    assert result["referral"]["urgency"] == row.urgency


@pytest.mark.parametrize("row", ROWS, ids=[r.presentation for r in ROWS])
def test_one_symptom_flag_per_presentation(kb: KnowledgeBase, row: Row) -> None:
    """No two symptom flags (two actions) for one presentation."""
    assert flag_ids(run(kb, **row.sections)) & SYMPTOM_FLAGS == {row.flag}


def deferred_everywhere(result: Assessment) -> bool:
    return (
        result["needling"]["allowed"] is False
        and result["points"] == []
        and result["session"]["deferred"] is True
        and result["session"]["needle_count"]["planned"] == 0
        and result["session"]["stimulation"] == []
        and result["electroacupuncture"]["allowed"] is False
        and result["course"]["starts"] == "after_medical_clearance"
    )


URGENT = [r for r in ROWS if r.urgency in ("urgent", "emergency")]


@pytest.mark.parametrize("row", URGENT, ids=[r.presentation for r in URGENT])
def test_an_urgent_or_emergency_flag_never_lets_needling_go_ahead(
    kb: KnowledgeBase, row: Row
) -> None:
    result = run(kb, **row.sections)
    assert deferred_everywhere(result), result["needling"]
    flag = next(f for f in result["red_flags"] if f["id"] == row.flag)
    assert flag["stops_needling"] is True
    after = {a.id for a in kb.advice.values() if a.after_needling}
    assert not after & {a["id"] for a in result["advice_details"]}


NEW_FINDINGS = (
    "sudden_cold_pale_limb",
    "neck_stiffness",
    "confusion_or_drowsiness",
    "non_blanching_rash",
    "saddle_numbness",
    "new_bladder_or_bowel_problem",
    "lockjaw_after_wound",
    "dystonia_after_medicine",
    "thunderclap_headache",
    "recent_head_or_neck_injury",
)


def test_every_flag_on_these_findings_is_in_the_table(kb: KnowledgeBase) -> None:
    """A new flag on a symptom finding without a row here is a flag nobody checked fires."""
    reading = {
        f.id
        for f in kb.red_flags.values()
        if any(f'"finding":"{name}"' in rule_text(f.when) for name in NEW_FINDINGS)
    }
    assert reading <= SYMPTOM_FLAGS
    assert all(name in kb.vocab_names["findings"] for name in NEW_FINDINGS)


# near misses: the same findings short of the cause -> none of the symptom flags
NEAR_MISSES: list[tuple[str, dict[str, Any]]] = [
    ("fever alone, calf cramps", {"findings": ["fever"]}),
    ("headache alone", {"findings": ["headache"]}),
    ("stiff neck without fever", neck(40, "neck_stiffness")),
    ("headache and confusion without fever", {"findings": ["headache", "confusion_or_drowsiness"]}),
    ("new bladder trouble with a neck complaint", neck(40, "new_bladder_or_bowel_problem")),
    ("plain wry neck in a child", neck(6, "limited_range_of_motion")),
    ("long-standing cold pale foot", {"findings": ["cold_pale_limb"]}),
]


@pytest.mark.parametrize("sections", [r[1] for r in NEAR_MISSES], ids=[r[0] for r in NEAR_MISSES])
def test_no_symptom_flag_short_of_the_cause(kb: KnowledgeBase, sections: dict[str, Any]) -> None:
    assert not flag_ids(run(kb, **sections)) & DANGER


# the age boundaries of the age-dependent symptom flags
AGE_EDGES: list[tuple[str, dict[str, Any], str]] = [
    ("wry neck with fever at 17", neck(17, "fever"), "febrile_torticollis_in_child"),
    ("neck pain with fever at 18", neck(18, "fever"), "possible_spinal_infection"),
    ("neck injury at 15", neck(15, "recent_head_or_neck_injury"), "neck_injury_in_child"),
    ("neck injury at 16", neck(16, "recent_head_or_neck_injury"), "neck_injury"),
]


@pytest.mark.parametrize(
    ("sections", "flag"), [r[1:] for r in AGE_EDGES], ids=[r[0] for r in AGE_EDGES]
)
def test_age_edges(kb: KnowledgeBase, sections: dict[str, Any], flag: str) -> None:
    assert flag_ids(run(kb, **sections)) & SYMPTOM_FLAGS == {flag}


def test_fever_and_headache_are_read_by_rules(kb: KnowledgeBase) -> None:
    used = " ".join(rule_text(f.when) for f in kb.red_flags.values())
    assert '"finding":"fever"' in used and '"finding":"headache"' in used
