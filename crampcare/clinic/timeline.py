"""What happened to a patient, newest first; serious adverse events (the patient's banner and the
practice's counts); the clinic's treatment rooms (open sessions and their retention timers).

The timeline is shown to everyone who sees the schedule, but its clinical items (intakes,
assessments, plans, sessions, adverse events, addenda, reviews) only to those who may see
clinical records: the front desk sees the bookings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from crampcare.clinic.access import Can, may, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.course import plan_course
from crampcare.core.course import CourseState
from crampcare.records import audit
from crampcare.records.models import (
    Assessment,
    Booking,
    Intake,
    Patient,
    ReviewDecision,
    SessionAddendum,
    SessionAdverseEvent,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)

STATUS_WORDS: dict[str, str] = {
    SessionStatus.OPEN: "in progress",
    SessionStatus.CLOSED: "closed, not signed",
    SessionStatus.LOCKED: "signed",
}


def _item(at: dt.datetime, kind: str, title: str, detail: str, **ids: Any) -> dict[str, Any]:
    return {"at": at, "kind": kind, "title": title, "detail": detail, "clinical": True, **ids}


def _clinical(
    patient: Patient, plans: list[TreatmentPlan], courses: dict[str, CourseState]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    pid = patient.id
    for intake in Intake.objects.filter(patient=patient):
        items.append(
            _item(
                intake.created_at,
                "intake",
                f"Intake, version {intake.version}",
                f"taken on {intake.taken_on.isoformat()}",
                patient_id=pid,
                intake_id=intake.id,
            )
        )
    for a in Assessment.objects.filter(patient=patient):
        allowed = "needling allowed" if a.needling_allowed else "needling deferred"
        items.append(
            _item(
                a.created_at,
                "assessment",
                "Re-assessment" if a.supersedes_id else "Assessment",
                f"urgency {a.urgency}; {allowed}",
                patient_id=pid,
                assessment_id=a.id,
            )
        )
    for plan in plans:
        limits = courses[str(plan.id)]["sessions"]
        items.append(
            _item(
                plan.created_at,
                "plan",
                "Treatment plan",
                f"course of {limits['min']}-{limits['max']} sessions",
                patient_id=pid,
                plan_id=plan.id,
                assessment_id=plan.assessment_id,
            )
        )
    numbers = {
        n["session_id"]: n["number"]
        for state in courses.values()
        for n in state["numbers"]
        if n["session_id"]
    }
    for s in TreatmentSession.objects.filter(patient=patient):
        number = numbers.get(str(s.id))
        reviews = courses[str(s.plan_id)]["review_at"]
        label = f"Session {number}" if number else "Session"
        items.append(
            _item(
                s.created_at,
                "session",
                f"{label} ({STATUS_WORDS.get(s.status, s.status)})",
                f"on {s.date.isoformat()}",
                patient_id=pid,
                session_id=s.id,
                plan_id=s.plan_id,
                status=s.status,
            )
        )
        if number and number in reviews and s.status != SessionStatus.OPEN:
            items.append(
                _item(
                    s.created_at,
                    "review",
                    f"Review point: session {number}",
                    "the plan reviews progress here: improving (continue), or not (reassess, "
                    "or refer)",
                    patient_id=pid,
                    session_id=s.id,
                    plan_id=s.plan_id,
                )
            )
    for e in SessionAdverseEvent.objects.filter(patient=patient):
        items.append(
            _item(
                e.created_at,
                "adverse_event",
                f"Adverse event: {e.kind.replace('_', ' ')} ({e.severity}"
                f"{', serious' if e.serious else ''})",
                e.action,
                patient_id=pid,
                session_id=e.session_id,
                adverse_event_id=e.pk,
                severity=e.severity,
                serious=e.serious,
            )
        )
    for d in SessionAddendum.objects.filter(session__patient=patient).select_related("author"):
        items.append(
            _item(
                d.at,
                "addendum",
                "Addendum to a signed session",
                f"{d.author.get_username()}: {d.reason}",
                patient_id=pid,
                session_id=d.session_id,
                addendum_id=d.pk,
            )
        )
    for r in ReviewDecision.objects.filter(patient=patient).select_related("created_by"):
        items.append(
            _item(
                r.created_at,
                "review_decision",
                f"{_review_title(r.key)}: {r.decision}",
                (r.created_by.get_username() if r.created_by else "")
                + (f": {r.note}" if r.note else ""),
                patient_id=pid,
                plan_id=r.plan_id,
                review_id=r.pk,
            )
        )
    return items


def _review_title(key: str) -> str:
    """'session:4' -> 'Review at session 4'; 'worsening:week:6' -> 'Review of the diary's
    worsening (week 6)'."""
    kind, _, rest = key.partition(":")
    if kind == "session":
        return f"Review at session {rest}"
    return f"Review of the diary's worsening ({rest.replace(':', ' ')})"


