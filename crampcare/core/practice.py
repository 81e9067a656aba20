"""The practice view: aggregate outcome and safety figures of a clinic, from one summary per
patient. Pure: the summaries are built by ``crampcare.clinic.practice`` from the plans' stored
``PlanFacts`` and, for the patients with a diary, the days and cramps the database counts in
each course's ``diary_windows`` (``window_responders`` applies ``core.outcomes``' own rules to
them); nothing here reads a clock or a database.

Units and groups (product rules, docs/design.md Decisions):
- one summary per patient: the patient's course (the newest plan, decision 24) when at least one
  session of it is done (closed or signed);
- **presentation**: the assessment's recognised ``conditions`` ids, sorted and joined with
  " + " (``presentation_key``); an assessment that recognised none is its own group;
- **point protocol**: the plan's points (accepted or added; removed points are not part of it),
  as point ids (``BL57``, ``ASHI@calf``), side ignored, sorted and joined with "+"
  (``protocol_key``), so the same points in another order are the same protocol;
- responder rates count only the patients whose outcomes could say (``responder_25`` not None:
  a baseline and a current diary frequency); the others are counted as not evaluable, never
  as non-responders;
- every figure carries its n, and ``small`` is true with a note where n < ``SMALL_N``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypedDict

from crampcare.core.outcomes import (
    BASELINE_WEEKS,
    CURRENT_DAYS,
    CURRENT_MIN_DAYS,
    DiaryDay,
    baseline_rate,
    responder_status,
    window_rate,
)

# Decision (docs/design.md): below this many, a rate or median is shown with "n is small".
SMALL_N: Final = 10
NO_PRESENTATION: Final = "no presentation recognised"
NO_POINTS: Final = "no points"
SMALL_NOTE: Final = f"n is small (fewer than {SMALL_N}): read with care"
PROTOCOL_DECISIONS: Final = ("accepted", "added")  # a plan's points that make its protocol


@dataclass(frozen=True)
class PatientSummary:
    """One patient's course, as the practice view counts it."""

    presentation: str  # presentation_key of the course's assessment
    protocol: str  # protocol_key of the course's plan
    sessions_done: int  # sessions closed or signed in the course
    complete: bool  # the course reached its plan's maximum
    active: bool  # in an active course (see clinic.practice for the rule)
    diary_recent: bool  # a diary entry in the last 14 days (today included)
    responder_25: bool | None = None  # None: the outcomes could not say
    responder_50: bool | None = None


class Share(TypedDict):
    n: int
    count: int
    percent: float | None
    small: bool
    note: str


class ResponderRow(TypedDict):
    group: str
    patients: int
    n: int  # patients whose responder status is known
    not_evaluable: int
    responder_25: Share
    responder_50: Share
    small: bool
    note: str


class SessionsPerCourse(TypedDict):
    courses: str
    n: int
    median: float | None
    min: int | None
    max: int | None
    small: bool
    note: str


class AdverseRate(TypedDict):
    sessions: int
    events: int
    serious: int
    per_100_sessions: float | None
    serious_per_100_sessions: float | None
    small: bool
    note: str


Window = tuple[dt.date, dt.date]  # first and last day, both included


def diary_windows(first_session: dt.date, end: dt.date) -> tuple[Window, Window]:
    """The diary days ``core.outcomes`` reads for the responder status of a course evaluated at
    ``end``: its baseline window (the ``BASELINE_WEEKS`` weeks before the first session) and
    its current window (the last ``CURRENT_DAYS`` days up to ``end``, from the first session
    on). The current window is empty (first day after last) when ``end`` is before the first
    session."""
    day = dt.timedelta(days=1)
    baseline = (first_session - 7 * BASELINE_WEEKS * day, first_session - day)
    current = (max(first_session, end - (CURRENT_DAYS - 1) * day), end)
    return baseline, current


@dataclass(frozen=True)
class Counts:
    """A diary window as the responder rules read it: the days logged in it and their cramps."""

    days: int = 0
    cramps: int = 0


def window_responders(
    baseline: Counts, current: Counts, intake_episodes_per_week: float | None
) -> tuple[bool | None, bool | None]:
    """``core.outcomes``' (responder_25, responder_50) from the counts of a course's two
    ``diary_windows`` (which the database sums), by the rules of ``core.outcomes`` itself
    (``baseline_rate``, ``window_rate``, ``responder_status``)."""
    if intake_episodes_per_week is not None and intake_episodes_per_week < 0:
        raise ValueError("intake episodes_per_week must be 0 or more")
    base = baseline_rate(baseline.cramps, baseline.days, intake_episodes_per_week)
    now = window_rate(current.cramps, current.days, CURRENT_MIN_DAYS)
    return responder_status(now, base)


