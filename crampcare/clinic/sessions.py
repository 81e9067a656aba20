"""Treatment sessions: start one from the patient's current plan, change its points, close,
sign and lock it, add addenda, and bill the day.

A session starts from the latest plan of the patient's current (latest) assessment, pre-filled
with the last session's points of that plan, or the plan's points on the first. It is refused
while that assessment defers needling, without a plan, without the patient's consent to
treatment, and while the patient has an open session (the database decides under races).
Closing reports every problem at once; signing locks the session, after which only addenda are
added (the service refuses every change, and so does a database trigger).

The live part of a session (needle counts, retention, contact, adverse events) is in
``session_live``; its use cases are exported here too, so that the shells import one module.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crampcare import services
from crampcare.clinic.access import Can, patient_for, records_of_patient, require, uuid_key
from crampcare.clinic.actor import Actor, account
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound
from crampcare.clinic.living import refuse_if_deceased
from crampcare.clinic.schemas import parse
from crampcare.clinic.session_live import add_adverse_event, contact, count_needles, retention
from crampcare.clinic.session_points import plan_problems, safety_problems
from crampcare.clinic.session_schemas import AddendumIn, SessionPatch, SessionStart
from crampcare.clinic.session_view import (
    WHAT,
    compose,
    record,
    refuse,
    require_status,
    save,
    session_dict,
    session_dicts,
    session_for,
)
from crampcare.core.billing import Unbillable, bill
from crampcare.core.session import (
    SCHEMA_ID,
    InvalidSession,
    Session,
    needle_problems,
    parse_session,
)
from crampcare.kb.loader import KnowledgeBase
from crampcare.records.models import (
    Assessment,
    Decision,
    Patient,
    Role,
    SessionAddendum,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)

__all__ = [
    "add_addendum",
    "add_adverse_event",
    "close_session",
    "contact",
    "count_needles",
    "get_session",
    "list_sessions",
    "retention",
    "session_billing",
    "sign_session",
    "start_session",
    "update_session",
]

OPEN, CLOSED, LOCKED = SessionStatus.OPEN, SessionStatus.CLOSED, SessionStatus.LOCKED
EMPTY_NOTE = {"subjective": "", "objective": "", "assessment": "", "plan": ""}


# --- start ---------------------------------------------------------------------------------


def _current_assessment(patient: Patient) -> Assessment:
    assessment = Assessment.objects.filter(patient=patient).order_by("-created_at").first()
    if assessment is None:
        raise Conflict("the patient has no assessment: assess them and record a plan", "patient_id")
    if not assessment.needling_allowed:
        reason = assessment.result.get("needling", {}).get("reason", "")
        raise Conflict(
            f"needling is deferred by the latest assessment ({assessment.assessed_on}): {reason}",
            "patient_id",
        )
    return assessment


def _current_plan(patient: Patient, assessment: Assessment, plan_id: object) -> TreatmentPlan:
    plans = TreatmentPlan.objects.filter(patient=patient)
    if plan_id is None:
        plan = plans.filter(assessment=assessment).order_by("-created_at").first()
        if plan is None:
            raise Conflict(
                f"there is no plan for the current assessment ({assessment.assessed_on}): "
                "record the plan first",
                "plan_id",
            )
        return plan
    key = uuid_key(plan_id)
    plan = plans.filter(pk=key).first() if key is not None else None
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    if plan.assessment_id != assessment.id:
        raise Conflict(
            f"plan {plan.id} follows an earlier assessment: plan from the current one "
            f"({assessment.assessed_on}) first",
            "plan_id",
        )
    return plan


def _prefill(plan: TreatmentPlan, assessment: Assessment) -> tuple[dict[str, Any], list[Any]]:
    """The last session's points of this plan (with their reasons), or the plan's points."""
    last = TreatmentSession.objects.filter(plan=plan).order_by("-date", "-created_at").first()
    if last is not None:
        positions = last.document.get("positions") or []
        return {"points": list(last.document.get("points", [])), "positions": positions}, list(
            last.omitted
        )
    points = [
        {
            "code": p.code,
            "side": p.side,
            **({"region": p.region} if p.code == "ASHI" and p.region else {}),
            "stimulation": "manual",
        }
        for p in plan.points.all()
        if p.decision != Decision.REMOVED
    ]
    positions = list(assessment.result.get("session", {}).get("positions", []))
    return {"points": points, "positions": positions}, []


def start_session(actor: Actor, data: Any, kb: KnowledgeBase) -> dict[str, Any]:
    require(actor, Can.CLINICAL, WHAT)
    body = parse(SessionStart, data)
    today = timezone.localdate()
    if body.date is not None and body.date > today:
        raise Invalid([("date", "must not be in the future")])
    try:
        with transaction.atomic():
            patient = patient_for(actor, body.patient_id)
            refuse_if_deceased(patient, "patient_id")
            if not patient.consent_treatment:
                raise Conflict(
                    "the patient has not consented to treatment: record their consent "
                    "(consent_treatment) before treating",
                    "patient_id",
                )
            assessment = _current_assessment(patient)
            plan = _current_plan(patient, assessment, body.plan_id)
            _no_open_session(patient)
            _course_not_complete(plan, assessment)
            filled, omitted = _prefill(plan, assessment)
            date = body.date or today
            session = TreatmentSession(
                patient=patient,
                plan=plan,
                assessment=assessment,
                date=date,
                omitted=omitted,
                document={
                    "schema": SCHEMA_ID,
                    "date": date.isoformat(),
                    "patient": str(patient.id),
                    "plan_id": str(plan.id),
                    **filled,
                    "contact": [],
                    "adverse_events": [],
                    "measures": {},
                    "note": dict(EMPTY_NOTE),
                },
            )
            session.stamp(actor, created=True)
            session.save(force_insert=True)
            record(actor, "create", session, plan=str(plan.id), assessment=str(assessment.id))
    except IntegrityError:  # another request opened one first: the unique constraint decided
        raise Conflict(_OPEN_MESSAGE, "patient_id") from None
    return session_dict(session_for(actor, session.id), kb)


_OPEN_MESSAGE = "the patient already has an open session: close it before starting another"


def _course_not_complete(plan: Any, assessment: Any) -> None:
    """A plan's course ends at its maximum: more sessions need a re-assessment and a new plan."""
    maximum = (assessment.result.get("course") or {}).get("sessions", {}).get("max")
    if maximum is None:
        return
    done = TreatmentSession.objects.filter(plan=plan).count()
    if done >= maximum:
        raise Conflict(
            f"the course of this plan is complete ({done} of {maximum} sessions): reassess the "
            "patient and accept a new plan to treat further",
            "plan_id",
        )


