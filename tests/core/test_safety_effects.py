"""What the effects of the cautions that hold do to a plan, one effect at a time, with made-up
cautions: positions allowed, lowered ceilings, the needling decision, and how they are named.

These reach the combinations the shipped knowledge base does not hold today (two cautions that
both restrict positions, a caution that sets a ceiling above the plan's), so that removing or
weakening one of these safety paths fails a test (docs/mutation.md)."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.core.assess import _needling
from crampcare.core.contract import RedFlagOut
from crampcare.core.safety import LYING, Effects, names
from crampcare.kb.schema import Caution, Position, Urgency


def caution(name: str, **effects: Any) -> Caution:
    return Caution.model_validate(
        {
            "id": name.lower().replace(" ", "_"),
            "name": name,
            "when": {"pregnant": True},
            "summary": f"{name}, made up for a test.",
            "effects": effects,
            "sources": ["crampcare_decisions"],
            "verification": "expert_opinion",
        }
    )


SIDE_OR_SEATED = caution("Late pregnancy", positions_allowed=["side_lying", "seated"])
SEATED_OR_PRONE = caution("Frozen shoulder", positions_allowed=["seated", "prone"])
LYING_ONLY = caution("Very old age", lying_only=True)
ALL: tuple[Position, ...] = ("prone", "supine", "side_lying", "seated")

# (the cautions that hold, a point's positions, the positions left for it)
POSITION_TABLE = [
    ({}, ALL, list(ALL)),
    ({"lying_only": [LYING_ONLY]}, ALL, ["prone", "supine", "side_lying"]),
    ({"lying_only": [LYING_ONLY]}, ("seated",), []),
    ({"positions_allowed": [SIDE_OR_SEATED]}, ALL, ["side_lying", "seated"]),
    ({"positions_allowed": [SIDE_OR_SEATED]}, ("prone", "supine"), []),
    ({"positions_allowed": [SIDE_OR_SEATED, SEATED_OR_PRONE]}, ALL, ["seated"]),
    ({"positions_allowed": [SIDE_OR_SEATED], "lying_only": [LYING_ONLY]}, ALL, ["side_lying"]),
    (
        {"positions_allowed": [SIDE_OR_SEATED], "lying_only": [LYING_ONLY]},
        ("seated", "prone"),
        [],
    ),
]


@pytest.mark.parametrize(("held", "point", "left"), POSITION_TABLE)
def test_positions_every_caution_allows(
    held: dict[str, list[Caution]], point: tuple[Position, ...], left: list[str]
) -> None:
    assert Effects(**held).allowed_positions(point) == left  # type: ignore[arg-type]


def test_lying_means_prone_supine_or_side_lying() -> None:
    assert set(LYING) == {"prone", "supine", "side_lying"}


# (ceilings the cautions set, the plan's value, the limit used)
LIMIT_TABLE = [
    ([], 20, 20),
    ([10], 20, 10),
    ([10, 5], 20, 5),
    ([5, 10], 20, 5),
    ([30], 20, 20),  # a caution never raises the plan's ceiling
]


@pytest.mark.parametrize(("ceilings", "plan", "used"), LIMIT_TABLE)
def test_the_lowest_ceiling_wins(ceilings: list[int], plan: int, used: int) -> None:
    held = [caution(f"Ceiling {n}", needle_count_max=n) for n in ceilings]
    assert Effects(needle_count_max=held).limit("needle_count_max", plan) == used
    kept = [caution(f"Minutes {n}", retention_max_minutes=n) for n in ceilings]
    assert Effects(retention_max_minutes=kept).limit("retention_max_minutes", plan) == used


def test_cautions_are_named_in_lower_case_separated_by_commas() -> None:
    assert names([LYING_ONLY, SIDE_OR_SEATED]) == "very old age, late pregnancy"
    assert names([]) == ""


def flag(name: str, urgency: str, stops_needling: bool = False) -> RedFlagOut:
    return {  # type: ignore[typeddict-item]
        "id": name.lower().replace(" ", "_"),
        "name": name,
        "urgency": urgency,
        "stops_needling": stops_needling,
        "stops_electroacupuncture": stops_needling,
    }


DEFER = caution("Made-up deferral", needling_not_allowed=True)
OTHER_DEFER = caution("Second deferral", needling_not_allowed=True)

# (referral urgency, cautions that defer, red flags, allowed, the reason given)
NEEDLING_TABLE = [
    (
        "none",
        [],
        [],
        True,
        "No red flag or caution stops needling.",
    ),
    (
        "routine",
        [],
        [flag("Frequent cramps", "routine")],
        True,
        "No red flag or caution stops needling; the 'routine' referral can proceed alongside "
        "treatment.",
    ),
    (
        "soon",
        [],
        [flag("Low platelets", "soon", stops_needling=True), flag("Odd", "soon", True)],
        False,
        "Defer acupuncture until medical assessment: Low platelets, Odd.",
    ),
    (
        "urgent",
        [],
        [flag("Suspected DVT", "urgent")],
        False,
        "A red flag of urgency 'urgent' needs medical assessment first: defer acupuncture until "
        "the referral is answered.",
    ),
    (
        "emergency",
        [],
        [],
        False,
        "A red flag of urgency 'emergency' needs medical assessment first: defer acupuncture "
        "until the referral is answered.",
    ),
    (
        "none",
        [DEFER, OTHER_DEFER],
        [],
        False,
        "Defer acupuncture: made-up deferral, second deferral.",
    ),
    (
        "routine",
        [DEFER],
        [flag("Frequent cramps", "routine")],
        False,
        "Defer acupuncture: made-up deferral.",
    ),
]


@pytest.mark.parametrize(("urgency", "deferring", "flags", "allowed", "reason"), NEEDLING_TABLE)
def test_the_needling_decision(
    urgency: str, deferring: list[Caution], flags: list[RedFlagOut], allowed: bool, reason: str
) -> None:
    decided = _needling(Urgency(urgency), Effects(needling_not_allowed=deferring), flags)
    assert decided == {"allowed": allowed, "reason": reason}


def test_an_allowed_decision_names_the_cautions_that_change_the_plan() -> None:
    held = [{"name": "Anticoagulation"}, {"name": "Very old age"}]
    decided = _needling(Urgency.routine, Effects(), [], held)  # type: ignore[arg-type]
    assert decided == {
        "allowed": True,
        "reason": "No red flag or caution stops needling; the 'routine' referral can proceed "
        "alongside treatment. Needle with cautions that change the plan: anticoagulation; very "
        "old age.",
    }
