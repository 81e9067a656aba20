"""The session plan from its parts: the fewest positions that reach every point, the notes that
explain a lowered ceiling or a short plan, and why electroacupuncture is off. Made-up points and
cautions reach cases the shipped knowledge base does not hold (three points each reachable in one
position only), so that weakening a rule fails a test (docs/mutation.md)."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.core.contract import AvoidOut, PointOut, RedFlagOut
from crampcare.core.planning import electroacupuncture, positions, session, shortfall_note
from crampcare.core.safety import Effects
from crampcare.kb.loader import KnowledgeBase
from tests.core.test_safety_effects import caution


def point(code: str, *where: str, side: str = "left") -> PointOut:
    return {  # type: ignore[typeddict-item]
        "code": code,
        "side": side,
        "role": "local",
        "positions": list(where),
    }


# (the points with the positions each can be needled in, the positions planned)
POSITIONS_TABLE: list[tuple[list[PointOut], list[str]]] = [
    ([], []),
    ([point("BL57", "prone")], ["prone"]),
    ([point("GB34", "supine", "prone")], ["supine"]),  # a tie goes to the earlier position
    ([point("GB34", "prone", "supine")], ["supine"]),
    ([point("LI4", "seated", "side_lying")], ["seated"]),  # side-lying loses a tie
    ([point("BL57", "prone"), point("ST36", "supine")], ["supine", "prone"]),
    (
        [point("BL57", "prone"), point("ST36", "supine"), point("GB21", "seated")],
        ["supine", "prone", "seated"],
    ),
    (
        [
            point("BL57", "prone"),
            point("ST36", "supine"),
            point("GB21", "seated"),
            point("GB31", "side_lying"),
        ],
        ["supine", "prone", "side_lying", "seated"],
    ),
    # needled on both sides, side-lying costs a turn: prone and supine beat side-lying alone
    (
        [point("GB34", "side_lying", "prone", side="both"), point("ST36", "side_lying", "supine")],
        ["supine", "prone"],
    ),
    # three positions, or side-lying once with a turn: side-lying (counted as two) wins
    (
        [
            point("GB34", "side_lying", "prone", side="both"),
            point("ST36", "side_lying", "supine"),
            point("GB21", "side_lying", "seated"),
        ],
        ["side_lying"],
    ),
    # on one side only, side-lying alone is the fewest
    ([point("GB34", "side_lying", "prone"), point("ST36", "side_lying", "supine")], ["side_lying"]),
]


@pytest.mark.parametrize(("points", "planned"), POSITIONS_TABLE)
def test_the_fewest_positions_that_reach_every_point(
    points: list[PointOut], planned: list[str]
) -> None:
    assert positions(points) == planned


LATE_PREGNANCY = caution("Late pregnancy", positions_allowed=["side_lying", "seated"])
VERY_OLD = caution("Very old age", lying_only=True)
PNEUMOTHORAX = caution("Young child", avoid_point_cautions=["pneumothorax"])


def avoided(*codes: str) -> list[AvoidOut]:
    return [{"code": c, "reason": "made up", "sources": []} for c in codes]


# (planned, usual minimum, the cautions that hold, points left out, the note)
SHORTFALL_TABLE: list[tuple[int, int, dict[str, Any], list[AvoidOut], str]] = [
    (5, 5, {}, [], ""),
    (7, 5, {"lying_only": [VERY_OLD]}, avoided("GB21"), ""),
    (
        3,
        5,
        {},
        [],
        "Only 3 needle(s) planned, fewer than the usual 5: the knowledge base has no further "
        "point for this presentation; add tender points found on palpation if appropriate.",
    ),
    (
        2,
        5,
        {"positions_allowed": [LATE_PREGNANCY], "lying_only": [VERY_OLD]},
        [],
        "Only 2 needle(s) planned, fewer than the usual 5: points are left out because of: late "
        "pregnancy; very old age; no further safe point remains; add tender points found on "
        "palpation if appropriate.",
    ),
    (
        4,
        5,
        {"avoid_point_cautions": {"pneumothorax": [PNEUMOTHORAX]}, "lying_only": [VERY_OLD]},
        avoided("GB21", "BL13"),
        "Only 4 needle(s) planned, fewer than the usual 5: 2 point(s) were left out (GB21, BL13) "
        "because of: young child; very old age (see the points to avoid), and the region has no "
        "further safe point; add tender points found on palpation if appropriate.",
    ),
    (
        1,
        5,
        {},
        avoided("LI4"),
        "Only 1 needle(s) planned, fewer than the usual 5: 1 point(s) were left out (LI4) (see "
        "the points to avoid), and the region has no further safe point; add tender points "
        "found on palpation if appropriate.",
    ),
]


@pytest.mark.parametrize(("planned", "least", "held", "left_out", "note"), SHORTFALL_TABLE)
def test_a_short_plan_says_why(
    planned: int, least: int, held: dict[str, Any], left_out: list[AvoidOut], note: str
) -> None:
    assert shortfall_note(planned, least, Effects(**held), left_out) == note


def test_a_caution_named_twice_is_listed_once() -> None:
    held = Effects(
        avoid_point_cautions={"pneumothorax": [PNEUMOTHORAX], "deep_vessel": [PNEUMOTHORAX]},
        positions_allowed=[PNEUMOTHORAX],
    )
    assert shortfall_note(0, 5, held).count("young child") == 1


def test_a_lowered_ceiling_and_a_turn_are_explained(kb: KnowledgeBase) -> None:
    child = caution("Child", needle_count_max=4, retention_max_minutes=10)
    effects = Effects(needle_count_max=[child], retention_max_minutes=[child])
    points = [point("GB34", "side_lying", side="both"), point("BL57", "side_lying")]
    electro = {"allowed": True, "reason": ""}
    planned = session(points, kb, effects, electro, needling_allowed=True)  # type: ignore[arg-type]
    assert planned["needle_count"] == {"min": 4, "max": 4, "planned": 3}
    assert planned["retention_minutes"] == {"min": 10, "max": 10}
    assert planned["positions"] == ["side_lying"]
    assert planned["stimulation"] == ["manual", "electrical"]
    assert planned["note"] == (
        "At most 4 needles: child. Only 3 needle(s) planned, fewer than the usual 4: the "
        "knowledge base has no further point for this presentation; add tender points found on "
        "palpation if appropriate. Side-lying: turn the patient to reach the points on the other "
        "side."
    )


def test_a_full_session_needs_no_note(kb: KnowledgeBase) -> None:
    points = [point(f"P{i}", "prone", side="both") for i in range(3)]
    electro = {"allowed": False, "reason": ""}
    planned = session(points, kb, Effects(), electro, needling_allowed=True)  # type: ignore[arg-type]
    assert planned["needle_count"] == {"min": 5, "max": 20, "planned": 6}
    assert planned["positions"] == ["prone"]
    assert planned["stimulation"] == ["manual"]
    assert planned["deferred"] is False
    assert planned["note"] == ""


def test_a_short_session_names_the_points_left_out(kb: KnowledgeBase) -> None:
    effects = Effects(avoid_point_cautions={"pneumothorax": [PNEUMOTHORAX]})
    electro = {"allowed": True, "reason": ""}
    planned = session(  # type: ignore[arg-type]
        [point("BL57", "prone")], kb, effects, electro, True, avoided("GB21")
    )
    assert planned["note"] == (
        "Only 1 needle(s) planned, fewer than the usual 5: 1 point(s) were left out (GB21) "
        "because of: young child (see the points to avoid), and the region has no further safe "
        "point; add tender points found on palpation if appropriate."
    )


def test_a_deferred_session_plans_nothing(kb: KnowledgeBase) -> None:
    electro = {"allowed": False, "reason": ""}
    planned = session([point("GB34", "prone")], kb, Effects(), electro, False)  # type: ignore[arg-type]
    assert planned == {
        "positions": [],
        "needle_count": {"min": 5, "max": 20, "planned": 0},
        "retention_minutes": {"min": 15, "max": 30},
        "stimulation": [],
        "deferred": True,
        "note": "Nothing is planned: needling is deferred until medical clearance.",
    }


def stop(name: str) -> RedFlagOut:
    return {"name": name, "stops_electroacupuncture": True}  # type: ignore[typeddict-item]


# (needling allowed, red flags, cautions against electrical stimulation, allowed, reason)
ELECTRO_TABLE: list[tuple[bool, list[RedFlagOut], list[str], bool, str]] = [
    (
        True,
        [],
        [],
        True,
        "No caution against electrical stimulation was found; never pass current across the chest.",
    ),
    (False, [], [], False, "Needling is deferred until the referral is answered."),
    (
        True,
        [stop("Very Low Magnesium"), stop("Tetany")],
        ["Pacemaker"],
        False,
        "No electrical stimulation: very low magnesium, tetany. Use manual stimulation.",
    ),
    (
        True,
        [{"name": "Frequent cramps", "stops_electroacupuncture": False}],  # type: ignore[list-item]
        ["Pacemaker", "Epilepsy"],
        False,
        "No electrical stimulation: pacemaker, epilepsy. Use manual stimulation.",
    ),
]


@pytest.mark.parametrize(("needling", "flags", "against", "allowed", "reason"), ELECTRO_TABLE)
def test_why_electroacupuncture_is_off(
    needling: bool, flags: list[RedFlagOut], against: list[str], allowed: bool, reason: str
) -> None:
    effects = Effects(
        no_electroacupuncture=[caution(n, no_electroacupuncture=True) for n in against]
    )
    assert electroacupuncture(effects, needling, flags) == {"allowed": allowed, "reason": reason}
