"""Outcomes of a course: weekly cramp frequency from the patient's diary against a baseline,
responders, and the change in pain across the sessions (the review prompt built on them is
``core/review.py``).

Pure: the diary days, the session measures, the intake's ``episodes_per_week`` and ``today`` are
passed in. Nothing is read from a clock or a database. Missing data is said in ``missing``, never
guessed. docs/outcomes.md explains each metric with its source and certainty.

Rules (sources in ``RULE_SOURCES``; the Decisions are listed in docs/knowledge-base.md):
- weekly frequency = cramps per 7 days of diary: the days logged, not calendar days (a week of
  3 logged days with 2 cramps is 2 * 7 / 3 = 4.67 a week, "from 3 days"); a week needs at least
  ``MIN_WEEK_DAYS`` logged days for its frequency (Decision);
- weeks are counted from the first session: week 1 starts on its date, week 0 is the 7 days
  before it, and so on; the baseline weeks are the ``BASELINE_WEEKS`` before week 1;
- baseline = the diary days in the ``BASELINE_WEEKS`` weeks before the first session, if at least
  ``BASELINE_MIN_DAYS`` were logged; else the intake's episodes per week; else none (Decision for
  the window; DESIGN.md for the 7 days);
- current = the diary days of the last ``CURRENT_DAYS`` days up to today, from the first session
  on, if at least ``CURRENT_MIN_DAYS`` were logged (Decision);
- responder: current frequency at least 25 % below baseline (Garrison 2020), and separately at
  least 50 % below (Decision: a stricter cut, commonly reported; not from that review);
- pain NRS 0-10: baseline = pain before the first session; latest = pain *before* the latest later
  session (like with like: the pain the patient brings, not the relief just after needling;
  Decision); clinically important = down by at least 2 points or 30 % (Farrar 2001), worse = up
  by as much.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

MIN_WEEK_DAYS = 3  # logged days a week needs for its frequency (Decision)
BASELINE_WEEKS = 4  # the baseline window: the 28 days before the first session (Decision)
BASELINE_MIN_DAYS = 7  # DESIGN.md "Outcomes": at least 7 diary days before the first session
CURRENT_DAYS = 14  # current frequency: the last 14 days of diary (Decision)
CURRENT_MIN_DAYS = 7  # logged days the current frequency needs (Decision)
RESPONDER_PERCENT = 25  # Garrison 2020 (Cochrane, magnesium for cramps)
STRONG_RESPONDER_PERCENT = 50  # Decision
PAIN_POINTS = 2  # Farrar 2001: about 2 points ...
PAIN_PERCENT = 30  # ... or about 30 % on the 0-10 pain NRS

RULE_SOURCES: dict[str, tuple[str, ...]] = {
    "weekly_frequency": ("sebo_2019_cramp_diary", "garrison_2020_magnesium"),
    "baseline": ("garrison_2020_magnesium", "crampcare_decisions"),
    "responder_25": ("garrison_2020_magnesium",),
    "responder_50": ("crampcare_decisions",),
    "pain": ("farrar_2001_pain_nrs",),
    "review": ("crampcare_decisions",),
}
RULE = "2 points or 30 %"

Ratio = tuple[int, int]  # an exact non-negative rate, numerator / denominator (> 0)


@dataclass(frozen=True)
class DiaryDay:
    """One day of the cramp diary (None where the patient left a value out)."""

    date: dt.date
    cramps: int
    worst_severity: int | None = None
    typical_duration_minutes: int | None = None
    sleep_disturbance: int | None = None

    def __post_init__(self) -> None:
        if self.cramps < 0:
            raise ValueError(f"diary {self.date}: cramps must be 0 or more")


@dataclass(frozen=True)
class SessionPoint:
    """One treatment session: its date and the pain NRS (0-10) before and after, if measured."""

    date: dt.date
    pain_before: int | None = None
    pain_after: int | None = None


Baseline = TypedDict(
    "Baseline",
    {
        "weekly_frequency": float | None,
        "source": Literal["diary", "intake", "none"],
        "days": int,
        "from": dt.date | None,  # the first and last diary day of the baseline
        "to": dt.date | None,
        "note": str,
    },
)


class Week(TypedDict):
    week: int
    start: dt.date
    end: dt.date
    days_logged: int
    cramps: int | None
    frequency: float | None
    worst_severity: int | None
    sleep_disturbance: float | None
    typical_duration_minutes: float | None
    sessions: int
    note: str


class Pain(TypedDict):
    baseline: int | None
    latest: int | None
    latest_date: dt.date | None
    change: int | None
    change_percent: float | None
    clinically_important: bool | None
    worse: bool | None
    rule: str
    note: str


def ratio(value: float) -> Ratio:
    """A decimal as entered (2.8 is 2.8, not its binary neighbour), to 3 places."""
    return (round(value * 1000), 1000)


def _float(rate: Ratio, places: int = 2) -> float:
    return round(rate[0] / rate[1], places)


def _per_week(cramps: int, days: int) -> Ratio:
    return (cramps * 7, days)


def window_rate(cramps: int, days: int, min_days: int) -> Ratio | None:
    """Cramps per 7 logged days of a diary window, or None when fewer than ``min_days`` days
    of it were logged."""
    return _per_week(cramps, days) if days >= min_days else None


def baseline_rate(cramps: int, days: int, intake: float | None) -> Ratio | None:
    """The baseline rate from the diary's baseline window (``days`` logged, ``cramps`` in
    them), else the intake's episodes per week, else None."""
    rate = window_rate(cramps, days, BASELINE_MIN_DAYS)
    if rate is None and intake is not None:
        return ratio(intake)
    return rate


