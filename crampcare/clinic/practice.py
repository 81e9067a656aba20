"""The practice view: the clinic's responder rates (by presentation and by point protocol),
sessions per course, adverse events per 100 sessions and diary adherence, with their n
(``core.practice`` does the arithmetic), and the same figures as a CSV file.

Who: practitioners and clinic admins (``Can.PRACTICE_REPORTS``), each for their own clinic only.
The figures name no patient; a role that also sees clinical records (a practitioner) gets, beside
them, the patients in an active course without a diary entry in the last 14 days, to follow up.

How it stays fast at 100,000 sessions: counts, last dates and the course's numbers come from
aggregate queries (one row per patient's course, not per session); JSON values are read by key
in SQL; the per-patient outcomes (``core.outcomes``) are computed only for the patients who keep
a diary, from the diary days they read, fetched by date window (``_window_groups``).

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

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import Cast
from django.utils import timezone

from crampcare.clinic.access import Can, may, require
from crampcare.core.course import DONE_STATUSES
from crampcare.core.outcomes import DiaryDay
from crampcare.core.practice import (
    CSV_HEADER,
    PatientSummary,
    csv_rows,
    diary_windows,
    practice_metrics,
    presentation_key,
    protocol_key,
    responders,
)
from crampcare.records import audit
from crampcare.records.models import (
    Booking,
    BookingStatus,
    Decision,
    DiaryEntry,
    PlanPoint,
    SessionAdverseEvent,
    TreatmentPlan,
    TreatmentSession,
)

ACTIVE_DAYS = 28
DIARY_DAYS = 14
WINDOWS = 300  # date windows a diary query (SQLite parses at most 1000 ORs deep)
PATIENTS = 2000  # patient ids a diary query
PROTOCOL_DECISIONS = (Decision.ACCEPTED, Decision.ADDED)


@dataclass
class _Course:
    patient_id: Any
    done: int
    first: dt.date
    last: dt.date
    maximum: int | None
    conditions: list[str]
    episodes_per_week: float | None
    booked_ahead: bool
    diary_recent: bool
    has_diary: bool
    name: str
    points: list[str]

    def complete(self) -> bool:
        return self.maximum is not None and self.done >= self.maximum

    def active(self, today: dt.date) -> bool:
        recent = (today - self.last).days <= ACTIVE_DAYS
        return not self.complete() and (recent or self.booked_ahead)

    def end(self, today: dt.date) -> dt.date:
        """When the course's outcomes are read: today while it is active, else the day of its
        last session (the frequency of the 14 days up to the end of the course)."""
        return today if self.active(today) else min(today, self.last)


def _current_plans(clinic_id: int) -> QuerySet[TreatmentPlan]:
    """Each patient's newest plan (their course), of the clinic, with a session done: plans
    with no newer plan of their patient (an anti-join, which PostgreSQL's planner counts well;
    an equality with a "newest" subquery made it expect a handful of rows and join the
    assessments by nested loops: seconds at 10,000 courses)."""
    newer = TreatmentPlan.objects.filter(patient=OuterRef("patient_id")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id"))
    )
    done = TreatmentSession.objects.filter(plan=OuterRef("pk"), status__in=DONE_STATUSES)
    return TreatmentPlan.objects.filter(~Exists(newer), Exists(done), patient__clinic_id=clinic_id)


class _Joined(Aggregate):
    """The group's values joined with commas: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL
    (the order does not matter: ``protocol_key`` sorts)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def _courses(clinic_id: int, today: dt.date, now: dt.datetime) -> list[_Course]:
    """One row per patient's course with a done session, from a few plain queries: the
    courses with their JSON values read by key in SQL; the sessions grouped by plan; the points
    joined by plan; the patients with a diary, a recent entry, a booking ahead. (One query with
    a correlated subquery for each figure was as fast on SQLite, but its estimated cost made
    PostgreSQL compile it with JIT: most of a second, each time.)"""
    plans = _current_plans(clinic_id)
    counted = {
        plan: (done, first, last)
        for plan, done, first, last in TreatmentSession.objects.filter(plan__in=plans)
        .order_by()
        .values("plan_id")
        .annotate(
            done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
            first=Min("date"),
            last=Max("date"),
        )
        .values_list("plan_id", "done", "first", "last")
    }
    points = dict(
        PlanPoint.objects.filter(plan__in=plans, decision__in=PROTOCOL_DECISIONS)
        .order_by()
        .values("plan_id")
        .annotate(joined=_Joined("point"))
        .values_list("plan_id", "joined")
    )
    patients = DiaryEntry.objects.filter(patient__clinic_id=clinic_id).order_by()
    keeping = set(patients.values_list("patient_id", flat=True).distinct())
    since = today - dt.timedelta(days=DIARY_DAYS - 1)
    recent = set(
        patients.filter(date__gte=since, date__lte=today)
        .values_list("patient_id", flat=True)
        .distinct()
    )
    ahead = set(
        Booking.objects.filter(
            patient__clinic_id=clinic_id, status=BookingStatus.BOOKED, starts_at__gt=now
        )
        .order_by()
        .values_list("patient_id", flat=True)
        .distinct()
    )
    rows = plans.values_list(
        "pk",
        "patient_id",
        "patient__given_name",
        "patient__family_name",
        F("assessment__result__course__sessions__max"),
        F("assessment__result__conditions"),
        F("assessment__intake__document__complaint__episodes_per_week"),
    )
    out = []
    for plan, patient, given, family, maximum, conditions, episodes in rows:
        done, first, last = counted[plan]
        out.append(
            _Course(
                patient_id=patient,
                done=done,
                first=first,
                last=last,
                maximum=_int(maximum),
                conditions=[c["id"] for c in conditions or [] if isinstance(c, dict)],
                episodes_per_week=_number(episodes),
                booked_ahead=patient in ahead,
                diary_recent=patient in recent,
                has_diary=patient in keeping,
                name=f"{given} {family}",
                points=points[plan].split(",") if points.get(plan) else [],
            )
        )
    return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _window_groups(
    courses: Sequence[_Course], today: dt.date
) -> list[list[tuple[tuple[dt.date, dt.date], list[Any]]]]:
    """The diary windows to read (``diary_windows``), each with the patients who share it (the
    courses in progress share their current window; those started the same day, their
    baseline), cut into groups of at most ``WINDOWS`` windows and ``PATIENTS`` patient ids: one
    query a group."""
    shared: dict[tuple[dt.date, dt.date], list[Any]] = {}
    for c in courses:
        for window in diary_windows(c.first, c.end(today)):
            if window[0] <= window[1]:
                shared.setdefault(window, []).append(c.patient_id)
    groups: list[list[tuple[tuple[dt.date, dt.date], list[Any]]]] = [[]]
    size = 0
    for window, ids in sorted(shared.items()):
        for start in range(0, len(ids), PATIENTS):
            part = ids[start : start + PATIENTS]
            if len(groups[-1]) >= WINDOWS or size + len(part) > PATIENTS:
                groups.append([])
                size = 0
            groups[-1].append((window, part))
            size += len(part)
    return [g for g in groups if g]


