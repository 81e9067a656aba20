"""The practice view: the clinic's responder rates (by presentation and by point protocol),
sessions per course, adverse events per 100 sessions and diary adherence, with their n
(``core.practice`` does the arithmetic), and the same figures as a CSV file.

Who: practitioners and clinic admins (``Can.PRACTICE_REPORTS``), each for their own clinic only.
The figures name no patient; a role that also sees clinical records (a practitioner) gets, beside
them, the patients in an active course without a diary entry in the last 14 days, to follow up.

How it stays fast at 100,000 sessions: the courses come from one statement
(``records.practice_queries.courses``: one row per patient's course, its sessions grouped by
plan from an index); the presentation, protocol, course maximum and intake frequency are
columns of the plan, stored when it is made (no document is read); a diary keeper's responder
status comes from two sums per patient that the database makes by joining the diary to the
windows (days logged and cramps in the baseline and current windows,
``records.practice_queries.window_counts``), to which ``core.practice.window_responders``
applies ``core.outcomes``' own rules. Nothing is kept in step with the diary or the sessions:
the figures are counted afresh on each view, so a diary correction or a new session shows at
once.

Rules (product decisions, docs/design.md):
- a course's responder status is read at its end: today while it is active, else the day of
  its last session (the diary's 14 days up to then); it is known only for a patient who keeps a
  diary (the current frequency comes from the diary);
- a patient's course is the newest plan (decision 24), counted once a session of it is done;
- a course is **active** when it has not reached its plan's maximum and had a session in the last
  ``ACTIVE_DAYS`` days or has a booking ahead;
- **diary adherence**: the share of patients in an active course with an entry in the last
  ``DIARY_DAYS`` days, today included;
- adverse events per 100 sessions count every recorded session of the clinic and every adverse
  event recorded in them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from crampcare.clinic.access import Can, may, require
from crampcare.clinic.actor import Actor
from crampcare.core.practice import (
    CSV_HEADER,
    Counts,
    PatientSummary,
    csv_rows,
    diary_windows,
    practice_metrics,
    window_responders,
)
from crampcare.records import audit
from crampcare.records import practice_queries as queries
from crampcare.records.models import SessionAdverseEvent, TreatmentSession

ACTIVE_DAYS = 28
DIARY_DAYS = 14
WINDOWS = 4000  # diary windows a query (two a patient)
PATIENTS = 2000  # patients a diary query


@dataclass
class _Course:
    patient_id: Any
    done: int
    first: dt.date
    last: dt.date
    maximum: int | None
    presentation: str
    protocol: str
    episodes_per_week: float | None
    booked_ahead: bool
    diary_recent: bool
    has_diary: bool
    name: str

    def complete(self) -> bool:
        return self.maximum is not None and self.done >= self.maximum

    def active(self, today: dt.date) -> bool:
        recent = (today - self.last).days <= ACTIVE_DAYS
        return not self.complete() and (recent or self.booked_ahead)

    def end(self, today: dt.date) -> dt.date:
        """When the course's outcomes are read: today while it is active, else the day of its
        last session (the frequency of the 14 days up to the end of the course)."""
        return today if self.active(today) else min(today, self.last)


def _courses(clinic_id: int, today: dt.date, now: dt.datetime) -> list[_Course]:
    """One row per patient's course with a done session (``records.practice_queries.courses``:
    one statement, the facts stored on the plan, its sessions grouped by plan)."""
    since = today - dt.timedelta(days=DIARY_DAYS - 1)
    return [
        _Course(
            patient_id=patient,
            done=done,
            first=first,
            last=last,
            maximum=maximum,
            presentation=presentation,
            protocol=protocol,
            episodes_per_week=episodes,
            booked_ahead=ahead,
            diary_recent=recent,
            has_diary=keeping,
            name=f"{given} {family}",
        )
        for (
            patient,
            given,
            family,
            maximum,
            presentation,
            protocol,
            episodes,
            done,
            first,
            last,
            keeping,
            recent,
            ahead,
        ) in queries.courses(clinic_id, since, today, now)
    ]


def _responders(courses: Sequence[_Course], today: dt.date) -> dict[Any, tuple[Any, Any]]:
    """(responder_25, responder_50) of each patient who keeps a diary: the days and cramps
    of each course's baseline and current ``diary_windows`` counted in SQL by a join to the
    windows (``records.practice_queries.window_counts``: one query, more only past
    ``WINDOWS`` windows or ``PATIENTS`` patients), then ``core.practice.window_responders``,
    which applies ``core.outcomes``' rules to them."""
    keeping = [c for c in courses if c.has_diary]
    windows = {c.patient_id: diary_windows(c.first, c.end(today)) for c in keeping}
    counted = queries.window_counts(
        ((patient, key, pair[key]) for patient, pair in windows.items() for key in (0, 1)),
        per_query=WINDOWS,
        patients_per_query=PATIENTS,
    )
    none = (0, 0)
    return {
        c.patient_id: window_responders(
            Counts(*counted.get((c.patient_id, 0), none)),
            Counts(*counted.get((c.patient_id, 1), none)),
            c.episodes_per_week,
        )
        for c in keeping
    }