def responder_status(
    current: Ratio | None, baseline: Ratio | None
) -> tuple[bool | None, bool | None]:
    """(responder at 25 %, at 50 %): None for both without a current rate, without a baseline
    or with a baseline of no cramps (no percentage of zero)."""
    if current is None or baseline is None or baseline[0] == 0:
        return None, None
    return (
        _down_by(current, baseline, RESPONDER_PERCENT),
        _down_by(current, baseline, STRONG_RESPONDER_PERCENT),
    )


def _down_by(now: Ratio, before: Ratio, percent: int) -> bool:
    """``now`` is at least ``percent`` % below ``before`` (exact)."""
    return 100 * now[0] * before[1] <= (100 - percent) * before[0] * now[1]


def up_by(now: Ratio, before: Ratio, percent: int) -> bool:
    """``now`` is at least ``percent`` % above ``before`` (exact)."""
    return 100 * now[0] * before[1] >= (100 + percent) * before[0] * now[1]


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _by_date(diary: Sequence[DiaryDay]) -> dict[dt.date, DiaryDay]:
    """One entry per date; a date given twice counts once (the last entry given wins)."""
    return {d.date: d for d in diary}


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _week(
    n: int, start: dt.date, days: dict[dt.date, DiaryDay], sessions: list[dt.date], today: dt.date
) -> Week:
    end = start + dt.timedelta(days=6)
    logged = [d for when, d in days.items() if start <= when <= end]
    cramps = sum(d.cramps for d in logged) if logged else None
    counted = len(logged) >= MIN_WEEK_DAYS
    if not logged:
        note = "no diary entries"
    elif not counted:
        note = f"only {_days(len(logged))} logged: a week needs {MIN_WEEK_DAYS} for a frequency"
    else:
        note = f"from {_days(len(logged))}"
    if end > today:
        note += f" (week in progress: {_days((today - start).days + 1)} so far)"
    severities = [d.worst_severity for d in logged if d.worst_severity is not None]
    return {
        "week": n,
        "start": start,
        "end": end,
        "days_logged": len(logged),
        "cramps": cramps,
        "frequency": _float(_per_week(cramps or 0, len(logged))) if counted else None,
        "worst_severity": max(severities) if severities else None,
        "sleep_disturbance": _mean(
            [d.sleep_disturbance for d in logged if d.sleep_disturbance is not None]
        ),
        "typical_duration_minutes": _mean(
            [d.typical_duration_minutes for d in logged if d.typical_duration_minutes is not None]
        ),
        "sessions": sum(1 for s in sessions if start <= s <= end),
        "note": note,
    }


def _baseline(
    days: dict[dt.date, DiaryDay], first: dt.date | None, intake: float | None, today: dt.date
) -> tuple[Baseline, Ratio | None]:
    before = first or today + dt.timedelta(days=1)
    window = [
        d for when, d in days.items() if (before - when).days in range(1, 7 * BASELINE_WEEKS + 1)
    ]
    span = f"the {7 * BASELINE_WEEKS} days before the {'first session' if first else 'today'}"
    rate = baseline_rate(sum(d.cramps for d in window), len(window), intake)
    if rate is not None and len(window) >= BASELINE_MIN_DAYS:
        dates = sorted(d.date for d in window)
        return {
            "weekly_frequency": _float(rate),
            "source": "diary",
            "days": len(window),
            "from": dates[0],
            "to": dates[-1],
            "note": f"cramp diary: {_days(len(window))} logged in {span}",
        }, rate
    short = f"the diary has {_days(len(window))} in {span} (at least {BASELINE_MIN_DAYS} needed)"
    if intake is not None:
        return {
            "weekly_frequency": round(intake, 2),
            "source": "intake",
            "days": 0,
            "from": None,
            "to": None,
            "note": f"the intake's estimate of episodes per week: {short}",
        }, rate
    return {
        "weekly_frequency": None,
        "source": "none",
        "days": 0,
        "from": None,
        "to": None,
        "note": f"no baseline: {short} and the intake gives no episodes per week",
    }, None


