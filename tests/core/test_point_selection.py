"""Which points are offered and which the needle cap keeps: tender points only where palpation
found them, one entry per point with every reason it was offered, and the least central points
dropped first when a plan is over its ceiling (docs/mutation.md lists the mutants these kill)."""

from __future__ import annotations

import pytest

from crampcare.core.contract import PointOut
from crampcare.core.prescribing import fit_needle_count
from crampcare.kb.loader import KnowledgeBase
from tests.factories import codes, run


def test_each_point_is_offered_once_with_every_reason(kb: KnowledgeBase) -> None:
    by_code = {p["code"]: p for p in run(kb)["points"]}  # nocturnal calf cramps
    assert [p["code"] for p in run(kb)["points"]].count("BL57") == 1
    assert by_code["BL57"]["because"] == [
        "local point for the calf",
        "local point for nocturnal leg cramps",
    ]
    assert by_code["GB34"]["because"] == [
        "distal point for the calf",
        "distal point for nocturnal leg cramps",
    ]


def test_tender_points_only_where_palpation_found_them(kb: KnowledgeBase) -> None:
    low_back = {"kind": "spasm", "regions": ["low_back"], "side": "left"}
    # the low back presentation lists ASHI, but no tender point was found
    assert "ASHI" not in codes(run(kb, complaint=low_back))
    found = run(kb, complaint=low_back, findings=["trigger_points"])
    ashi = [p for p in found["points"] if p["code"] == "ASHI"]
    assert [(p["region"], p["because"]) for p in ashi] == [
        ("Low back", ["tender points found on palpation: low back"])
    ]


def point(code: str, role: str, side: str = "both") -> PointOut:
    return {"code": code, "role": role, "side": side}  # type: ignore[typeddict-item]


# (points in the order offered, needle ceiling, the points kept)
CAP_TABLE = [
    # over the ceiling: the pattern point goes first, wherever it stands in the list
    (
        [point("LR3", "pattern"), point("BL57", "local"), point("GB34", "distal")],
        4,
        ["BL57", "GB34"],
    ),
    # then the distal points, the last offered first
    (
        [point("GB34", "distal"), point("BL57", "local"), point("BL40", "distal")],
        4,
        ["GB34", "BL57"],
    ),
    # local points are kept in the order offered until only one is left
    ([point("BL57", "local"), point("ST36", "local"), point("GB34", "local")], 2, ["BL57"]),
    # the cap never empties the plan
    ([point("BL57", "local")], 1, ["BL57"]),
    # within the ceiling nothing is dropped
    ([point("BL57", "local", "left"), point("GB34", "distal")], 3, ["BL57", "GB34"]),
]


@pytest.mark.parametrize(("points", "ceiling", "kept"), CAP_TABLE)
def test_which_points_the_needle_cap_keeps(
    points: list[PointOut], ceiling: int, kept: list[str]
) -> None:
    assert [p["code"] for p in fit_needle_count(points, ceiling)] == kept


def test_a_complaint_of_tender_points_offers_them_where_they_are(kb: KnowledgeBase) -> None:
    found = run(kb, complaint={"kind": "tender_points", "regions": ["neck"], "side": "left"})
    ashi = [p for p in found["points"] if p["code"] == "ASHI"]
    assert [(p["region"], p["because"]) for p in ashi] == [
        ("Neck", ["complaint of tender points: neck"])
    ]


NO_PRICKING = "No pricking or bloodletting here (anticoagulant or antiplatelet medicine)."
SHALLOW = (
    "Shallow insertion only: a large vessel lies deep to this point (anticoagulant or "
    "antiplatelet medicine)."
)

# (point, on an anticoagulant, the bleeding notes on it): only the points whose own cautions name
# the risk get the note, and only when the bleeding risk is there
BLEEDING_NOTES = [
    ("BL40", True, [NO_PRICKING, SHALLOW]),  # a bloodletting point over the popliteal vessels
    ("BL57", True, [SHALLOW]),  # vessels deep to it, no bloodletting tradition
    ("GB34", True, []),  # neither
    ("BL40", False, []),
    ("BL57", False, []),
]


@pytest.mark.parametrize(("code", "anticoagulated", "notes"), BLEEDING_NOTES)
def test_bleeding_risk_notes_go_on_the_points_they_concern(
    kb: KnowledgeBase, code: str, anticoagulated: bool, notes: list[str]
) -> None:
    meds = ["warfarin 5 mg"] if anticoagulated else []
    found = {p["code"]: p for p in run(kb, history={"medications": meds})["points"]}
    added = [n for n in found[code]["cautions"] if n.startswith(("No pricking", "Shallow"))]
    assert added == notes


SKIN = (
    "Check the skin first: do not needle through the lesion or tumour site (skin lesion at a "
    "needling site)."
)


def test_a_skin_lesion_note_goes_on_local_points_only(kb: KnowledgeBase) -> None:
    neck = {"kind": "spasm", "regions": ["neck"], "side": "left"}
    plain = run(kb, complaint=neck)
    assert not [p for p in plain["points"] if any(n.startswith("Check") for n in p["cautions"])]
    lesion = run(kb, complaint=neck, findings=["skin_lesion_at_site"])
    for p in lesion["points"]:
        assert (SKIN in p["cautions"]) is (p["role"] == "local"), p["code"]
    assert any(p["role"] == "local" for p in lesion["points"])
