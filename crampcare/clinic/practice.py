"""The practice view: the clinic's responder rates (by presentation and by point protocol),
sessions per course, adverse events per 100 sessions and diary adherence, with their n
(``core.practice`` does the arithmetic), and the same figures as a CSV file.

Who: practitioners and clinic admins (``Can.PRACTICE_REPORTS``), each for their own clinic only.
The figures name no patient; a role that also sees clinical records (a practitioner) gets, beside
them, the patients in an active course without a diary entry in the last 14 days, to follow up.

How it stays fast at 100,000 sessions: counts, last dates and the course's numbers come from
aggregate queries (one row per patient's course, not per session); the presentation, protocol,
course maximum and intake frequency are columns of the plan, stored when it is made (no
document is read); a diary keeper's responder status comes from two sums per patient that the
database makes (days logged and cramps in the baseline and current windows, ``_counts``), to
which ``core.practice.window_responders`` applies ``core.outcomes``' own rules. Nothing is
kept in step with the diary or the sessions: the figures are counted afresh on each view, so a
diary correction or a new session shows at once.

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

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from crampcare.clinic.access import Can, may, require
from crampcare.core.course import DONE_STATUSES
from crampcare.core.practice import (
    CSV_HEADER,
    Counts,
    PatientSummary,
    Window,
    csv_rows,
    diary_windows,
    practice_metrics,
    window_responders,
)
from crampcare.records import audit
from crampcare.records.models import (
    Booking,
    BookingStatus,
    DiaryEntry,
    SessionAdverseEvent,
    TreatmentPlan,
    TreatmentSession,
)

ACTIVE_DAYS = 28
DIARY_DAYS = 14
WINDOWS = 300  # date windows a diary query (SQLite parses at most 1000 ORs deep)
PATIENTS = 2000  # patient ids a diary query


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


def _courses(clinic_id: int, today: dt.date, now: dt.datetime) -> list[_Course]:
    """One row per patient's course with a done session, from a few plain queries: the
    courses with the facts stored on their plan (``core.practice.PlanFacts``: no document is
    read); the sessions grouped by plan; the patients with a diary, a recent entry, a booking
    ahead. (One query with a correlated subquery for each figure was as fast on SQLite, but
    its estimated cost made PostgreSQL compile it with JIT: most of a second, each time.)"""
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
        "sessions_max",
        "presentation",
        "protocol",
        "intake_episodes_per_week",
    )
    out = []
    for plan, patient, given, family, maximum, presentation, protocol, episodes in rows:
        done, first, last = counted[plan]
        out.append(
            _Course(
                patient_id=patient,
                done=done,
                first=first,
                last=last,
                maximum=maximum,
                presentation=presentation,
                protocol=protocol,
                episodes_per_week=episodes,
                booked_ahead=patient in ahead,
                diary_recent=patient in recent,
                has_diary=patient in keeping,
                name=f"{given} {family}",
            )
        )
    return out


def _window_groups(windows: dict[Any, Window]) -> list[list[tuple[Window, list[Any]]]]:
    """The windows to count (one per patient), each with the patients who share it (the
    courses in progress share their current window; those started the same day, their
    baseline), cut into groups of at most ``WINDOWS`` windows and ``PATIENTS`` patient ids: one
    query a group. Empty windows (first day after last) are left out."""
    shared: dict[Window, list[Any]] = {}
    for patient, window in windows.items():
        if window[0] <= window[1]:
            shared.setdefault(window, []).append(patient)
    groups: list[list[tuple[Window, list[Any]]]] = [[]]
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


def _counts(windows: dict[Any, Window]) -> dict[Any, Counts]:
    """The diary days logged and their cramps in each patient's window, summed by the
    database (``GROUP BY`` patient: one row a patient, not one a diary day)."""
    out: dict[Any, Counts] = {}
    for group in _window_groups(windows):
        where = Q()
        for (low, high), ids in group:
            where |= Q(patient_id__in=ids, date__gte=low, date__lte=high)
        rows = (
            DiaryEntry.objects.filter(where)
            .order_by()
            .values("patient_id")
            .annotate(days=Count("pk"), cramps=Sum("cramps"))
            .values_list("patient_id", "days", "cramps")
        )
        out.update((patient, Counts(days, cramps)) for patient, days, cramps in rows)
    return out


def _responders(courses: Sequence[_Course], today: dt.date) -> dict[Any, tuple[Any, Any]]:
    """(responder_25, responder_50) of each patient who keeps a diary: the days and cramps
    of each course's baseline and current ``diary_windows`` counted in SQL (a query for the
    baselines, one for the current windows, more only past ``WINDOWS`` or ``PATIENTS``), then
    ``core.practice.window_responders``, which applies ``core.outcomes``' rules to them."""
    keeping = [c for c in courses if c.has_diary]
    windows = {c.patient_id: diary_windows(c.first, c.end(today)) for c in keeping}
    baseline = _counts({p: w[0] for p, w in windows.items()})
    current = _counts({p: w[1] for p, w in windows.items()})
    none = Counts()
    return {
        c.patient_id: window_responders(
            baseline.get(c.patient_id, none),
            current.get(c.patient_id, none),
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


def _report(actor: Any) -> dict[str, Any]:
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