def _pain(sessions: list[SessionPoint]) -> Pain:
    out: Pain = {
        "baseline": None,
        "latest": None,
        "latest_date": None,
        "change": None,
        "change_percent": None,
        "clinically_important": None,
        "worse": None,
        "rule": RULE,
        "note": "",
    }
    if not sessions:
        out["note"] = "no session yet"
        return out
    first, later = sessions[0], [s for s in sessions[1:] if s.pain_before is not None]
    out["baseline"] = first.pain_before
    if first.pain_before is None:
        out["note"] = "pain before the first session was not recorded"
    elif not later:
        out["note"] = "no later session recorded pain before treatment"
    if later:
        out["latest"], out["latest_date"] = later[-1].pain_before, later[-1].date
    base, latest = out["baseline"], out["latest"]
    if base is None or latest is None:
        return out
    change = latest - base
    out["change"] = change
    out["change_percent"] = round(100 * change / base, 1) if base else None
    out["clinically_important"] = -change >= PAIN_POINTS or (
        base > 0 and -100 * change >= PAIN_PERCENT * base
    )
    out["worse"] = change >= PAIN_POINTS or (base > 0 and 100 * change >= PAIN_PERCENT * base)
    out["note"] = (
        f"pain before the first session ({first.date}) against pain before the session of "
        f"{out['latest_date']}" + ("; no percentage from a baseline of 0" if base == 0 else "")
    )
    return out


def outcomes(
    diary: Sequence[DiaryDay],
    sessions: Sequence[SessionPoint],
    intake_episodes_per_week: float | None,
    today: dt.date,
) -> dict[str, Any]:
    """The outcomes of a course so far (the shape in docs/outcomes.md). ``sessions`` are the
    course's treatment sessions in any order; diary days and sessions after ``today`` are
    ignored."""
    if intake_episodes_per_week is not None and intake_episodes_per_week < 0:
        raise ValueError("intake episodes_per_week must be 0 or more")
    days = {when: d for when, d in _by_date(diary).items() if when <= today}
    ordered = sorted((s for s in sessions if s.date <= today), key=lambda s: s.date)
    session_dates = [s.date for s in ordered]
    first = session_dates[0] if session_dates else None
    missing: list[str] = []

    baseline, base_rate = _baseline(days, first, intake_episodes_per_week, today)
    if baseline["source"] != "diary":
        missing.append(f"baseline diary: {baseline['note'].split(': ', 1)[-1]}")

    weeks: list[Week] = []
    current: Ratio | None = None
    current_note = f"the last {CURRENT_DAYS} days of diary (from the first session on)"
    if first is None:
        missing.append("no treatment session yet: nothing to compare with the baseline")
    else:
        last = (today - first).days // 7 + 1
        earliest = min(
            (w for w in range(1 - BASELINE_WEEKS, 1) if _any_in_week(days, first, w)), default=1
        )
        weeks = [
            _week(n, first + dt.timedelta(days=7 * (n - 1)), days, session_dates, today)
            for n in range(earliest, last + 1)
        ]
        empty = [
            str(w["week"])
            for w in weeks
            if w["week"] >= 1 and w["frequency"] is None and w["end"] <= today
        ]
        if empty:
            missing.append(
                f"too few diary days for a weekly frequency in week{'s' if len(empty) > 1 else ''}"
                f" {', '.join(empty)} (at least {MIN_WEEK_DAYS} logged days a week)"
            )
        start = max(first, today - dt.timedelta(days=CURRENT_DAYS - 1))
        recent = [d for when, d in days.items() if when >= start]
        current = window_rate(sum(d.cramps for d in recent), len(recent), CURRENT_MIN_DAYS)
        if current is not None:
            current_note += f": {_days(len(recent))} logged from {start}"
        else:
            missing.append(
                f"current frequency: {_days(len(recent))} logged from {start} to {today}"
                f" (at least {CURRENT_MIN_DAYS} needed)"
            )

    change: float | None = None
    r25, r50 = responder_status(current, base_rate)
    if current is not None and base_rate is not None:
        if base_rate[0] == 0:
            missing.append(
                "change: no cramps at baseline, so no percentage change"
                + (f" (now {_float(current)} a week)" if current[0] else "")
            )
        else:
            change = round(
                100
                * (current[0] * base_rate[1] - base_rate[0] * current[1])
                / (base_rate[0] * current[1]),
                1,
            )

    pain = _pain(ordered)
    if pain["change"] is None:
        missing.append(f"pain change: {pain['note']}")

    return {
        "baseline": baseline,
        "weeks": weeks,
        "current_weekly_frequency": _float(current) if current is not None else None,
        "current_from": current_note,
        "change_percent": change,
        "responder_25": r25,
        "responder_50": r50,
        "pain": pain,
        "missing": missing,
        "sources": sorted({s for ids in RULE_SOURCES.values() for s in ids}),
    }


def _any_in_week(days: Mapping[dt.date, DiaryDay], first: dt.date, n: int) -> bool:
    start = first + dt.timedelta(days=7 * (n - 1))
    return any(start <= when <= start + dt.timedelta(days=6) for when in days)
