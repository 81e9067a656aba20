"""The evidence paragraph fits the presentation: presentation -> its own paragraph and sources."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.kb.loader import KnowledgeBase
from tests.factories import run


def complaint(kind: str, *regions: str, **more: Any) -> dict[str, Any]:
    return {"complaint": {"kind": kind, "regions": list(regions), "nocturnal": False, **more}}


# presentation, intake sections, the presentation it is, the paragraph's first words, its sources
TABLE: list[tuple[str, dict[str, Any], str, str, set[str]]] = [
    (
        "night calf cramps at 55",
        {},
        "nocturnal_leg_cramps",
        "Night-time leg cramps:",
        {"acupuncture_cramp_trials", "hawke_2021_nondrug", "garrison_2020_magnesium"},
    ),
    (
        "daytime foot cramps at 24 weeks",
        {"patient": {"pregnant": True, "pregnancy_weeks": 24}, **complaint("cramp", "foot")},
        "pregnancy_leg_cramps",
        "Leg cramps in pregnancy:",
        {"luo_2020_pregnancy_cramps", "who_1999_safety"},
    ),
    (
        "thigh cramps when running",
        complaint("cramp", "thigh", triggers=["exercise"]),
        "exercise_associated_cramps",
        "Cramps with exercise:",
        {"acupuncture_cramp_trials", "hawke_2021_nondrug"},
    ),
    (
        "low back spasm",
        complaint("spasm", "low_back", side="midline"),
        "low_back_spasm",
        "Low back spasm:",
        {"manheimer_2005_low_back_pain", "mu_2020_low_back_pain", "nice_ng59_low_back_pain"},
    ),
    (
        "wry neck that will not turn",
        {**complaint("spasm", "neck"), "findings": ["limited_range_of_motion"]},
        "torticollis",
        "Acute wry neck:",
        {"trinh_2016_neck", "rch_acquired_torticollis"},
    ),
    (
        "tight neck with a tension headache",
        {**complaint("spasm", "neck"), "findings": ["headache"]},
        "neck_tension_headache",
        "Neck tension with tension-type headache:",
        {"linde_2016_tension_headache", "nice_cg150_headaches"},
    ),
    (
        "widespread tender points",
        complaint("tender_points", "upper_back", "shoulder"),
        "fibromyalgia_tender_points",
        "Tender points and fibromyalgia:",
        {"deare_2013_fibromyalgia"},
    ),
    (
        "twitching calf",
        complaint("twitching", "calf"),
        "muscle_twitching",
        "Muscle twitching:",
        {"nice_cks_leg_cramps"},
    ),
]


@pytest.mark.parametrize(
    ("sections", "presentation", "opening", "sources"),
    [r[1:] for r in TABLE],
    ids=[r[0] for r in TABLE],
)
def test_the_evidence_fits_the_presentation(
    kb: KnowledgeBase, sections: dict[str, Any], presentation: str, opening: str, sources: set[str]
) -> None:
    result = run(kb, **sections)
    assert result["conditions"][0]["id"] == presentation
    assert result["evidence"].startswith(opening)
    assert result["evidence"] != kb.plan.evidence_statement
    assert sources <= {s["id"] for s in result["evidence_sources"]}


def test_a_presentation_without_its_own_paragraph_gets_the_general_one(kb: KnowledgeBase) -> None:
    result = run(kb, **complaint("spasm", "forearm"))
    assert result["conditions"][0]["id"] == "arm_hand_spasm"
    assert result["evidence"] == kb.plan.evidence_statement


def test_each_paragraph_belongs_to_one_known_presentation(kb: KnowledgeBase) -> None:
    own = [e.presentation for e in kb.plan.presentation_evidence]
    assert len(own) == len(set(own))
    assert all(kb.conditions[p].kind == "presentation" for p in own)
    assert {r[2] for r in TABLE} == set(own)
    statements = [e.statement for e in kb.plan.presentation_evidence]
    assert len(set(statements)) == len(statements)


def test_the_paragraph_is_shown_even_when_needling_is_deferred(kb: KnowledgeBase) -> None:
    result = run(kb, **complaint("spasm", "low_back", side="midline"), findings=["fever"])
    assert result["needling"]["allowed"] is False
    assert result["evidence"].startswith("Low back spasm:")


def test_night_cramps_in_pregnancy_get_evidence_that_speaks_of_pregnancy(kb: KnowledgeBase) -> None:
    # night calf cramps at 30 weeks fit two presentations; whichever paragraph is shown must
    # speak of pregnancy and cite the pregnancy review
    result = run(kb, patient={"pregnant": True, "pregnancy_weeks": 30})
    assert {"nocturnal_leg_cramps", "pregnancy_leg_cramps"} <= {
        c["id"] for c in result["conditions"]
    }
    assert "pregnancy" in result["evidence"].lower()
    assert "luo_2020_pregnancy_cramps" in {s["id"] for s in result["evidence_sources"]}
