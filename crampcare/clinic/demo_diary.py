"""The demo clinic's cramp diaries, entered through the diary use case (``clinic.diary.add_entry``,
as a practitioner transcribing a paper diary would):

- Olivia Hartmann (the finished course) kept a diary from three weeks before her first session
  to today: about four cramps a week before treatment, fewer from the fourth week, one in her
  last two weeks; severity, sleep disturbance and duration ease with them.
- Peter Nakamura (in progress) started his diary ten days ago: a short diary, so his baseline
  comes from his intake (4 a week); 2.8 a week since.

Dates count back from today, like the demo's sessions (``demo_sessions``): Olivia's first
session was 84 days ago (12 weekly sessions, the last a week ago), Peter's 21 days ago.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from crampcare.clinic import diary
from crampcare.clinic.demo_sessions import COMPLETED, IN_PROGRESS
from crampcare.records.models import Patient, TreatmentSession, User

# Cramps each week, from the first diary week: three weeks before the first session, then
# the twelve weeks of the course, then the week since the last session.
OLIVIA_WEEKS = [4, 3, 4, 4, 4, 3, 2, 2, 2, 1, 1, 1, 1, 0, 1, 0]
BASELINE_WEEKS = 3
# Which days of a week carry the week's cramps (spread over the week, nights 1, 3, 5, 6).
SPREAD = (1, 3, 5, 6, 0)
PETER_DAYS = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0]  # the last ten days, oldest first: 2.8 a week


def _patient(full_name: str, actor: User) -> Patient:
    given, family = full_name.split(" ", 1)
    return Patient.objects.get(clinic_id=actor.clinic_id, given_name=given, family_name=family)


def _first_session(patient: Patient) -> dt.date:
    return TreatmentSession.objects.filter(patient=patient).order_by("date")[0].date


def _day(when: dt.date, cramps: int, worst: int, sleep: int, minutes: int) -> dict[str, Any]:
    return {
        "date": when,
        "cramps": cramps,
        "worst_severity": worst if cramps else 0,
        "typical_duration_minutes": minutes if cramps else None,
        "sleep_disturbance": sleep if cramps else 0,
        "regions": ["calf"] if cramps else [],
    }


def olivia_days(first_session: dt.date, today: dt.date) -> list[dict[str, Any]]:
    """Every day from three weeks before the first session to today (``OLIVIA_WEEKS``)."""
    start = first_session - dt.timedelta(days=7 * BASELINE_WEEKS)
    days = []
    for offset in range((today - start).days + 1):
        week, weekday = divmod(offset, 7)
        per_week = OLIVIA_WEEKS[min(week, len(OLIVIA_WEEKS) - 1)]
        cramps = 1 if weekday in SPREAD[:per_week] else 0
        easing = min(week, 12) // 3  # 0 before and early in the course, 4 at the end
        days.append(
            _day(start + dt.timedelta(days=offset), cramps, 7 - easing, 6 - easing, 3 - easing // 2)
        )
    return days


def add_diaries(actor: User) -> None:
    today = timezone.localdate()
    olivia = _patient(COMPLETED, actor)
    for day in olivia_days(_first_session(olivia), today):
        diary.add_entry(actor, olivia.id, day, today=today)
    peter = _patient(IN_PROGRESS, actor)
    for n, cramps in enumerate(PETER_DAYS):
        when = today - dt.timedelta(days=len(PETER_DAYS) - 1 - n)
        diary.add_entry(actor, peter.id, _day(when, cramps, 5, 4, 2), today=today)
