"""The practice view: the clinic's responder rates (by presentation and by point protocol),
sessions per course, adverse events per 100 sessions and diary adherence, with their n
(``core.practice`` does the arithmetic), and the same figures as a CSV file.

Who: practitioners and clinic admins (``Can.PRACTICE_REPORTS``), each for their own clinic only.
The figures name no patient; a role that also sees clinical records (a practitioner) gets, beside
them, the patients in an active course without a diary entry in the last 14 days, to follow up.

How it stays fast at 100,000 sessions: counts, last dates and the course's numbers come from
aggregate queries (one row per patient's course, not per session); JSON values are read by key
in SQL; the per-patient outcomes (``core.outcomes``) are computed only for the patients who keep
a diary, in batches of ``BATCH`` patients, two queries a batch.

Rules (product decisions, docs/design.md):
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

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from crampcare.clinic.access import Can, may, require
from crampcare.core import outcomes as core_outcomes
from crampcare.core.course import DONE_STATUSES
from crampcare.core.practice import (
    CSV_HEADER,
    PatientSummary,
    csv_rows,
    practice_metrics,
    presentation_key,
    protocol_key,
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
BATCH = 500
PROTOCOL_DECISIONS = (Decision.ACCEPTED, Decision.ADDED)


@dataclass
class _Course:
    plan_id: Any
    patient_id: Any
    done: int
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


def _current_plans(clinic_id: int) -> QuerySet[TreatmentPlan]:
    """Each patient's newest plan (their course), of the clinic."""
    newest = TreatmentPlan.objects.filter(patient=OuterRef("patient_id")).order_by(
        "-created_at", "-id"
    )
    return TreatmentPlan.objects.filter(
        patient__clinic_id=clinic_id, pk=Subquery(newest.values("pk")[:1])
    )


def _courses(clinic_id: int, today: dt.date, now: dt.datetime) -> list[_Course]:
    plans = _current_plans(clinic_id)
    counted = {
        r["plan_id"]: r
        for r in TreatmentSession.objects.filter(plan__in=plans)
        .values("plan_id")
        .annotate(done=Count("pk", filter=Q(status__in=DONE_STATUSES)), last=Max("date"))
        .filter(done__gt=0)
        .order_by()
    }
    diary = DiaryEntry.objects.filter(patient=OuterRef("patient_id"))
    ahead = Booking.objects.filter(
        patient=OuterRef("patient_id"), status=BookingStatus.BOOKED, starts_at__gt=now
    )
    since = today - dt.timedelta(days=DIARY_DAYS - 1)
    details = plans.annotate(
        booked_ahead=Exists(ahead),
        diary_recent=Exists(diary.filter(date__gte=since, date__lte=today)),
        has_diary=Exists(diary),
    ).values(
        "pk",
        "patient_id",
        "booked_ahead",
        "diary_recent",
        "has_diary",
        "patient__given_name",
        "patient__family_name",
        maximum=F("assessment__result__course__sessions__max"),
        conditions=F("assessment__result__conditions"),
        episodes=F("assessment__intake__document__complaint__episodes_per_week"),
    )
    points: dict[Any, list[str]] = {}
    for plan_id, point in PlanPoint.objects.filter(
        plan__in=plans, decision__in=PROTOCOL_DECISIONS
    ).values_list("plan_id", "point"):
        points.setdefault(plan_id, []).append(point)
    out = []
    for row in details:
        count = counted.get(row["pk"])
        if count is None:
            continue
        out.append(
            _Course(
                plan_id=row["pk"],
                patient_id=row["patient_id"],
                done=count["done"],
                last=count["last"],
                maximum=_int(row["maximum"]),
                conditions=[c["id"] for c in row["conditions"] or [] if isinstance(c, dict)],
                episodes_per_week=_number(row["episodes"]),
                booked_ahead=row["booked_ahead"],
                diary_recent=row["diary_recent"],
                has_diary=row["has_diary"],
                name=f"{row['patient__given_name']} {row['patient__family_name']}",
                points=points.get(row["pk"], []),
            )
        )
    return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _responders(courses: Sequence[_Course], today: dt.date) -> dict[Any, tuple[Any, Any]]:
    """(responder_25, responder_50) of each patient who keeps a diary, from ``core.outcomes``."""
    keeping = [c for c in courses if c.has_diary]
    out: dict[Any, tuple[Any, Any]] = {}
    for start in range(0, len(keeping), BATCH):
        batch = keeping[start : start + BATCH]
        days: dict[Any, list[core_outcomes.DiaryDay]] = {}
        for patient_id, *day in (
            DiaryEntry.objects.filter(patient_id__in=[c.patient_id for c in batch])
            .order_by("patient_id", "date")
            .values_list(
                "patient_id",
                "date",
                "cramps",
                "worst_severity",
                "typical_duration_minutes",
                "sleep_disturbance",
            )
        ):
            days.setdefault(patient_id, []).append(core_outcomes.DiaryDay(*day))
        seen: dict[Any, list[core_outcomes.SessionPoint]] = {}
        for plan_id, date, before, after in (
            TreatmentSession.objects.filter(plan_id__in=[c.plan_id for c in batch])
            .order_by("plan_id", "date")
            .values_list(
                "plan_id",
                "date",
                "document__measures__pain_before",
                "document__measures__pain_after",
            )
        ):
            seen.setdefault(plan_id, []).append(
                core_outcomes.SessionPoint(date, _int(before), _int(after))
            )
        for c in batch:
            result = core_outcomes.outcomes(
                days.get(c.patient_id, []), seen.get(c.plan_id, []), c.episodes_per_week, today
            )
            out[c.patient_id] = (result["responder_25"], result["responder_50"])
    return out


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
