"""Cautions as a table: presentation -> caution, and what it changes in the prescription."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.core.contract import Assessment
from crampcare.kb.loader import KnowledgeBase
from tests.core.test_age import AGE_CAUTIONS
from tests.factories import caution_ids, codes, run

PREGNANT = {"patient": {"pregnant": True, "pregnancy_weeks": 28}}
NECK_AND_HAND = {"complaint": {"regions": ["neck", "hand"], "side": "both"}}


def no_pregnancy_points(result: Assessment) -> bool:
    return not codes(result) & {"LI4", "SP6", "BL60", "BL67", "GB21"} and bool(
        {"LI4", "GB21"} & {a["code"] for a in result["avoid_points"]}
    )


def no_electro(result: Assessment) -> bool:
    return result["electroacupuncture"]["allowed"] is False and result["session"][
        "stimulation"
    ] == ["manual"]


def lying_only(result: Assessment) -> bool:
    positions = set(result["session"]["positions"])
    return (
        bool(positions)
        and "seated" not in positions
        and all("seated" not in p["positions"] for p in result["points"])
    )


def bleeding_care(result: Assessment) -> bool:
    notes = {n for p in result["points"] for n in p["cautions"]}
    return any("No pricking" in n for n in notes) and any("Shallow insertion" in n for n in notes)


def site_care(result: Assessment) -> bool:
    local = [p for p in result["points"] if p["role"] == "local"]
    return bool(local) and all(any("Check the skin" in n for n in p["cautions"]) for p in local)


def no_lumbosacral(result: Assessment) -> bool:
    return not codes(result) & {"BL23", "BL25", "BL52", "GV3"} and "BL23" in {
        a["code"] for a in result["avoid_points"]
    }


def side_lying_or_seated(result: Assessment) -> bool:
    positions = set(result["session"]["positions"])
    return bool(positions) and positions <= {"side_lying", "seated"}


def deferred(result: Assessment) -> bool:
    return result["needling"]["allowed"] is False and result["points"] == []


HAMSTRING = {"complaint": {"regions": ["hamstring", "neck"], "side": "left"}}

# presentation, intake sections, caution, what it must change
TABLE: list[tuple[str, dict[str, Any], str, Any]] = [
    (
        "pregnant, 28 weeks, neck and hand",
        {**PREGNANT, **NECK_AND_HAND},
        "pregnancy",
        no_pregnancy_points,
    ),
    (
        "pregnancy coded in the history",
        {
            **NECK_AND_HAND,
            "history": {"conditions": [{"system": "http://snomed.info/sct", "code": "72892002"}]},
        },
        "pregnancy",
        no_pregnancy_points,
    ),
    ("pregnant: no electroacupuncture", PREGNANT, "electroacupuncture_in_pregnancy", no_electro),
    (
        "haemophilia",
        {**HAMSTRING, "history": {"bleeding_disorder": True}},
        "bleeding_disorder",
        bleeding_care,
    ),
    (
        "on warfarin",
        {**HAMSTRING, "history": {"medications": ["Coumadin 5 mg"]}},
        "anticoagulation",
        bleeding_care,
    ),
    (
        "on apixaban by RxNorm code",
        {
            **HAMSTRING,
            "history": {
                "medications": [
                    {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1364430"}
                ]
            },
        },
        "anticoagulation",
        bleeding_care,
    ),
    (
        "platelets 60 x10^3/uL",
        {**HAMSTRING, "history": {"labs": [{"test": "platelets", "value": 60, "unit": "10*3/uL"}]}},
        "low_platelets",
        bleeding_care,
    ),
    (
        "pacemaker",
        {"history": {"devices": ["pacemaker"]}},
        "implanted_electronic_device",
        no_electro,
    ),
    (
        "cochlear implant",
        {"history": {"devices": ["cochlear_implant"]}},
        "implanted_electronic_device",
        no_electro,
    ),
    ("epilepsy", {"history": {"conditions": ["epilepsy"]}}, "epilepsy", no_electro),
    (
        "metal plate at the site",
        {"history": {"devices": ["metal_implant_at_site"]}},
        "metal_implant_at_site",
        no_electro,
    ),
    (
        "first acupuncture",
        {**NECK_AND_HAND, "history": {"first_acupuncture": True}},
        "first_treatment_or_needle_phobia",
        lying_only,
    ),
    (
        "needle phobia",
        {**NECK_AND_HAND, "history": {"needle_phobia": True}},
        "first_treatment_or_needle_phobia",
        lying_only,
    ),
    (
        "skin lesion at the site",
        {"findings": ["skin_lesion_at_site"]},
        "skin_lesion_at_site",
        site_care,
    ),
    ("tumour at the site", {"findings": ["tumour_at_site"]}, "malignancy_at_site", site_care),
    (
        "pregnant, 8 weeks, low back",
        {
            "patient": {"pregnant": True, "pregnancy_weeks": 8},
            "complaint": {"regions": ["low_back"], "side": "both"},
        },
        "pregnancy_first_trimester",
        no_lumbosacral,
    ),
    (
        "pregnant, 20 weeks, low back",
        {
            "patient": {"pregnant": True, "pregnancy_weeks": 20},
            "complaint": {"regions": ["low_back"], "side": "both"},
        },
        "pregnancy_after_first_trimester",
        no_lumbosacral,
    ),
    (
        "pregnant, 30 weeks, calf",
        {"patient": {"pregnant": True, "pregnancy_weeks": 30}},
        "pregnancy_positions",
        side_lying_or_seated,
    ),
    ("chest pain", {"findings": ["chest_pain_or_breathlessness"]}, "medical_emergency", deferred),
]


@pytest.mark.parametrize(
    ("sections", "caution", "changes"), [r[1:] for r in TABLE], ids=[r[0] for r in TABLE]
)
def test_caution_changes_the_plan(
    kb: KnowledgeBase, sections: dict[str, Any], caution: str, changes: Any
) -> None:
    result = run(kb, **sections)
    assert caution in caution_ids(result)
    assert changes(result), result


def test_the_table_covers_every_caution(kb: KnowledgeBase) -> None:
    # the age cautions have their own table (test_age.py)
    assert {row[2] for row in TABLE} | AGE_CAUTIONS == set(kb.cautions)


def test_without_cautions_electroacupuncture_is_allowed(kb: KnowledgeBase) -> None:
    result = run(kb)
    assert result["cautions"] == []
    assert result["electroacupuncture"]["allowed"] is True
    assert result["session"]["stimulation"] == ["manual", "electrical"]


def test_the_same_points_are_suggested_when_not_pregnant(kb: KnowledgeBase) -> None:
    assert {"LI4"} <= codes(run(kb, **NECK_AND_HAND))