def timeline(actor: Actor, patient_id: object) -> list[dict[str, Any]]:
    """Every event of the patient's care, newest first: ``{at, kind, title, detail, clinical}``
    and the ids of the records it is about. Bookings are dated by when they start."""
    require(actor, Can.SCHEDULE, "timeline")
    patient = patient_for(actor, patient_id)
    now = timezone.now()
    clinical = may(actor, Can.CLINICAL)
    plans = list(TreatmentPlan.objects.filter(patient=patient).select_related("assessment"))
    courses = {str(p.id): plan_course(p, now) for p in plans}
    items = _clinical(patient, plans, courses) if clinical else []
    numbers = {b["id"]: b["number"] for c in courses.values() for b in c["bookings"]}
    for b in Booking.objects.filter(patient=patient):
        number = numbers.get(str(b.id)) or b.session_number
        items.append(
            {
                **_item(
                    b.starts_at,
                    "booking",
                    f"Session {number} booked" + (f" ({b.status})" if b.status != "booked" else ""),
                    f"{b.duration_minutes} minutes",
                    patient_id=patient.id,
                    booking_id=b.id,
                    plan_id=b.plan_id,
                    status=b.status,
                ),
                "clinical": False,
            }
        )
    items.sort(key=lambda i: i["at"], reverse=True)
    audit.append(
        actor,
        "list",
        "timeline",
        patient_id=patient.id,
        detail={"items": len(items), "clinical": clinical},
    )
    return items


def _event_dict(e: SessionAdverseEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "session_id": e.session_id,
        "patient_id": e.patient_id,
        "date": e.session.date,
        "at": e.at,
        "kind": e.kind,
        "severity": e.severity,
        "serious": e.serious,
        "action": e.action,
        "recorded_at": e.created_at,
    }


def serious_events(actor: Actor, patient_id: object) -> dict[str, Any]:
    """The patient's serious adverse events, newest first, for the banner on the patient."""
    require(actor, Can.CLINICAL, "adverse_event")
    patient = patient_for(actor, patient_id)
    rows = list(
        SessionAdverseEvent.objects.filter(patient=patient, serious=True)
        .select_related("session")
        .order_by("-created_at", "-pk")
    )
    audit.append(
        actor,
        "list",
        "adverse_event",
        patient_id=patient.id,
        detail={"serious": [r.pk for r in rows]},
    )
    return {"patient_id": patient.id, "count": len(rows), "events": [_event_dict(r) for r in rows]}


def practice_counts(actor: Actor) -> dict[str, Any]:
    """Serious adverse events in the actor's clinic, counted by kind (no patient named)."""
    require(actor, Can.CLINICAL, "adverse_event")
    rows = (
        SessionAdverseEvent.objects.filter(clinic_id=actor.clinic_id, serious=True)
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by("-count", "kind")
    )
    by_kind = [{"kind": r["kind"], "count": r["count"]} for r in rows]
    total = sum(r["count"] for r in by_kind)
    audit.append(
        actor, "read", "practice_events", clinic_id=actor.clinic_id, detail={"total": total}
    )
    return {"clinic_id": actor.clinic_id, "total": total, "by_kind": by_kind}


def _window(session: TreatmentSession) -> dict[str, int] | None:
    minutes = (session.assessment.result.get("session") or {}).get("retention_minutes")
    if not minutes:
        return None
    return {"min": int(minutes["min"]), "max": int(minutes["max"])}


def treatment_rooms(actor: Actor) -> list[dict[str, Any]]:
    """The clinic's open sessions with their retention timers, the soonest to end first."""
    require(actor, Can.CLINICAL, "session")
    rows = TreatmentSession.objects.filter(
        patient__clinic_id=actor.clinic_id, status=SessionStatus.OPEN
    ).select_related("patient", "assessment")
    out: list[dict[str, Any]] = []
    for s in rows:
        window = _window(s)
        start = s.retention_started_at
        earliest = latest = None
        if start is not None and window is not None:
            earliest = start + dt.timedelta(minutes=window["min"])
            latest = start + dt.timedelta(minutes=window["max"])
        out.append(
            {
                "session_id": s.id,
                "patient_id": s.patient_id,
                "patient": f"{s.patient.given_name} {s.patient.family_name}",
                "date": s.date,
                "opened_at": s.created_at,
                "retention": {
                    "started_at": start,
                    "ended_at": s.retention_ended_at,
                    "window": window,
                    "ends_earliest": earliest,
                    "ends_latest": latest,
                },
                "needles": {"inserted": s.needles_inserted, "removed": s.needles_removed},
                "with_patient": s.contact_started_at is not None,
            }
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    out.sort(key=lambda r: (r["retention"]["ends_latest"] or far, r["opened_at"]))
    audit.append(
        actor,
        "list",
        "treatment_rooms",
        clinic_id=actor.clinic_id,
        detail={"sessions": [str(r["session_id"]) for r in out]},
    )
    return out