def responders(
    diary: Sequence[DiaryDay],
    first_session: dt.date,
    intake_episodes_per_week: float | None,
    end: dt.date,
) -> tuple[bool | None, bool | None]:
    """``core.outcomes``' (responder_25, responder_50) of a course evaluated at ``end``: the
    diary's days (one per date) counted in the baseline and current windows, then
    ``window_responders``. The same answer as ``outcomes`` on the whole diary and every
    session (a property test holds it to that)."""
    cramps = {d.date: d.cramps for d in diary}
    baseline, current = (
        Counts(len(logged), sum(logged))
        for logged in (
            [n for day, n in cramps.items() if low <= day <= high]
            for low, high in diary_windows(first_session, end)
        )
    )
    return window_responders(baseline, current, intake_episodes_per_week)


@dataclass(frozen=True)
class PlanFacts:
    """What the practice view groups and counts a plan by, stored with the plan when it is made
    (``clinic.plans``) so that the view reads columns, not documents."""

    presentation: str  # presentation_key of the assessment's recognised conditions
    protocol: str  # protocol_key of the plan's accepted and added points
    sessions_max: int | None  # the assessment's course maximum (result.course.sessions.max)
    intake_episodes_per_week: float | None  # the intake's complaint.episodes_per_week


def plan_facts(
    result: Mapping[str, Any],
    intake: Mapping[str, Any],
    points: Iterable[tuple[str, str]],
) -> PlanFacts:
    """The ``PlanFacts`` of a plan from its assessment's result, its intake's document and its
    points as (point id, decision). Values of the wrong type are None, not guessed."""
    conditions = result.get("conditions") or []
    course = result.get("course") or {}
    sessions = course.get("sessions") if isinstance(course, Mapping) else None
    maximum: Any = sessions.get("max") if isinstance(sessions, Mapping) else None
    complaint = intake.get("complaint") or {}
    episodes: Any = complaint.get("episodes_per_week") if isinstance(complaint, Mapping) else None
    return PlanFacts(
        presentation=presentation_key(
            c["id"] for c in conditions if isinstance(c, Mapping) and isinstance(c.get("id"), str)
        ),
        protocol=protocol_key(p for p, decision in points if decision in PROTOCOL_DECISIONS),
        sessions_max=maximum if _is_number(maximum) and isinstance(maximum, int) else None,
        intake_episodes_per_week=float(episodes) if _is_number(episodes) else None,
    )