def _safety(clinic_id: int) -> tuple[int, int, int]:
    sessions = TreatmentSession.objects.filter(patient__clinic_id=clinic_id).count()
    events = SessionAdverseEvent.objects.filter(clinic_id=clinic_id).aggregate(
        all=Count("pk"), serious=Count("pk", filter=Q(serious=True))
    )
    return sessions, events["all"], events["serious"]


def _report(actor: Actor) -> dict[str, Any]:
    today, now = timezone.localdate(), timezone.now()
    courses = _courses(actor.clinic_id, today, now)
    responders = _responders(courses, today)
    summaries = [
        PatientSummary(
            presentation=c.presentation,
            protocol=c.protocol,
            sessions_done=c.done,
            complete=c.complete(),
            active=c.active(today),
            diary_recent=c.diary_recent,
            responder_25=responders.get(c.patient_id, (None, None))[0],
            responder_50=responders.get(c.patient_id, (None, None))[1],
        )
        for c in courses
    ]
    names = may(actor, Can.CLINICAL)
    follow_up = (
        sorted(
            (
                {"patient_id": c.patient_id, "name": c.name, "last_session": c.last}
                for c in courses
                if c.active(today) and not c.diary_recent
            ),
            key=lambda p: (p["name"], str(p["patient_id"])),
        )
        if names
        else None
    )
    return {
        "clinic_id": actor.clinic_id,
        "as_of": today,
        "active_days": ACTIVE_DAYS,
        "diary_days": DIARY_DAYS,
        **practice_metrics(summaries, *_safety(actor.clinic_id)),
        "names_shown": names,
        "without_recent_diary": follow_up,
    }


def practice_outcomes(actor: Actor) -> dict[str, Any]:
    """The practice view's figures for the actor's clinic (audited; the patients named to a
    clinical role are listed in the audit entry)."""
    require(actor, Can.PRACTICE_REPORTS, "practice_outcomes")
    report = _report(actor)
    _audit(actor, "read", report)
    return report


def practice_csv(actor: Actor) -> str:
    """The practice view's figures as CSV (``core.practice.CSV_HEADER``), one figure a row; no
    patient is named in it, whoever asks."""
    require(actor, Can.PRACTICE_REPORTS, "practice_outcomes")
    report = _report(actor)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    _audit(actor, "export", {**report, "without_recent_diary": None})
    return buffer.getvalue()


def _audit(actor: Actor, action: str, report: dict[str, Any]) -> None:
    named = report["without_recent_diary"] or []
    audit.append(
        actor,
        action,
        "practice_outcomes",
        clinic_id=actor.clinic_id,
        detail={
            "patients": report["patients"],
            "named": [str(p["patient_id"]) for p in named],
        },
    )
