"""The demo clinic's courses of treatment: four patients with everyday night cramps, each with a
plan and sessions recorded through the session use cases.

- Olivia Hartmann finished her course: every session of the plan's maximum, closed and signed,
  and "continue" recorded at each of the plan's reviews (sessions 4 and 8) as it came due.
- Peter Nakamura is in progress: three sessions signed, the next two booked.
- Rosa Delgado fainted at her second session (a serious adverse event: her banner).
- Samuel Okoye's first session carries an addendum (the needle lot corrected after signing).

Past sessions are dated back from today. The session use cases stamp the retention timer and
the practitioner's contact with the server clock; a demo made in seconds cannot wait the
minutes a session takes, so those times are set on the open session's row to a morning
appointment (10:00 in, needles 10:05 to 10:30), before the session is closed and signed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from crampcare.clinic import course, outcomes, plans, session_live, sessions
from crampcare.clinic.demo_people import _intake, _patient
from crampcare.kb.loader import KnowledgeBase
from crampcare.records.models import TreatmentSession, User

COMPLETED, IN_PROGRESS, ADVERSE, ADDENDUM = (
    "Olivia Hartmann",
    "Peter Nakamura",
    "Rosa Delgado",
    "Samuel Okoye",
)
LOT = "HWT-0.25x40-2611"


def _calves(side: str, per_week: int, severity: int, weeks: int) -> dict[str, Any]:
    return {
        "side": side,
        "episodes_per_week": per_week,
        "worst_severity": severity,
        "weeks_since_onset": weeks,
        "triggers": ["exercise"],
    }


COURSE_PEOPLE: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        _patient("Olivia", "Hartmann", "1966-05-21", "female", "+1 503 555 0114"),
        _intake("1966-05-21", "female", _calves("left", 3, 6, 12)),
    ),
    (
        _patient("Peter", "Nakamura", "1971-09-03", "male", "+1 503 555 0127"),
        _intake("1971-09-03", "male", _calves("both", 4, 5, 9)),
    ),
    (
        _patient("Rosa", "Delgado", "1983-02-11", "female", "+1 503 555 0145"),
        _intake("1983-02-11", "female", _calves("right", 2, 6, 6)),
    ),
    (
        _patient("Samuel", "Okoye", "1958-11-30", "male", "+1 503 555 0168"),
        _intake("1958-11-30", "male", _calves("left", 5, 7, 16)),
    ),
]


def add_courses(actor: User, assessments: dict[str, dict[str, Any]], kb: KnowledgeBase) -> None:
    """Plans, sessions and bookings for the course patients; ``assessments`` by full name."""
    today = timezone.localdate()
    done = _plan(actor, assessments[COMPLETED], kb)
    most = assessments[COMPLETED]["result"]["course"]["sessions"]["max"]
    for n in range(most):
        _session(actor, done, today - dt.timedelta(days=7 * (most - n)), kb, n)
        review = outcomes.review(actor, done["patient_id"])
        if review and review["due"]:  # the plan's review: she was improving
            note = "fewer cramps at night; continue the course"
            body = {"key": review["key"], "decision": "continue", "note": note}
            outcomes.decide_review(actor, done["patient_id"], body)

    going = _plan(actor, assessments[IN_PROGRESS], kb)
    for n in range(3):
        _session(actor, going, today - dt.timedelta(days=7 * (3 - n)), kb, n)
    soon = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    course.book(
        actor,
        going["patient_id"],
        {
            "sessions": [
                {"starts_at": soon + dt.timedelta(days=days)}
                for days in (4, 11)  # session 4 (a review) and 5
            ]
        },
    )

    fainted = _plan(actor, assessments[ADVERSE], kb)
    _session(actor, fainted, today - dt.timedelta(days=14), kb, 0)
    event = {
        "kind": "fainting",
        "severity": "severe",
        "action": "needles out at once, laid flat with legs raised; recovered in five "
        "minutes; observed 30 minutes and sent home with a companion",
        "at": "10:12",
    }
    _session(actor, fainted, today - dt.timedelta(days=7), kb, 1, event)

    amended = _plan(actor, assessments[ADDENDUM], kb)
    first = _session(actor, amended, today - dt.timedelta(days=3), kb, 0)
    sessions.add_addendum(
        actor,
        first,
        {
            "reason": "needle lot mistyped",
            "text": "The needles used were from lot HWT-0.25x40-2612, not 2611 as recorded.",
        },
    )


def _plan(actor: User, assessment: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    ids = [plans.point_id(p["code"], p.get("region")) for p in assessment["result"]["points"]]
    return plans.create_plan(
        actor,
        assessment["id"],
        {"accepted": ids, "note": "Course of weekly sessions; review at sessions 4 and 8."},
        kb,
    )


def _at(day: dt.date, clock: str) -> dt.datetime:
    hours, minutes = clock.split(":")
    return timezone.make_aware(dt.datetime.combine(day, dt.time(int(hours), int(minutes))))


def _session(
    actor: User,
    plan: dict[str, Any],
    day: dt.date,
    kb: KnowledgeBase,
    n: int,
    event: dict[str, Any] | None = None,
) -> Any:
    """One session from start to signature, as the session page would record it."""
    started = sessions.start_session(
        actor, {"patient_id": plan["patient_id"], "plan_id": plan["id"], "date": day}, kb
    )
    sid = started["id"]
    before = max(2, 7 - n // 2)
    sessions.update_session(
        actor,
        sid,
        {
            "lot": LOT,
            "measures": {
                "pain_before": before,
                "pain_after": max(0, before - 2),
                "global_change": "much_improved" if n >= 3 else "minimally_improved",
            },
            "note": {
                "subjective": f"Night cramps {'fewer' if n else 'as at intake'}; slept better.",
                "objective": "Calf soft, no swelling or tenderness; pulses present.",
                "assessment": "Nocturnal calf cramps, responding." if n else "First session.",
                "plan": "Continue weekly; stretching before bed.",
            },
        },
        kb,
    )
    needles = _needles(started)
    for _ in range(needles):
        session_live.count_needles(actor, sid, {"which": "inserted"})
    # the clock of a 10:00 appointment (see the module's docstring)
    TreatmentSession.objects.filter(pk=sid).update(
        retention_started_at=_at(day, "10:05"),
        retention_ended_at=_at(day, "10:30"),
        document={
            **TreatmentSession.objects.get(pk=sid).document,
            "contact": [
                {"start": "10:00", "end": "10:08", "electrical": False, "reinsertion": False},
                {"start": "10:28", "end": "10:34", "electrical": False, "reinsertion": False},
            ],
        },
    )
    if event is not None:
        session_live.add_adverse_event(actor, sid, event)
    for _ in range(needles):
        session_live.count_needles(actor, sid, {"which": "removed"})
    sessions.close_session(actor, sid, kb)
    sessions.sign_session(actor, sid)
    return sid


def _needles(session: dict[str, Any]) -> int:
    """One needle per point and side: two for a point needled on both sides."""
    points = session["document"].get("points", [])
    return sum(2 if p.get("side") == "both" else 1 for p in points)