def _no_open_session(patient: Patient) -> None:
    open_id = (
        TreatmentSession.objects.filter(patient=patient, status=OPEN)
        .values_list("id", flat=True)
        .first()
    )
    if open_id is not None:
        raise Conflict(f"{_OPEN_MESSAGE} (session {open_id})", "patient_id")


# --- read ----------------------------------------------------------------------------------


def get_session(actor: Actor, session_id: object, kb: KnowledgeBase) -> dict[str, Any]:
    require(actor, Can.CLINICAL, WHAT)
    session = session_for(actor, session_id)
    record(actor, "read", session)
    return session_dict(session, kb)


def list_sessions(actor: Actor, patient_id: object) -> list[dict[str, Any]]:
    """The patient's sessions, newest first, each as ``get_session`` gives it."""
    require(actor, Can.CLINICAL, WHAT)
    rows = records_of_patient(
        TreatmentSession,
        actor,
        patient_id,
        WHAT,
        "-date",
        "assessment",
        "plan",
        "signed_by",
        "created_by",
        "updated_by",
    )
    kb = services.knowledge_base()
    return session_dicts(sorted(rows, key=_newest_first), kb)


def _newest_first(session: TreatmentSession) -> tuple[Any, ...]:
    return (-session.date.toordinal(), -session.created_at.timestamp())


# --- change --------------------------------------------------------------------------------


def _dump(parsed: Session, key: str) -> Any:
    return parsed.model_dump(by_alias=True, exclude_none=True, mode="json")[key]


