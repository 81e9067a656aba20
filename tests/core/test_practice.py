"""The practice view's arithmetic: responder rates by group, sessions per course, adverse events
per 100 sessions, diary adherence, each with its n and "n is small" below 10.

Tables a clinician can read. A patient is written as a short code: ``R`` responder at 50 %
(and so at 25 %), ``r`` responder at 25 % only, ``N`` not a responder, ``?`` not evaluable
(no baseline or no current diary frequency)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcare.core.outcomes import DiaryDay, SessionPoint, outcomes
from crampcare.core.practice import (
    CSV_HEADER,
    NO_POINTS,
    NO_PRESENTATION,
    SMALL_N,
    PatientSummary,
    adverse_rate,
    csv_rows,
    median,
    practice_metrics,
    presentation_key,
    protocol_key,
    responders,
    responders_by,
    sessions_per_course,
    share,
)

EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300"))
STATUS = {"R": (True, True), "r": (True, False), "N": (False, False), "?": (None, None)}


def patient(
    code: str = "?",
    presentation: str = "nocturnal_leg_cramps",
    protocol: str = "BL57+GB34",
    sessions: int = 6,
    complete: bool = False,
    active: bool = True,
    diary: bool = False,
) -> PatientSummary:
    r25, r50 = STATUS[code]
    return PatientSummary(presentation, protocol, sessions, complete, active, diary, r25, r50)


def patients(codes: str, **kw: Any) -> list[PatientSummary]:
    return [patient(c, **kw) for c in codes]


@pytest.mark.parametrize(
    ("codes", "n", "at_25", "percent_25", "at_50", "percent_50", "not_evaluable"),
    [
        pytest.param("RrN?", 3, 2, 66.7, 1, 33.3, 1, id="not evaluable is left out of n"),
        pytest.param("????", 0, 0, None, 0, None, 4, id="none evaluable: no rate, not 0 %"),
        pytest.param("NNNN", 4, 0, 0.0, 0, 0.0, 0, id="no responder: 0 %"),
        pytest.param("RRRR", 4, 4, 100.0, 4, 100.0, 0, id="all at 50 %: also all at 25 %"),
        pytest.param("rrrrrrrrrr", 10, 10, 100.0, 0, 0.0, 0, id="ten at 25 % only"),
    ],
)
def test_responder_rate_counts_only_the_evaluable(
    codes: str,
    n: int,
    at_25: int,
    percent_25: float | None,
    at_50: int,
    percent_50: float | None,
    not_evaluable: int,
) -> None:
    (row,) = responders_by(patients(codes), lambda s: s.presentation)
    assert (row["patients"], row["n"], row["not_evaluable"]) == (len(codes), n, not_evaluable)
    assert (row["responder_25"]["count"], row["responder_25"]["percent"]) == (at_25, percent_25)
    assert (row["responder_50"]["count"], row["responder_50"]["percent"]) == (at_50, percent_50)


@pytest.mark.parametrize(
    ("n", "small"),
    [
        pytest.param(0, True, id="0: small"),
        pytest.param(9, True, id="9: small"),
        pytest.param(10, False, id="10: not small"),
        pytest.param(250, False, id="250: not small"),
    ],
)
def test_n_below_ten_is_said_to_be_small(n: int, small: bool) -> None:
    assert SMALL_N == 10
    got = share(n // 2, n)
    assert got["small"] is small
    assert ("n is small" in got["note"]) is (small and n > 0)
    assert sessions_per_course([6] * n, "all")["small"] is small
    assert adverse_rate(n, 0, 0)["small"] is small


def test_groups_come_largest_first_then_by_name() -> None:
    summaries = [
        *patients("R", presentation="neck"),
        *patients("NN", presentation="calf"),
        *patients("?", presentation="back"),
    ]
    rows = responders_by(summaries, lambda s: s.presentation)
    assert [(r["group"], r["patients"]) for r in rows] == [("calf", 2), ("back", 1), ("neck", 1)]
    assert rows[1]["note"] == "no patient with a baseline and a current diary frequency"


@pytest.mark.parametrize(
    ("ids", "key"),
    [
        pytest.param(["nocturnal_leg_cramps"], "nocturnal_leg_cramps", id="one presentation"),
        pytest.param(["b", "a", "b"], "a + b", id="sorted, each once"),
        pytest.param([], NO_PRESENTATION, id="none recognised is a group of its own"),
    ],
)
def test_presentation_key(ids: list[str], key: str) -> None:
    assert presentation_key(ids) == key


@pytest.mark.parametrize(
    ("points", "key"),
    [
        pytest.param(["GB34", "BL57", "ASHI@calf"], "ASHI@calf+BL57+GB34", id="sorted"),
        pytest.param(["BL57", "GB34"], "BL57+GB34", id="another order is the same protocol"),
        pytest.param(["GB34", "BL57"], "BL57+GB34", id="... whichever order"),
        pytest.param(["ASHI@calf", "ASHI@thigh"], "ASHI@calf+ASHI@thigh", id="ashi by region"),
        pytest.param([], NO_POINTS, id="no points"),
    ],
)
def test_protocol_key(points: list[str], key: str) -> None:
    assert protocol_key(points) == key


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        pytest.param([12, 6, 8], (3, 8.0, 6, 12), id="odd count: the middle one"),
        pytest.param([6, 12, 8, 10], (4, 9.0, 6, 12), id="even count: mean of the middle two"),
        pytest.param([7], (1, 7.0, 7, 7), id="one course"),
        pytest.param([], (0, None, None, None), id="no course: nothing, not 0"),
    ],
)
def test_sessions_per_course_median_and_range(
    sessions: list[int], expected: tuple[int, float | None, int | None, int | None]
) -> None:
    got = sessions_per_course(sessions, "all")
    assert (got["n"], got["median"], got["min"], got["max"]) == expected


@pytest.mark.parametrize(
    ("sessions", "events", "serious", "per_100", "serious_per_100"),
    [
        pytest.param(200, 3, 1, 1.5, 0.5, id="3 in 200 sessions: 1.5 per 100"),
        pytest.param(3, 1, 0, 33.3, 0.0, id="1 in 3: 33.3 (n small)"),
        pytest.param(100, 0, 0, 0.0, 0.0, id="none: 0 per 100"),
        pytest.param(0, 0, 0, None, None, id="no session: no rate"),
    ],
)
def test_adverse_events_per_100_sessions(
    sessions: int,
    events: int,
    serious: int,
    per_100: float | None,
    serious_per_100: float | None,
) -> None:
    got = adverse_rate(sessions, events, serious)
    assert (got["per_100_sessions"], got["serious_per_100_sessions"]) == (per_100, serious_per_100)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param((10, 1, 2), "serious <= events", id="more serious than all events"),
        pytest.param((-1, 0, 0), "sessions >= 0", id="negative sessions"),
    ],
)
def test_impossible_counts_are_refused(args: tuple[int, int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        adverse_rate(*args)


def test_diary_adherence_counts_only_patients_in_an_active_course() -> None:
    summaries = [
        patient(active=True, diary=True),
        patient(active=True, diary=False),
        patient(active=True, diary=True),
        patient(active=False, diary=True, complete=True),  # finished: not counted
        patient(active=False, diary=False),
    ]
    got = practice_metrics(summaries, 30, 0, 0)["diary_adherence"]
    assert (got["n"], got["count"], got["percent"], got["small"]) == (3, 2, 66.7, True)


def test_complete_courses_have_their_own_sessions_row() -> None:
    summaries = [
        patient(sessions=12, complete=True, active=False),
        patient(sessions=3),
        patient(sessions=5),
    ]
    every, complete = practice_metrics(summaries, 20, 0, 0)["sessions_per_course"]
    assert (every["courses"], every["n"], every["median"]) == ("all", 3, 5.0)
    assert (complete["courses"], complete["n"], complete["median"]) == ("complete", 1, 12.0)


def test_the_csv_rows_carry_n_count_value_and_small_for_every_figure() -> None:
    summaries = [*patients("RN", protocol="BL57"), *patients("?", protocol="GB34")]
    rows = csv_rows(practice_metrics(summaries, 40, 2, 1))
    assert all(tuple(r) == CSV_HEADER for r in rows)
    by = {(r["section"], r["group"], r["measure"][:13]): r for r in rows}
    overall = by[("responders", "all courses", "responder 25 ")]
    assert (overall["n"], overall["count"], overall["value"], overall["small_n"]) == (
        2,
        1,
        50.0,
        "yes",
    )
    unknown = by[("responders by protocol", "GB34", "responder 50 ")]
    assert (unknown["n"], unknown["value"]) == (0, "")
    assert unknown["note"] == "no patient with a baseline and a current diary frequency"
    serious = by[("adverse events", "serious", "per 100 sessi")]
    assert (serious["n"], serious["count"], serious["value"]) == (40, 1, 2.5)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=30))
def test_the_median_lies_within_the_range(values: list[int]) -> None:
    got = sessions_per_course(values, "all")
    if values:
        assert got["min"] is not None and got["max"] is not None and got["median"] is not None
        assert got["min"] <= got["median"] <= got["max"]
        below = sum(1 for v in values if v < got["median"])
        above = sum(1 for v in values if v > got["median"])
        assert below <= len(values) // 2 and above <= len(values) // 2
    else:
        assert median(values) is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from("RrN?"), max_size=40))
def test_a_rate_is_between_0_and_100_and_the_groups_add_up(codes: list[str]) -> None:
    summaries = [patient(c, protocol=f"P{i % 3}") for i, c in enumerate(codes)]
    metrics = practice_metrics(summaries, len(codes), 0, 0)
    overall = metrics["responders"]["overall"]
    by_protocol = metrics["responders"]["by_protocol"]
    assert sum(r["patients"] for r in by_protocol) == overall["patients"] == len(codes)
    assert sum(r["n"] for r in by_protocol) == overall["n"]
    for row in [overall, *by_protocol]:
        for cut in ("responder_25", "responder_50"):
            percent = row[cut]["percent"]
            assert percent is None if row["n"] == 0 else 0 <= percent <= 100
        assert row["responder_50"]["count"] <= row["responder_25"]["count"]


DAY0 = dt.date(2026, 9, 1)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    cramps=st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=0, max_size=160),
    first=st.integers(0, 80),
    gaps=st.lists(st.integers(1, 14), max_size=14),
    end=st.integers(0, 160),
    intake=st.one_of(st.none(), st.integers(0, 14)),
)
def test_responders_read_from_the_windows_agree_with_the_whole_outcomes(
    cramps: list[int | None], first: int, gaps: list[int], end: int, intake: int | None
) -> None:
    """``responders`` reads only the baseline and current windows and one session; the answer
    is the one ``core.outcomes`` gives from the whole diary and every session."""
    diary = [
        DiaryDay(DAY0 + dt.timedelta(days=i), c) for i, c in enumerate(cramps) if c is not None
    ]
    first_day = DAY0 + dt.timedelta(days=first)
    dates = [first_day]
    for gap in gaps:
        dates.append(dates[-1] + dt.timedelta(days=gap))
    sessions = [SessionPoint(d, 5, 3) for d in dates]
    until = DAY0 + dt.timedelta(days=end)
    whole = outcomes(diary, sessions, intake, until)
    expected = (whole["responder_25"], whole["responder_50"])
    assert responders(diary, first_day, intake, until) == expected
