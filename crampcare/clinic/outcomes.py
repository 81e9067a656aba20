"""A patient's outcomes (``core.outcomes``) and the course review: gathered from the cramp
diary, the measures of the current plan's sessions and the latest intake's episodes per week.

Clinical content: practitioners only (``Can.CLINICAL``); another clinic's patient is not found.
Every read and every review decision is audited.

The course is the current plan's (``clinic.course.current_plan``): its first session starts
week 1, and the diary before it is the baseline. A patient without a plan has no sessions, so
only the baseline can be shown.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import Field

from crampcare.clinic.access import Can, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.course import current_plan, plan_course
from crampcare.clinic.errors import Conflict
from crampcare.clinic.schemas import CLEAN, Input, bounds, parse
from crampcare.core import outcomes as metrics
from crampcare.core.course import CourseState
from crampcare.core.review import review_prompt
from crampcare.records import audit
from crampcare.records.models import (
    DiaryEntry,
    Intake,
    Patient,
    ReviewChoice,
    ReviewDecision,
    TreatmentPlan,
    TreatmentSession,
)

ReviewNote = Annotated[str, bounds(0, 1000), CLEAN]


class ReviewIn(Input):
    key: Annotated[str, Field(min_length=1, max_length=40)] = Field(
        description='the review decided, as the prompt gives it: "session:4", "worsening:week:6"'
    )
    decision: Literal["continue"] = Field(
        description="continue the course (reassess and refer are the intake and the letter)"
    )
    note: ReviewNote = ""


def _intake_episodes(patient: Patient) -> float | None:
    intake = Intake.objects.filter(patient=patient).order_by("-version").first()
    if intake is None:
        return None
    value = (intake.document.get("complaint") or {}).get("episodes_per_week")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _sessions(plan: TreatmentPlan | None) -> list[TreatmentSession]:
    if plan is None:
        return []
    return list(TreatmentSession.objects.filter(plan=plan).order_by("date", "created_at"))


def _points(sessions: list[TreatmentSession]) -> list[metrics.SessionPoint]:
    out = []
    for s in sessions:
        measures = (s.document or {}).get("measures") or {}
        out.append(
            metrics.SessionPoint(s.date, measures.get("pain_before"), measures.get("pain_after"))
        )
    return out


def _diary(patient: Patient) -> list[metrics.DiaryDay]:
    return [
        metrics.DiaryDay(
            e.date, e.cramps, e.worst_severity, e.typical_duration_minutes, e.sleep_disturbance
        )
        for e in DiaryEntry.objects.filter(patient=patient).order_by("date")
    ]


def _decided(plan: TreatmentPlan | None) -> set[str]:
    if plan is None:
        return set()
    return set(ReviewDecision.objects.filter(plan=plan).values_list("key", flat=True))


def _gather(patient: Patient) -> dict[str, Any]:
    """The outcomes, the course and the review prompt of ``patient`` (not audited)."""
    plan = current_plan(patient)
    sessions = _sessions(plan)
    today = timezone.localdate()
    result = metrics.outcomes(_diary(patient), _points(sessions), _intake_episodes(patient), today)
    state: CourseState | None = plan_course(plan, timezone.now()) if plan else None
    return {
        "patient_id": patient.id,
        "plan_id": plan.id if plan else None,
        "today": today,
        **result,
        "review": review_prompt(state, result, _decided(plan)),
        "_sessions": [str(s.id) for s in sessions],
    }


def _read(actor: Actor, patient: Patient, what: str, out: dict[str, Any]) -> dict[str, Any]:
    sessions = out.pop("_sessions")
    audit.append(
        actor,
        "read",
        what,
        out["plan_id"] or "",
        patient_id=patient.id,
        detail={"sessions": sessions, "weeks": len(out["weeks"])},
    )
    return out


def outcomes(actor: Actor, patient_id: object) -> dict[str, Any]:
    """Baseline, weeks, current frequency, change, responders, pain, what is missing, the
    sources, and the review prompt of the current course (docs/outcomes.md)."""
    require(actor, Can.CLINICAL, "outcomes")
    patient = patient_for(actor, patient_id)
    return _read(actor, patient, "outcomes", _gather(patient))


def review(actor: Actor, patient_id: object) -> dict[str, Any] | None:
    """The review prompt of the current course (None without a plan)."""
    require(actor, Can.CLINICAL, "review")
    patient = patient_for(actor, patient_id)
    out = _read(actor, patient, "review", _gather(patient))
    prompt: dict[str, Any] | None = out["review"]
    return prompt


def decide_review(actor: Actor, patient_id: object, data: Any) -> dict[str, Any]:
    """Record "continue" for the review the patient page asks about now. Refuses a review that
    is not due (409 naming ``key``) and a second decision for the same review (409)."""
    require(actor, Can.CLINICAL, "review")
    body: ReviewIn = parse(ReviewIn, data)
    with transaction.atomic():
        patient = patient_for(actor, patient_id, lock=True)
        current = _gather(patient)
        prompt = current["review"]
        if ReviewDecision.objects.filter(plan_id=current["plan_id"], key=body.key).exists():
            raise Conflict(f"the review {body.key} is already decided", "key")
        if not prompt or not prompt["due"] or prompt["key"] != body.key:
            due = prompt["key"] if prompt and prompt["due"] else None
            raise Conflict(
                f"no review {body.key} is due" + (f": the review due is {due}" if due else ""),
                "key",
            )
        row = ReviewDecision(
            patient=patient,
            plan_id=current["plan_id"],
            key=body.key,
            session_number=prompt["session_number"],
            decision=ReviewChoice(body.decision),
            note=body.note,
        )
        row.stamp(actor, created=True)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:  # a parallel request decided it first
            raise Conflict(f"the review {body.key} is already decided", "key") from None
        audit.append(
            actor,
            "decide",
            "review",
            row.id,
            patient_id=patient.id,
            detail={"key": row.key, "decision": row.decision, "plan_id": str(row.plan_id)},
        )
    return {
        "id": row.id,
        "patient_id": patient.id,
        "plan_id": row.plan_id,
        "key": row.key,
        "session_number": row.session_number,
        "decision": row.decision,
        "note": row.note,
        "created_at": row.created_at,
        "created_by": actor.get_username(),
    }