def _is_number(value: Any) -> bool:
    """A JSON number (a bool is not one)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def presentation_key(condition_ids: Iterable[str]) -> str:
    ids = sorted({c for c in condition_ids if c})
    return " + ".join(ids) if ids else NO_PRESENTATION


def protocol_key(point_ids: Iterable[str]) -> str:
    ids = sorted({p for p in point_ids if p})
    return "+".join(ids) if ids else NO_POINTS


def median(values: Sequence[int]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    half = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[half])
    return (ordered[half - 1] + ordered[half]) / 2


def _small(n: int) -> tuple[bool, str]:
    return (True, SMALL_NOTE) if n < SMALL_N else (False, "")


def share(count: int, n: int) -> Share:
    """``count`` of ``n`` as a percent with one decimal (None when n is 0)."""
    if not 0 <= count <= n:
        raise ValueError(f"a share needs 0 <= count <= n, got {count} of {n}")
    small, note = _small(n)
    if n == 0:
        note = "no one to count"
    percent = round(100 * count / n, 1) if n else None
    return {"n": n, "count": count, "percent": percent, "small": small, "note": note}


def _responder_row(group: str, rows: Sequence[PatientSummary]) -> ResponderRow:
    known = [r for r in rows if r.responder_25 is not None]
    r25 = share(sum(1 for r in known if r.responder_25), len(known))
    r50 = share(sum(1 for r in known if r.responder_50), len(known))
    note = r25["note"]
    if not known:
        note = "no patient with a baseline and a current diary frequency"
    return {
        "group": group,
        "patients": len(rows),
        "n": len(known),
        "not_evaluable": len(rows) - len(known),
        "responder_25": r25,
        "responder_50": r50,
        "small": r25["small"],
        "note": note,
    }


def responders_by(
    summaries: Sequence[PatientSummary], key: Callable[[PatientSummary], str]
) -> list[ResponderRow]:
    """One row per group, the largest groups first (then by name)."""
    groups: dict[str, list[PatientSummary]] = {}
    for s in summaries:
        groups.setdefault(key(s), []).append(s)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [_responder_row(group, rows) for group, rows in ordered]


def sessions_per_course(counts: Sequence[int], courses: str) -> SessionsPerCourse:
    """Median and range of the sessions done per course."""
    small, note = _small(len(counts))
    if not counts:
        note = "no course to count"
    return {
        "courses": courses,
        "n": len(counts),
        "median": median(counts),
        "min": min(counts) if counts else None,
        "max": max(counts) if counts else None,
        "small": small,
        "note": note,
    }


def adverse_rate(sessions: int, events: int, serious: int) -> AdverseRate:
    """Adverse events per 100 sessions, all and serious; n is the number of sessions."""
    if sessions < 0 or not 0 <= serious <= events:
        raise ValueError(
            f"need sessions >= 0 and 0 <= serious <= events, got {sessions}, {events}, {serious}"
        )
    small, note = _small(sessions)
    if sessions == 0:
        note = "no session recorded"
    return {
        "sessions": sessions,
        "events": events,
        "serious": serious,
        "per_100_sessions": round(100 * events / sessions, 1) if sessions else None,
        "serious_per_100_sessions": round(100 * serious / sessions, 1) if sessions else None,
        "small": small,
        "note": note,
    }


def practice_metrics(
    summaries: Sequence[PatientSummary], sessions: int, events: int, serious: int
) -> dict[str, Any]:
    """Every figure of the practice view. ``sessions``, ``events`` and ``serious`` are the
    clinic's recorded sessions and their adverse events (all, and serious)."""
    active = [s for s in summaries if s.active]
    return {
        "patients": len(summaries),
        "responders": {
            "overall": _responder_row("all courses", summaries),
            "by_presentation": responders_by(summaries, lambda s: s.presentation),
            "by_protocol": responders_by(summaries, lambda s: s.protocol),
        },
        "sessions_per_course": [
            sessions_per_course([s.sessions_done for s in summaries], "all"),
            sessions_per_course([s.sessions_done for s in summaries if s.complete], "complete"),
        ],
        "adverse_events": adverse_rate(sessions, events, serious),
        "diary_adherence": share(sum(1 for s in active if s.diary_recent), len(active)),
        "small_n": SMALL_N,
    }


def csv_rows(metrics: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The metrics as flat rows (one figure each) for a CSV file: ``CSV_HEADER`` columns."""
    out: list[dict[str, Any]] = []

    def add(
        section: str, group: str, measure: str, n: int, count: Any, value: Any, **r: Any
    ) -> None:
        out.append(
            {
                "section": section,
                "group": group,
                "measure": measure,
                "n": n,
                "count": "" if count is None else count,
                "value": "" if value is None else value,
                "small_n": "yes" if r["small"] else "no",
                "note": r["note"],
            }
        )

    resp = metrics["responders"]
    for section, rows in (
        ("responders", [resp["overall"]]),
        ("responders by presentation", resp["by_presentation"]),
        ("responders by protocol", resp["by_protocol"]),
    ):
        for row in rows:
            for cut in ("25", "50"):
                s = row[f"responder_{cut}"]
                note = row["note"] if row["n"] == 0 else s["note"]
                measure = f"responder {cut} % (percent of n; {row['not_evaluable']} not evaluable)"
                add(
                    section,
                    row["group"],
                    measure,
                    s["n"],
                    s["count"],
                    s["percent"],
                    small=s["small"],
                    note=note,
                )
    for spc in metrics["sessions_per_course"]:
        for measure in ("median", "min", "max"):
            add(
                "sessions per course",
                f"{spc['courses']} courses",
                measure,
                spc["n"],
                None,
                spc[measure],
                small=spc["small"],
                note=spc["note"],
            )
    ae = metrics["adverse_events"]
    add(
        "adverse events",
        "all",
        "per 100 sessions",
        ae["sessions"],
        ae["events"],
        ae["per_100_sessions"],
        small=ae["small"],
        note=ae["note"],
    )
    add(
        "adverse events",
        "serious",
        "per 100 sessions",
        ae["sessions"],
        ae["serious"],
        ae["serious_per_100_sessions"],
        small=ae["small"],
        note=ae["note"],
    )
    d = metrics["diary_adherence"]
    add(
        "diary adherence",
        "patients in an active course",
        "percent with an entry in 14 days",
        d["n"],
        d["count"],
        d["percent"],
        small=d["small"],
        note=d["note"],
    )
    return out


CSV_HEADER: Final = ("section", "group", "measure", "n", "count", "value", "small_n", "note")