def update_session(
    actor: Actor, session_id: object, data: Any, kb: KnowledgeBase
) -> dict[str, Any]:
    """Change the points (with the plan points left out), positions, needle lot, measures and
    note. Points, positions and the lot only while the session is open."""
    require(actor, Can.CLINICAL, WHAT)
    body = parse(SessionPatch, data)
    given = body.model_fields_set
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        live = given & {"points", "omitted", "positions", "lot"}
        require_status(session, OPEN) if live else require_status(session, OPEN, CLOSED)
        doc = dict(session.document)
        for key in ("points", "positions", "measures", "note"):
            value = getattr(body, key)
            if key in given and value is not None:
                doc[key] = value
        omitted = (
            [o.model_dump() for o in body.omitted]
            if "omitted" in given and body.omitted is not None
            else list(session.omitted)
        )
        if "lot" in given:
            session.needle_lot = body.lot or ""
        session.document = doc
        try:
            parsed = parse_session(compose(session), kb)
        except InvalidSession as exc:
            raise Invalid(exc.errors) from None
        problems = plan_problems(parsed, omitted, session) if session.status == OPEN else []
        problems += safety_problems(parsed, session.assessment.result)
        if problems:
            raise Invalid(problems)
        for key in ("points", "positions", "measures", "note"):
            doc[key] = _dump(parsed, key)
        session.omitted = omitted
        save(session, actor, "document", "omitted", "needle_lot")
        record(actor, "update", session, fields=sorted(given))
    return session_dict(session, kb)


# --- close, sign, addenda ------------------------------------------------------------------


def close_session(actor: Actor, session_id: object, kb: KnowledgeBase) -> dict[str, Any]:
    """Close the session, or refuse with every problem at once: counts that differ without a
    retained or lost needle incident, no lot, the practitioner still in the room, retention
    not ended, anything the session contract refuses."""
    require(actor, Can.CLINICAL, WHAT)
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        require_status(session, OPEN)
        problems: list[tuple[str, str]] = []
        if session.contact_started_at is not None:
            problems.append(("contact", "the practitioner is still marked in the room: leave"))
        if session.needles_inserted and session.retention_started_at is None:
            problems.append(("retention.start", "retention was not started"))
        elif session.retention_started_at and session.retention_ended_at is None:
            problems.append(("retention.end", "retention has not ended: end it"))
        doc = compose(session)
        try:
            problems += needle_problems(parse_session(doc, kb))
        except InvalidSession as exc:
            problems += exc.errors
        if problems:
            raise refuse(problems)
        session.document, session.status = doc, CLOSED
        save(session, actor, "document", "status")
        record(actor, "close", session)
    return session_dict(session, kb)


def sign_session(actor: Actor, session_id: object) -> dict[str, Any]:
    """Sign a closed session: it is locked from then on (changes are addenda)."""
    require(actor, Can.CLINICAL, WHAT)
    if actor.role != Role.PRACTITIONER:
        raise Forbidden("only a practitioner may sign a session")
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        require_status(session, CLOSED)
        session.status, session.signed_by, session.signed_at = (
            LOCKED,
            account(actor),
            timezone.now(),
        )
        save(session, actor, "status", "signed_by", "signed_at")
        record(actor, "sign", session)
    return session_dict(session, services.knowledge_base())


def add_addendum(actor: Actor, session_id: object, data: Any) -> dict[str, Any]:
    """Add to a signed session without changing it: who, when, why and what."""
    require(actor, Can.CLINICAL, WHAT)
    body = parse(AddendumIn, data)
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        if session.status != LOCKED:
            raise Conflict(
                f"the session is {session.status}, not signed: change it directly; addenda are "
                "for signed sessions",
                "status",
            )
        addendum = SessionAddendum.objects.create(
            session=session, author=account(actor), reason=body.reason, text=body.text
        )
        record(actor, "addendum", session, addendum=addendum.id, fields=["reason", "text"])
    return session_dict(session, services.knowledge_base())


# --- billing -------------------------------------------------------------------------------


def session_billing(actor: Actor, session_id: object, kb: KnowledgeBase) -> dict[str, Any]:
    """The codes of the patient's day: every closed or signed session of the patient on the
    session's date (one initial code per patient per day), with the assessment's diagnoses."""
    require(actor, Can.CLINICAL, WHAT)
    session = session_for(actor, session_id)
    day = list(
        TreatmentSession.objects.filter(
            patient_id=session.patient_id, date=session.date, status__in=[CLOSED, LOCKED]
        ).order_by("created_at")
    )
    if not day:
        raise Conflict(
            f"no closed session of this patient on {session.date}: close the session first",
            "status",
        )
    try:
        documents = [parse_session(compose(s), kb) for s in day]
    except InvalidSession as exc:  # valid when closed; the kb changed since
        raise Conflict(f"a session of the day is no longer valid: {exc}", "status") from None
    try:
        result = bill(documents, session.assessment.result, [f"session {s.id}" for s in day])
    except Unbillable as exc:
        raise refuse(exc.errors) from None
    record(actor, "read", session, billing=[str(s.id) for s in day])
    return {
        "date": session.date,
        "patient_id": session.patient_id,
        "sessions": [s.id for s in day],
        **result,
    }
