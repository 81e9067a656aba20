"""Advice agrees with the needling decision: nothing about needles, and no self-care for an
ordinary cramp, while needling is deferred for a medical assessment."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.kb.loader import KnowledgeBase
from tests.factories import run

CALF_EXERCISE = {"complaint": {"regions": ["calf"], "side": "left", "triggers": ["exercise"]}}

# presentation, intake sections
DEFERRED: list[tuple[str, dict[str, Any]]] = [
    ("possible DVT", {"findings": ["unilateral_calf_swelling"]}),
    ("sudden cold pale limb", {"findings": ["sudden_cold_pale_limb"]}),
    (
        "profoundly low sodium",
        {"history": {"labs": [{"test": "sodium", "value": 118, "unit": "mmol/L"}]}},
    ),
    ("infant", {"patient": {"age": 1}}),
]


@pytest.mark.parametrize(("sections",), [(r[1],) for r in DEFERRED], ids=[r[0] for r in DEFERRED])
def test_deferred_needling_withholds_aftercare_and_self_care(
    kb: KnowledgeBase, sections: dict[str, Any]
) -> None:
    result = run(kb, **CALF_EXERCISE, **sections)
    assert result["needling"]["allowed"] is False
    given = {a["id"] for a in result["advice_details"]}
    withheld = {a.id for a in kb.advice.values() if a.after_needling or a.self_care}
    assert {"stretching", "hydration", "aftercare"} <= withheld
    assert not given & withheld
    assert "cramp_diary" in given  # what stays safe is still given
    assert result["session"]["deferred"] is True
    assert result["course"]["starts"] == "after_medical_clearance"


def test_the_same_patient_cleared_gets_self_care_and_aftercare(kb: KnowledgeBase) -> None:
    given = {a["id"] for a in run(kb, **CALF_EXERCISE)["advice_details"]}
    assert {"stretching", "hydration", "aftercare"} <= given


def test_the_needling_reason_names_every_caution_that_changes_the_plan(kb: KnowledgeBase) -> None:
    result = run(kb, history={"medications": ["warfarin"], "devices": ["pacemaker"]})
    assert result["needling"]["allowed"] is True
    reason = result["needling"]["reason"]
    assert "cautions that change the plan" in reason
    for caution in result["cautions"]:
        assert caution["name"].lower() in reason
    assert "cautions" not in run(kb)["needling"]["reason"]
