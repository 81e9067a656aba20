"""Prescribing paths the shipped knowledge base rarely or never reaches, on small made-up
knowledge bases: deferral by a caution alone, midline points, points unreachable lying down,
which points the 20-needle cap drops, and a ceiling lowered by a caution."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from crampcare.core.contract import PointOut
from crampcare.core.prescribing import fit_needle_count, needles
from crampcare.kb.loader import KnowledgeBase, default_data_dir, load_kb
from tests.factories import codes, run

Edit = Callable[[Path], None]


def _edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@pytest.fixture
def made_up_kb(tmp_path: Path) -> Callable[[Edit], KnowledgeBase]:
    def build(edit: Edit) -> KnowledgeBase:
        data = tmp_path / "data"
        shutil.copytree(default_data_dir(), data)
        edit(data)
        return load_kb(data)

    return build


def _add_caution(data: Path, caution: dict[str, Any]) -> None:
    _edit_yaml(data / "cautions.yaml", lambda cautions: cautions.append(caution))


def _caution(cid: str, effects: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": cid,
        "name": cid.replace("_", " ").capitalize(),
        "when": {"needle_phobia": True},
        "summary": "A made-up caution for the test.",
        "effects": effects,
        "sources": ["crampcare_decisions"],
        "verification": "expert_opinion",
    }


def test_a_caution_alone_defers_needling(made_up_kb: Callable[[Edit], KnowledgeBase]) -> None:
    defer = _caution("defer_test", {"needling_not_allowed": True})
    kb = made_up_kb(lambda d: _add_caution(d, defer))
    result = run(kb, history={"needle_phobia": True})
    assert result["referral"]["urgency"] in ("none", "routine")  # no red flag is behind it
    assert not result["needling"]["allowed"]
    assert result["points"] == []
    assert result["session"]["deferred"] and result["session"]["needle_count"]["planned"] == 0
    assert not run(kb)["session"]["deferred"]


def test_a_caution_lowers_the_needle_ceiling_and_says_so(
    made_up_kb: Callable[[Edit], KnowledgeBase],
) -> None:
    kb = made_up_kb(lambda d: _add_caution(d, _caution("child_test", {"needle_count_max": 4})))
    result = run(
        kb, history={"needle_phobia": True}, complaint={"regions": ["low_back"], "side": "both"}
    )
    needle = result["session"]["needle_count"]
    assert needle["max"] == 4 and needle["min"] == 4
    assert needle["planned"] <= 4
    assert "At most 4 needles: child test" in result["session"]["note"]
    locals_ = [p for p in result["points"] if p["role"] == "local"]
    assert locals_ and all(p["role"] == "local" for p in result["points"])


def test_midline_points_are_one_needle_on_the_midline(kb: KnowledgeBase) -> None:
    for side in ("left", "right", "both", "midline"):
        result = run(kb, complaint={"regions": ["low_back"], "side": side})
        gv3 = next(p for p in result["points"] if p["code"] == "GV3")
        assert gv3["side"] == "midline"
        assert needles(gv3) == 1
    assert needles({**gv3, "side": "both"}) == 2
    assert needles({**gv3, "side": "left"}) == 1


def test_points_unreachable_lying_down_are_avoided_with_the_reason(
    made_up_kb: Callable[[Edit], KnowledgeBase],
) -> None:
    def seated_only(data: Path) -> None:
        def change(points: list[dict[str, Any]]) -> None:
            for p in points:
                if p["code"] == "GB20":
                    p["positions"] = ["seated"]

        _edit_yaml(data / "points.yaml", change)

    kb = made_up_kb(seated_only)
    lying = run(kb, history={"first_acupuncture": True}, complaint={"regions": ["head"]})
    assert "GB20" not in codes(lying)
    reason = next(a["reason"] for a in lying["avoid_points"] if a["code"] == "GB20")
    assert reason.startswith("Cannot be reached in the positions allowed")
    assert "seated" not in lying["session"]["positions"]
    assert "GB20" in codes(run(kb, complaint={"regions": ["head"]}))


def _point(code: str, role: str, side: str = "both") -> PointOut:
    return {
        "code": code,
        "name": code,
        "side": side,
        "role": role,
        "region": None,  # type: ignore[typeddict-item]
        "because": [],
        "cautions": [],
        "certainty": "traditional",
        "positions": ["supine"],
        "sources": [],
    }


# the cap,  points offered (code, role) in order,                   kept after the cap
CAP_TABLE: list[tuple[str, int, list[tuple[str, str]], list[str]]] = [
    (
        "under the cap keeps all",
        20,
        [("L1", "local"), ("D1", "distal"), ("P1", "pattern")],
        ["L1", "D1", "P1"],
    ),
    (
        "pattern points go first, last offered first",
        6,
        [("L1", "local"), ("D1", "distal"), ("P1", "pattern"), ("P2", "pattern")],
        ["L1", "D1", "P1"],
    ),
    (
        "then distal points, last offered first",
        4,
        [("L1", "local"), ("D1", "distal"), ("D2", "distal"), ("P1", "pattern")],
        ["L1", "D1"],
    ),
    (
        "local points are kept",
        4,
        [("L1", "local"), ("L2", "local"), ("D1", "distal"), ("P1", "pattern")],
        ["L1", "L2"],
    ),
]


@pytest.mark.parametrize(
    ("cap", "offered", "kept"), [r[1:] for r in CAP_TABLE], ids=[r[0] for r in CAP_TABLE]
)
def test_which_points_the_cap_drops(
    cap: int, offered: list[tuple[str, str]], kept: list[str]
) -> None:
    points = [_point(code, role) for code, role in offered]
    assert [p["code"] for p in fit_needle_count(points, cap)] == kept


def test_the_twenty_needle_cap_holds_on_a_crowded_plan(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        complaint={"regions": [r.id for r in kb.vocab.regions], "side": "both"},
        findings=["trigger_points"],
    )
    planned = result["session"]["needle_count"]["planned"]
    assert planned <= 20
    assert all(p["role"] == "local" for p in result["points"])


def test_the_shortfall_note_names_the_points_and_the_cautions_behind_them(
    kb: KnowledgeBase,
) -> None:
    from crampcare.core.planning import shortfall_note
    from crampcare.core.safety import Effects

    pregnancy = kb.cautions["pregnancy_first_trimester"]
    effects = Effects(avoid_point_cautions={"lumbosacral": [pregnancy]})
    avoided = [{"code": "BL23", "reason": "", "sources": []}]
    note = shortfall_note(2, 5, effects, avoided)  # type: ignore[arg-type]
    assert note.startswith("Only 2 needle(s) planned, fewer than the usual 5")
    assert "1 point(s) were left out (BL23)" in note and "pregnancy, first trimester" in note
    assert "pregnancy, first trimester" in shortfall_note(2, 5, effects)
    assert "no further point" in shortfall_note(2, 5, Effects())
    assert shortfall_note(5, 5, effects) == ""