def _responders(courses: Sequence[_Course], today: dt.date) -> dict[Any, tuple[Any, Any]]:
    """(responder_25, responder_50) of each patient who keeps a diary (``core.practice.
    responders``), reading only the diary days of each course's baseline and current windows.
    Patient ids are read as text, not made into a UUID object for each diary row."""
    keeping = [c for c in courses if c.has_diary]
    days: dict[str, list[DiaryDay]] = {}
    for group in _window_groups(keeping, today):
        windows = Q()
        for (low, high), ids in group:
            windows |= Q(patient_id__in=ids, date__gte=low, date__lte=high)
        for patient, *day in (
            DiaryEntry.objects.filter(windows)
            .order_by()
            .values_list(
                Cast("patient_id", CharField()),
                "date",
                "cramps",
                "worst_severity",
                "typical_duration_minutes",
                "sleep_disturbance",
            )
        ):
            days.setdefault(patient.replace("-", ""), []).append(DiaryDay(*day))
    return {
        c.patient_id: responders(
            days.get(c.patient_id.hex, []), c.first, c.episodes_per_week, c.end(today)
        )
        for c in keeping
    }


def _safety(clinic_id: int) -> tuple[int, int, int]:
    sessions = TreatmentSession.objects.filter(patient__clinic_id=clinic_id).count()
    events = SessionAdverseEvent.objects.filter(clinic_id=clinic_id).aggregate(
        all=Count("pk"), serious=Count("pk", filter=Q(serious=True))
    )
    return sessions, events["all"], events["serious"]


def _report(actor: Any) -> dict[str, Any]:
    today, now = timezone.localdate(), timezone.now()
    courses = _courses(actor.clinic_id, today, now)
    responders = _responders(courses, today)
    summaries = [
        PatientSummary(
            presentation=presentation_key(c.conditions),
            protocol=protocol_key(c.points),
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


def practice_outcomes(actor: Any) -> dict[str, Any]:
    """The practice view's figures for the actor's clinic (audited; the patients named to a
    clinical role are listed in the audit entry)."""
    require(actor, Can.PRACTICE_REPORTS, "practice_outcomes")
    report = _report(actor)
    _audit(actor, "read", report)
    return report


def practice_csv(actor: Any) -> str:
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


def _audit(actor: Any, action: str, report: dict[str, Any]) -> None:
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
