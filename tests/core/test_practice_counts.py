"""The practice view's pure parts that the database feeds: responder status from the days and
cramps counted in a course's two diary windows (``window_responders``, held equal to
``core.outcomes`` on the whole diary), and the facts stored with each plan (``plan_facts``).

A window is written as (days logged, cramps in them): 14 days with 14 cramps is 7 a week."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcare.core.outcomes import DiaryDay, SessionPoint, outcomes
from crampcare.core.practice import (
    NO_POINTS,
    NO_PRESENTATION,
    Counts,
    PlanFacts,
    diary_windows,
    plan_facts,
    window_responders,
)

EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300"))


@pytest.mark.parametrize(
    ("baseline", "current", "intake", "expected"),
    [
        pytest.param((14, 14), (14, 0), None, (True, True), id="7 a week to none: 50 % responder"),
        pytest.param((14, 14), (14, 10), None, (True, False), id="7 to 5 a week: 25 % only"),
        pytest.param((14, 14), (14, 11), None, (False, False), id="7 to 5.5 a week: neither"),
        pytest.param((28, 28), (7, 3), None, (True, True), id="7 to 3 a week from 7 days"),
        pytest.param((14, 14), (6, 0), None, (None, None), id="6 current days: not evaluable"),
        pytest.param((6, 6), (14, 0), None, (None, None), id="6 baseline days, no intake"),
        pytest.param((6, 60), (14, 4), 2, (False, False), id="6 baseline days: intake 2 a week"),
        pytest.param((7, 7), (14, 10), 20, (True, False), id="7 baseline days: diary over intake"),
        pytest.param((14, 0), (14, 0), None, (None, None), id="no cramps at baseline: no %"),
        pytest.param((0, 0), (14, 0), 0, (None, None), id="intake of 0 a week: no %"),
        pytest.param((0, 0), (0, 0), None, (None, None), id="no diary at all"),
    ],
)
def test_responders_from_the_window_counts(
    baseline: tuple[int, int],
    current: tuple[int, int],
    intake: float | None,
    expected: tuple[bool | None, bool | None],
) -> None:
    assert window_responders(Counts(*baseline), Counts(*current), intake) == expected


def test_a_negative_intake_is_refused_as_outcomes_refuses_it() -> None:
    with pytest.raises(ValueError, match="episodes_per_week"):
        window_responders(Counts(), Counts(), -1)


DAY0 = dt.date(2026, 9, 1)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    cramps=st.lists(st.one_of(st.none(), st.integers(0, 6)), max_size=120),
    first=st.integers(0, 60),
    end=st.integers(0, 120),
    intake=st.one_of(st.none(), st.integers(0, 14), st.floats(0, 14, allow_nan=False)),
)
def test_window_counts_as_sql_sums_them_agree_with_the_whole_outcomes(
    cramps: list[int | None], first: int, end: int, intake: float | None
) -> None:
    """What the database does (count the rows and sum the cramps of each window) and then
    ``window_responders`` give the answer ``core.outcomes`` gives from the whole diary."""
    diary = [
        DiaryDay(DAY0 + dt.timedelta(days=i), c) for i, c in enumerate(cramps) if c is not None
    ]
    first_day, until = DAY0 + dt.timedelta(days=first), DAY0 + dt.timedelta(days=end)
    counts = [
        Counts(len(rows), sum(d.cramps for d in rows))
        for rows in (
            [d for d in diary if low <= d.date <= high]
            for low, high in diary_windows(first_day, until)
        )
    ]
    whole = outcomes(diary, [SessionPoint(first_day)], intake, until)
    assert window_responders(*counts, intake) == (whole["responder_25"], whole["responder_50"])


RESULT: dict[str, Any] = {
    "conditions": [{"id": "nocturnal_leg_cramps"}, {"id": "cramp_spasm_unspecified"}],
    "course": {"sessions": {"min": 6, "max": 12}},
}
INTAKE: dict[str, Any] = {"complaint": {"episodes_per_week": 2.8}}
POINTS = [("GB34", "accepted"), ("BL57", "accepted"), ("LR3", "removed"), ("ASHI@calf", "added")]


@pytest.mark.parametrize(
    ("result", "intake", "points", "expected"),
    [
        pytest.param(
            RESULT,
            INTAKE,
            POINTS,
            PlanFacts(
                "cramp_spasm_unspecified + nocturnal_leg_cramps", "ASHI@calf+BL57+GB34", 12, 2.8
            ),
            id="conditions sorted; removed point not in the protocol",
        ),
        pytest.param(
            {},
            {},
            [],
            PlanFacts(NO_PRESENTATION, NO_POINTS, None, None),
            id="nothing recognised, no points, no maximum, no frequency",
        ),
        pytest.param(
            {"conditions": ["nocturnal_leg_cramps"], "course": {"sessions": {"max": "12"}}},
            {"complaint": {"episodes_per_week": True}},
            [("BL57", "removed")],
            PlanFacts(NO_PRESENTATION, NO_POINTS, None, None),
            id="values of the wrong type are not guessed",
        ),
        pytest.param(
            {"course": {"sessions": {"max": 8.5}}},
            {"complaint": {"episodes_per_week": 3}},
            [],
            PlanFacts(NO_PRESENTATION, NO_POINTS, None, 3.0),
            id="a maximum must be a whole number; a frequency may be",
        ),
    ],
)
def test_plan_facts(
    result: dict[str, Any],
    intake: dict[str, Any],
    points: list[tuple[str, str]],
    expected: PlanFacts,
) -> None:
    assert plan_facts(result, intake, points) == expected
