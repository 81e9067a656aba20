"""Outcomes of a course: baseline, weekly frequency, responders, pain change, review prompt.

Tables a clinician can read. The first session is on FIRST (a Monday); diaries are written as a
string of one character a day: a digit is that day's cramps, ``.`` a day not logged."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcare.core.outcomes import DiaryDay, SessionPoint, outcomes
from crampcare.core.review import review_prompt, worsening

EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300"))
FIRST = dt.date(2026, 3, 2)


def day(offset: int) -> dt.date:
    return FIRST + dt.timedelta(days=offset)


def diary(start: int, days: str) -> list[DiaryDay]:
    """Diary days from FIRST + start: '10.2' = 1 cramp, 0 cramps, not logged, 2 cramps."""
    return [DiaryDay(day(start + i), int(c)) for i, c in enumerate(days) if c != "."]


def run(
    before: str = "",
    after: str = "",
    intake: float | None = None,
    sessions: list[SessionPoint] | None = None,
    today: int | None = None,
) -> dict[str, Any]:
    """``before`` ends the day before FIRST; ``after`` starts on FIRST; today is the last day."""
    entries = diary(-len(before), before) + diary(0, after)
    points = [SessionPoint(FIRST)] if sessions is None else sessions
    return outcomes(entries, points, intake, day(len(after) - 1 if today is None else today))


WEEK = "1111111"  # 7 cramps in 7 logged days: 7 a week


@pytest.mark.parametrize(
    ("before", "intake", "source", "frequency", "days"),
    [
        pytest.param(WEEK * 2, 3, "diary", 7.0, 14, id="14 diary days: diary wins over intake"),
        pytest.param("1000000", 3, "diary", 1.0, 7, id="exactly 7 diary days: diary"),
        pytest.param("10000", 3, "intake", 3.0, 0, id="5 diary days: falls back to intake"),
        pytest.param("10000", None, "none", None, 0, id="5 diary days, no intake: none"),
        pytest.param("", 2.5, "intake", 2.5, 0, id="no diary: intake"),
        pytest.param("", None, "none", None, 0, id="no diary, no intake: none"),
        pytest.param(
            "1111111" + "." * 28, 3, "intake", 3.0, 0, id="diary older than 28 days: intake"
        ),
        pytest.param("1.1.1.1.1.1.1.", None, "diary", 7.0, 7, id="every other day: 7 of 14"),
    ],
)
def test_baseline(
    before: str, intake: float | None, source: str, frequency: float | None, days: int
) -> None:
    baseline = run(before, WEEK, intake)["baseline"]
    assert (baseline["source"], baseline["weekly_frequency"], baseline["days"]) == (
        source,
        frequency,
        days,
    )
    if source == "diary":
        assert baseline["from"] is not None and baseline["to"] == day(-1 - (before[-1] == "."))
    else:
        assert baseline["from"] is None and baseline["to"] is None


def test_a_short_diary_baseline_says_why_it_was_not_used() -> None:
    result = run("10000", WEEK, 3)
    assert "5 days" in result["baseline"]["note"] and "at least 7" in result["baseline"]["note"]
    assert any("baseline diary" in m for m in result["missing"])


# baseline 4 a week (4 cramps in 7 days); current = the 14 days from FIRST
@pytest.mark.parametrize(
    ("cramps_in_14_days", "current", "change", "r25", "r50"),
    [
        pytest.param(8, 4.0, 0.0, False, False, id="unchanged"),
        pytest.param(7, 3.5, -12.5, False, False, id="12.5 % fewer: no responder"),
        pytest.param(6, 3.0, -25.0, True, False, id="exactly 25 % fewer: responder 25"),
        pytest.param(5, 2.5, -37.5, True, False, id="37.5 % fewer: responder 25 only"),
        pytest.param(4, 2.0, -50.0, True, True, id="exactly 50 % fewer: both"),
        pytest.param(0, 0.0, -100.0, True, True, id="no cramps now: both"),
        pytest.param(12, 6.0, 50.0, False, False, id="50 % more: worse, no responder"),
    ],
)
def test_responders(
    cramps_in_14_days: int, current: float, change: float, r25: bool, r50: bool
) -> None:
    after = "1" * cramps_in_14_days + "0" * (14 - cramps_in_14_days)
    result = run("1111000", after)
    assert result["baseline"]["weekly_frequency"] == 4.0
    assert result["current_weekly_frequency"] == current
    assert (result["change_percent"], result["responder_25"], result["responder_50"]) == (
        change,
        r25,
        r50,
    )


def test_exactly_25_percent_below_a_decimal_intake_baseline() -> None:
    # intake 2.8 a week; 3 cramps in 10 logged days = 2.1 a week, exactly 25 % fewer
    result = run("", "1110000000....", intake=2.8)
    assert result["baseline"]["source"] == "intake"
    assert (result["current_weekly_frequency"], result["change_percent"]) == (2.1, -25.0)
    assert (result["responder_25"], result["responder_50"]) == (True, False)


def test_current_frequency_is_the_last_14_days_only() -> None:
    result = run("1111000", "1" * 14 + "0" * 14)  # 28 days: the last 14 without cramps
    assert result["current_weekly_frequency"] == 0.0
    assert "14 days" in result["current_from"]


@pytest.mark.parametrize(
    ("after", "current", "missing"),
    [
        pytest.param("000000", None, "6 days logged", id="6 days since the first session: none"),
        pytest.param("0000000", 0.0, None, id="7 days: counted"),
        pytest.param("0.0.0.0.0.0.0", 0.0, None, id="7 logged in 13: counted"),
        pytest.param("0" * 6 + "." * 8, None, "6 days logged", id="6 logged in 14: none"),
    ],
)
def test_current_needs_seven_logged_days(
    after: str, current: float | None, missing: str | None
) -> None:
    result = run(WEEK * 2, after)
    assert result["current_weekly_frequency"] == current
    assert (result["change_percent"] is None) is (current is None)
    if missing:
        assert any(missing in m and "current" in m for m in result["missing"])


def test_zero_baseline_has_no_percentage_and_says_so() -> None:
    result = run("0000000", "1000000" * 2)
    assert result["baseline"]["weekly_frequency"] == 0.0
    assert result["current_weekly_frequency"] == 1.0
    assert (result["change_percent"], result["responder_25"], result["responder_50"]) == (
        None,
        None,
        None,
    )
    assert any("no cramps at baseline" in m and "1.0 a week" in m for m in result["missing"])


@pytest.mark.parametrize(
    ("days", "cramps", "frequency", "note"),
    [
        pytest.param("2200000", 4, 4.0, "from 7 days", id="7 days, 4 cramps: 4 a week"),
        pytest.param("2....00", 2, 4.67, "from 3 days", id="3 days, 2 cramps: 2*7/3"),
        pytest.param("2.....0", 2, None, "only 2 days", id="2 days: too few for a frequency"),
        pytest.param(".......", None, None, "no diary entries", id="no entries: nothing"),
    ],
)
def test_weekly_frequency_is_per_logged_day(
    days: str, cramps: int | None, frequency: float | None, note: str
) -> None:
    week = run(WEEK, "0000000" + days + "0000000")["weeks"]
    second = next(w for w in week if w["week"] == 2)
    assert (second["cramps"], second["frequency"]) == (cramps, frequency)
    assert note in second["note"]
    assert second["days_logged"] == len(days) - days.count(".")


def test_missing_weeks_are_listed_and_said() -> None:
    result = run(WEEK, "0000000" + "." * 7 + "0000000" + "0......" + "0000000")
    weeks = {w["week"]: w for w in result["weeks"]}
    assert sorted(weeks) == [0, 1, 2, 3, 4, 5]
    assert weeks[2]["days_logged"] == 0 and weeks[2]["cramps"] is None
    assert any("weeks 2, 4" in m for m in result["missing"])


def test_weeks_start_on_the_first_session_and_count_sessions() -> None:
    sessions = [SessionPoint(day(d)) for d in (0, 3, 7, 21, 23, 25)]
    result = run(WEEK, "0" * 28, sessions=sessions)
    counts = [(w["week"], w["start"], w["sessions"]) for w in result["weeks"]]
    assert counts == [
        (0, day(-7), 0),
        (1, day(0), 2),
        (2, day(7), 1),
        (3, day(14), 0),
        (4, day(21), 3),
    ]


def test_a_week_in_progress_says_so_and_is_not_missing() -> None:
    result = run(WEEK, "0000000" + "00")
    last = result["weeks"][-1]
    assert last["week"] == 2 and "in progress: 2 days so far" in last["note"]
    assert not any("week" in m and "frequency" in m for m in result["missing"])


def test_severity_and_sleep_of_a_week() -> None:
    entries = [
        DiaryDay(day(0), 1, worst_severity=4, sleep_disturbance=2, typical_duration_minutes=3),
        DiaryDay(day(1), 2, worst_severity=7, sleep_disturbance=5),
        DiaryDay(day(2), 0),
    ]
    week = outcomes(entries, [SessionPoint(FIRST)], None, day(6))["weeks"][0]
    assert (week["worst_severity"], week["sleep_disturbance"]) == (7, 3.5)
    assert week["typical_duration_minutes"] == 3.0


def test_no_session_yet() -> None:
    result = run(WEEK * 2, sessions=[], today=-1)
    assert result["weeks"] == [] and result["current_weekly_frequency"] is None
    assert result["baseline"]["source"] == "diary"  # the diary before today
    assert any("no treatment session" in m for m in result["missing"])
    assert result["pain"]["note"] == "no session yet"


# pain NRS: (before first session, before the latest session) -> clinically important, worse
@pytest.mark.parametrize(
    ("baseline", "latest", "change", "percent", "important", "worse"),
    [
        pytest.param(6, 4, -2, -33.3, True, False, id="exactly 2 points down: important"),
        pytest.param(10, 7, -3, -30.0, True, False, id="exactly 30 % down: important"),
        pytest.param(3, 2, -1, -33.3, True, False, id="1 point but 33 % down: important"),
        pytest.param(8, 7, -1, -12.5, False, False, id="1 point, 12.5 %: not important"),
        pytest.param(4, 3, -1, -25.0, False, False, id="1 point, 25 %: not important"),
        pytest.param(5, 5, 0, 0.0, False, False, id="unchanged"),
        pytest.param(4, 6, 2, 50.0, False, True, id="2 points up: worse"),
        pytest.param(8, 9, 1, 12.5, False, False, id="1 point up: not worse"),
        pytest.param(0, 1, 1, None, False, False, id="from 0: no percentage"),
    ],
)
def test_pain_change(
    baseline: int,
    latest: int,
    change: int,
    percent: float | None,
    important: bool,
    worse: bool,
) -> None:
    sessions = [SessionPoint(day(0), baseline, 1), SessionPoint(day(7), latest, 0)]
    pain = run(WEEK, WEEK * 2, sessions=sessions)["pain"]
    assert (pain["baseline"], pain["latest"], pain["change"]) == (baseline, latest, change)
    assert pain["change_percent"] == percent
    assert (pain["clinically_important"], pain["worse"]) == (important, worse)
    assert pain["rule"] == "2 points or 30 %"


@pytest.mark.parametrize(
    ("sessions", "latest", "note"),
    [
        pytest.param([(6, 2)], None, "no later session", id="one session: no latest"),
        pytest.param([(None, 2), (5, 3)], 5, "not recorded", id="first not measured"),
        pytest.param([(6, 2), (5, 3), (None, None)], 5, "", id="latest unmeasured: the one before"),
    ],
)
def test_pain_missing(
    sessions: list[tuple[int | None, int | None]], latest: Any, note: str
) -> None:
    points = [SessionPoint(day(7 * i), b, a) for i, (b, a) in enumerate(sessions)]
    result = run(WEEK, WEEK * 3, sessions=points)
    assert result["pain"]["latest"] == latest
    assert note in result["pain"]["note"]
    assert (result["pain"]["change"] is None) is any("pain change" in m for m in result["missing"])


def test_pain_compares_before_treatment_not_just_after_needling() -> None:
    sessions = [SessionPoint(day(0), 6, 5), SessionPoint(day(7), 6, 1)]
    pain = run(WEEK, WEEK * 2, sessions=sessions)["pain"]
    assert (pain["latest"], pain["clinically_important"]) == (6, False)


def test_sources_name_the_rules() -> None:
    assert {"farrar_2001_pain_nrs", "garrison_2020_magnesium", "sebo_2019_cramp_diary"} <= set(
        run(WEEK, WEEK)["sources"]
    )


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="cramps"):
        DiaryDay(FIRST, -1)
    with pytest.raises(ValueError, match="episodes_per_week"):
        outcomes([], [], -1, FIRST)


# --- review prompt ---------------------------------------------------------------------------


def state(done: int, in_progress: int | None = None, reviews: tuple[int, ...] = (4, 8)) -> Any:
    taken = done + (1 if in_progress else 0)
    return {
        "review_at": list(reviews),
        "done": done,
        "in_progress": in_progress,
        "next": {"number": taken + 1, "review": taken + 1 in reviews} if taken < 12 else None,
    }


@pytest.mark.parametrize(
    ("done", "in_progress", "decided", "due", "number"),
    [
        pytest.param(2, None, (), False, 4, id="session 3 next: review at 4 ahead"),
        pytest.param(3, None, (), True, 4, id="session 4 next: review due"),
        pytest.param(3, 4, (), True, 4, id="session 4 in progress: review due"),
        pytest.param(4, None, (), True, 4, id="session 4 done, undecided: still due"),
        pytest.param(4, None, ("session:4",), False, 8, id="decided at 4: next review at 8"),
        pytest.param(7, None, ("session:4",), True, 8, id="session 8 next: due"),
        pytest.param(7, None, (), True, 8, id="4 never decided: only the latest review asks"),
        pytest.param(12, None, ("session:8",), False, None, id="course done: no review left"),
    ],
)
def test_review_at_the_plan_sessions(
    done: int, in_progress: int | None, decided: tuple[str, ...], due: bool, number: int | None
) -> None:
    prompt = review_prompt(state(done, in_progress), run(WEEK, WEEK), decided)
    assert prompt is not None
    assert (prompt["due"], prompt["session_number"]) == (due, number)
    assert prompt["question"] == "Improving: continue. Not improving: reassess or refer."
    if due:
        assert prompt["key"] == f"session:{number}" and prompt["reason"] == "review_session"


def test_no_course_no_prompt() -> None:
    assert review_prompt(None, run(WEEK, WEEK)) is None


# baseline 2 a week (2 cramps in 7 days); each string is one treatment week of 7 logged days
@pytest.mark.parametrize(
    ("weeks", "flagged"),
    [
        pytest.param(["3000000", "3000000"], 2, id="2 weeks at exactly +50 %: worsening"),
        pytest.param(["2000000", "3000000"], None, id="only the last week up: no"),
        pytest.param(["3000000", "3000000", "2000000"], None, id="back to baseline: no"),
        pytest.param(["3000000", ".......", "3000000"], None, id="not consecutive: no"),
        pytest.param(["3000000", "2100000", "4000000"], 3, id="weeks 2 and 3 up: week 3"),
        pytest.param(["3000000", "3......"], None, id="latest week too short: no"),
    ],
)
def test_worsening(weeks: list[str], flagged: int | None) -> None:
    result = run("1100000", "".join(weeks))
    assert worsening(result) == flagged
    prompt = review_prompt(state(1), result)
    assert prompt is not None
    assert (prompt["reason"] == "worsening") is (flagged is not None)
    if flagged:
        assert prompt["key"] == f"worsening:week:{flagged}" and "50 %" in prompt["why"]
        later = review_prompt(state(1), result, {f"worsening:week:{flagged}"})
        assert later is not None and later["due"] is False


def test_zero_baseline_is_never_worsening() -> None:
    assert worsening(run("0000000", "1100000" * 2)) is None


# --- invariants ------------------------------------------------------------------------------

entries = st.lists(
    st.builds(
        DiaryDay,
        date=st.integers(-40, 60).map(day),
        cramps=st.integers(0, 30),
        worst_severity=st.none() | st.integers(0, 10),
    ),
    max_size=80,
)
session_points = st.lists(
    st.builds(
        SessionPoint,
        date=st.integers(0, 60).map(day),
        pain_before=st.none() | st.integers(0, 10),
        pain_after=st.none() | st.integers(0, 10),
    ),
    max_size=12,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    entries,
    session_points,
    st.none() | st.floats(0, 50, allow_nan=False),
    st.integers(0, 70).map(day),
)
def test_invariants(
    diary_days: list[DiaryDay],
    sessions: list[SessionPoint],
    intake: float | None,
    today: dt.date,
) -> None:
    result = outcomes(diary_days, sessions, intake, today)
    if result["responder_50"]:
        assert result["responder_25"]
    change = result["change_percent"]
    base, now = result["baseline"]["weekly_frequency"], result["current_weekly_frequency"]
    if change is not None:
        assert base is not None and now is not None and base > 0
        assert not (change > 0 and now < base) and not (change < 0 and now > base)
        assert not (now > base and change < 0) and not (now < base and change > 0)
        if result["responder_25"]:
            assert change <= -25
        if change < -25.1:
            assert result["responder_25"]
    # no week counts a day twice, and weeks do not overlap
    weeks = result["weeks"]
    for a, b in zip(weeks, weeks[1:], strict=False):
        assert b["week"] == a["week"] + 1 and b["start"] == a["end"] + dt.timedelta(days=1)
    if weeks:
        dates = {
            d.date
            for d in diary_days
            if weeks[0]["start"] <= d.date <= min(today, weeks[-1]["end"])
        }
        assert sum(w["days_logged"] for w in weeks) == len(dates)
        assert all(w["days_logged"] <= 7 for w in weeks)
        assert sum(w["sessions"] for w in weeks) == sum(
            1 for s in sessions if weeks[0]["start"] <= s.date <= today
        )
    for w in weeks:
        if w["frequency"] is not None:
            assert w["days_logged"] >= 3
            assert w["frequency"] == pytest.approx(w["cramps"] * 7 / w["days_logged"], abs=0.01)
    pain = result["pain"]
    if pain["clinically_important"]:
        assert not pain["worse"]
