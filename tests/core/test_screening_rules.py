"""Red flags as a table a clinician can read: presentation -> flag, urgency, needling."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.kb.loader import KnowledgeBase
from tests.core.test_symptom_flags import SYMPTOM_FLAGS
from tests.factories import flag_ids, run


def labs(*rows: tuple[str, float, str]) -> dict[str, Any]:
    return {"labs": [{"test": t, "value": v, "unit": u} for t, v, u in rows]}


ULN_CK = {"test": "ck", "value": 2500, "unit": "U/L", "reference_high": 200}

# presentation, intake sections, red flag, urgency, needling allowed
TABLE: list[tuple[str, dict[str, Any], str, str, bool]] = [
    (
        "one swollen calf",
        {"findings": ["unilateral_calf_swelling"]},
        "suspected_dvt",
        "urgent",
        False,
    ),
    (
        "warm, red, tender calf",
        {"findings": ["calf_warmth_redness", "calf_tenderness"]},
        "suspected_dvt",
        "urgent",
        False,
    ),
    (
        "tender calf after a long flight",
        {"findings": ["calf_tenderness", "recent_immobility_or_travel"]},
        "suspected_dvt",
        "urgent",
        False,
    ),
    (
        "tender calf on raloxifene",
        {"findings": ["calf_tenderness"], "history": {"medications": ["Evista 60 mg"]}},
        "calf_signs_on_raloxifene",
        "urgent",
        False,
    ),
    (
        "calf pain on walking, eased by rest",
        {"findings": ["pain_on_walking_relieved_by_rest"]},
        "claudication_or_arterial_disease",
        "soon",
        True,
    ),
    (
        "foot long cold and pale (not sudden)",
        {"findings": ["cold_pale_limb"]},
        "claudication_or_arterial_disease",
        "soon",
        True,
    ),
    (
        "cramps with weakness",
        {"findings": ["muscle_weakness"]},
        "neuromuscular_signs",
        "soon",
        True,
    ),
    ("cramps with wasting", {"findings": ["muscle_wasting"]}, "neuromuscular_signs", "soon", True),
    (
        "cramps with fasciculations",
        {"findings": ["fasciculations"]},
        "neuromuscular_signs",
        "soon",
        True,
    ),
    ("cramps with numbness", {"findings": ["numbness"]}, "neuromuscular_signs", "soon", True),
    (
        "dark urine after a hard session",
        {"findings": ["dark_urine", "severe_muscle_pain_after_exertion"]},
        "suspected_rhabdomyolysis",
        "emergency",
        False,
    ),
    (
        "CK above 40 x the laboratory's upper limit",
        {"history": {"labs": [{**ULN_CK, "value": 9000}]}},
        "suspected_rhabdomyolysis",
        "emergency",
        False,
    ),
    (
        "CK above 10 x the laboratory's upper limit",
        {"history": {"labs": [ULN_CK]}},
        "ck_above_ten_times_uln",
        "urgent",
        False,
    ),
    (
        "weakness on simvastatin",
        {"findings": ["muscle_weakness"], "history": {"medications": ["Zocor 40 mg"]}},
        "statin_muscle_symptoms_with_weakness",
        "soon",
        True,
    ),
    (
        "potassium 3.1 mmol/L",
        {"history": labs(("potassium", 3.1, "mmol/L"))},
        "hypokalaemia",
        "soon",
        True,
    ),
    (
        "potassium 2.3 mEq/L",
        {"history": labs(("potassium", 2.3, "mEq/L"))},
        "severe_hypokalaemia",
        "urgent",
        False,
    ),
    (
        "potassium 5.9 mmol/L",
        {"history": labs(("potassium", 5.9, "mmol/L"))},
        "hyperkalaemia",
        "soon",
        True,
    ),
    (
        "magnesium 1.46 mg/dL (0.60 mmol/L)",
        {"history": labs(("magnesium", 1.46, "mg/dL"))},
        "low_magnesium",
        "soon",
        True,
    ),
    (
        "calcium 8.0 mg/dL (2.0 mmol/L)",
        {"history": labs(("calcium", 8.0, "mg/dL"))},
        "low_calcium",
        "soon",
        True,
    ),
    (
        "sodium 131 mmol/L",
        {"history": labs(("sodium", 131, "mmol/L"))},
        "hyponatraemia",
        "soon",
        True,
    ),
    (
        "sodium 122 mmol/L",
        {"history": labs(("sodium", 122, "mmol/L"))},
        "profound_hyponatraemia",
        "urgent",
        False,
    ),
    (
        "tingling lips and hand spasm",
        {"findings": ["tetany_or_tingling_lips"]},
        "tetany",
        "urgent",
        False,
    ),
    (
        "hand spasm with calcium 1.8 mmol/L",
        {"findings": ["tetany_or_tingling_lips"], "history": labs(("calcium", 1.8, "mmol/L"))},
        "low_calcium_or_magnesium_with_tetany",
        "emergency",
        False,
    ),
    (
        "tingling lips with magnesium 0.4 mmol/L",
        {"findings": ["tetany_or_tingling_lips"], "history": labs(("magnesium", 0.4, "mmol/L"))},
        "low_calcium_or_magnesium_with_tetany",
        "emergency",
        False,
    ),
    (
        "weakness with CK 6000 U/L and no laboratory range",
        {"findings": ["muscle_weakness"], "history": labs(("ck", 6000, "U/L"))},
        "suspected_rhabdomyolysis",
        "emergency",
        False,
    ),
    (
        "TSH 9.2 mU/L",
        {"history": labs(("tsh", 9.2, "mU/L"))},
        "high_tsh",
        "soon",
        True,
    ),
    (
        "cold intolerance and weight gain",
        {"findings": ["cold_intolerance", "unexplained_weight_gain"]},
        "thyroid_disease_signs",
        "soon",
        True,
    ),
    (
        "four cramps a week, worst 8/10",
        {"complaint": {"episodes_per_week": 4, "worst_severity": 8}},
        "frequent_severe_cramps",
        "routine",
        True,
    ),
    (
        "chest pain or breathlessness",
        {"findings": ["chest_pain_or_breathlessness"]},
        "chest_pain_or_breathlessness",
        "emergency",
        False,
    ),
]


@pytest.mark.parametrize(
    ("sections", "flag", "urgency", "allowed"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_red_flag(
    kb: KnowledgeBase, sections: dict[str, Any], flag: str, urgency: str, allowed: bool
) -> None:
    result = run(kb, **sections)
    hit = next((f for f in result["red_flags"] if f["id"] == flag), None)
    assert hit is not None, flag_ids(result)
    assert hit["urgency"] == urgency
    assert hit["because"] and hit["sources"]
    assert result["needling"]["allowed"] is allowed
    assert result["referral"]["urgency"] == result["red_flags"][0]["urgency"]
    if not allowed:
        assert result["points"] == [] and result["session"]["needle_count"]["planned"] == 0


# the same presentations, just short of the threshold: no flag
NEAR_MISSES: list[tuple[str, dict[str, Any], str]] = [
    ("tender calf alone", {"findings": ["calf_tenderness"]}, "suspected_dvt"),
    ("potassium 3.6", {"history": labs(("potassium", 3.6, "mmol/L"))}, "hypokalaemia"),
    ("sodium 136", {"history": labs(("sodium", 136, "mmol/L"))}, "hyponatraemia"),
    ("magnesium 0.75 mmol/L", {"history": labs(("magnesium", 0.75, "mmol/L"))}, "low_magnesium"),
    (
        "three cramps a week, worst 6/10",
        {"complaint": {"episodes_per_week": 3, "worst_severity": 6}},
        "frequent_severe_cramps",
    ),
    (
        "statin without weakness",
        {"history": {"medications": ["simvastatin"]}},
        "statin_muscle_symptoms_with_weakness",
    ),
    (
        "CK 5 x the upper limit",
        {"history": {"labs": [{**ULN_CK, "value": 1000}]}},
        "ck_above_ten_times_uln",
    ),
    (
        "potassium within the laboratory's own lower range",
        {
            "history": {
                "labs": [
                    {
                        "test": "potassium",
                        "value": 3.4,
                        "unit": "mmol/L",
                        "reference_low": 3.3,
                        "reference_high": 5.1,
                    }
                ]
            }
        },
        "hypokalaemia",
    ),
]


@pytest.mark.parametrize(
    ("sections", "flag"), [r[1:] for r in NEAR_MISSES], ids=[r[0] for r in NEAR_MISSES]
)
def test_no_red_flag_below_the_threshold(
    kb: KnowledgeBase, sections: dict[str, Any], flag: str
) -> None:
    assert flag not in flag_ids(run(kb, **sections))


def test_the_table_covers_every_red_flag(kb: KnowledgeBase) -> None:
    # symptoms that stop needling have their own table (test_symptom_flags.py)
    # laboratory tiers have their own table (test_lab_tiers.py); the rows here that name a tier
    # (hypokalaemia, high_tsh, ...) check that the tier reaches the red flag list
    tiers = {t.id for lab in kb.vocab.labs for t in lab.tiers}
    named = {row[2] for row in TABLE} | SYMPTOM_FLAGS
    assert named - tiers == set(kb.red_flags)


def test_a_plain_presentation_has_no_red_flag(kb: KnowledgeBase) -> None:
    result = run(kb)
    assert result["red_flags"] == []
    assert result["referral"]["urgency"] == "none"
    assert result["needling"]["allowed"] is True


def test_a_cramp_medication_asks_for_a_routine_review(kb: KnowledgeBase) -> None:
    result = run(kb, history={"medications": ["Lasix 40mg"]})
    assert result["referral"]["urgency"] == "routine"
    assert any("review" in r.lower() for r in result["referral"]["reasons"])
