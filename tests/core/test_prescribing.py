"""Point prescription: the seed's mapping is the floor; sides follow the complaint."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.kb.loader import KnowledgeBase
from tests.factories import codes, run

# complaint (sections),                                         expected points (at least)
SEED_MAPPING: list[tuple[str, dict[str, Any], set[str]]] = [
    ("leg (calf) cramps", {"complaint": {"regions": ["calf"]}}, {"GB34", "BL57"}),
    ("thigh cramps", {"complaint": {"regions": ["thigh"]}}, {"GB34"}),
    (
        "low back spasm",
        {
            "complaint": {
                "kind": "spasm",
                "regions": ["low_back"],
                "side": "midline",
                "nocturnal": False,
            }
        },
        {"BL40"},
    ),
    ("arm spasm", {"complaint": {"kind": "spasm", "regions": ["arm"]}}, {"LI10"}),
    ("hand spasm", {"complaint": {"kind": "spasm", "regions": ["hand"]}}, {"LI10"}),
    ("facial spasm", {"complaint": {"kind": "spasm", "regions": ["face"]}}, {"LI4"}),
    ("neck spasm", {"complaint": {"kind": "spasm", "regions": ["neck"]}}, {"LI4"}),
    (
        "headache from neck tension",
        {"complaint": {"kind": "spasm", "regions": ["neck"]}, "findings": ["headache"]},
        {"GB20"},
    ),
    (
        "cramps with Liver Qi stagnation",
        {
            "complaint": {"triggers": ["stress"]},
            "tcm": {"signs": ["irritability", "stress_related"], "pulse": ["wiry"]},
        },
        {"LR3"},
    ),
]


@pytest.mark.parametrize(
    ("sections", "expected"), [r[1:] for r in SEED_MAPPING], ids=[r[0] for r in SEED_MAPPING]
)
def test_seed_mapping(kb: KnowledgeBase, sections: dict[str, Any], expected: set[str]) -> None:
    result = run(kb, **sections)
    assert expected <= codes(result)
    for point in result["points"]:
        assert point["because"] and point["sources"] and point["certainty"]


def test_local_points_follow_the_complaint_side(kb: KnowledgeBase) -> None:
    for side in ("left", "right"):
        result = run(kb, complaint={"regions": ["calf"], "side": side})
        local = [p for p in result["points"] if p["role"] == "local"]
        assert local and all(p["side"] == side for p in local)


def test_both_sides_and_midline_needle_both_sides(kb: KnowledgeBase) -> None:
    for side in ("both", "midline"):
        result = run(kb, complaint={"regions": ["calf"], "side": side})
        assert all(p["side"] == "both" for p in result["points"])


def test_trigger_points_add_ashi_points_by_region(kb: KnowledgeBase) -> None:
    result = run(kb, complaint={"regions": ["calf", "foot"]}, findings=["trigger_points"])
    ashi = [p for p in result["points"] if p["code"] == "ASHI"]
    assert sorted(p["region"] or "" for p in ashi) == ["Calf", "Foot"]
    assert "ASHI" not in codes(run(kb))


def test_planned_needles_match_the_points_and_stay_within_bounds(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        complaint={
            "regions": ["calf", "thigh", "neck", "low_back", "hand", "shoulder"],
            "side": "both",
        },
        findings=["trigger_points"],
    )
    count = sum(2 if p["side"] == "both" else 1 for p in result["points"])
    needle = result["session"]["needle_count"]
    assert needle["planned"] == count <= needle["max"] == 20


def test_positions_cover_every_point_with_the_fewest_changes(kb: KnowledgeBase) -> None:
    result = run(kb, complaint={"regions": ["calf"], "side": "left"})
    positions = result["session"]["positions"]
    assert all(set(p["positions"]) & set(positions) for p in result["points"])
    assert len(positions) <= 2
