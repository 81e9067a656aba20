"""The live part of a treatment session, used beside the table: needle counts, the retention
timer, the practitioner's contact intervals, adverse events.

Counts change by atomic ``F()`` increments (two taps at once both count) and the database
refuses a count below zero or more needles out than in. Times are the server's clock when the
button is pressed, stored as timestamps: the timer survives a reload; the document shows them
as local "HH:MM".
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from crampcare import services
from crampcare.clinic.access import Can, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, Invalid, from_pydantic
from crampcare.clinic.schemas import parse
from crampcare.clinic.session_schemas import (
    AdverseEventIn,
    ContactAction,
    NeedleCount,
    RetentionAction,
)
from crampcare.clinic.session_view import (
    WHAT,
    hhmm,
    minutes,
    permission,
    record,
    require_status,
    save,
    session_dict,
    session_for,
)
from crampcare.core.session import AdverseEvent, is_serious
from crampcare.records.models import SessionAdverseEvent, SessionStatus, TreatmentSession

OPEN, CLOSED = SessionStatus.OPEN, SessionStatus.CLOSED


def _view(actor: Actor, session_id: object) -> dict[str, Any]:
    return session_dict(session_for(actor, session_id), services.knowledge_base())


def count_needles(actor: Actor, session_id: object, data: Any) -> dict[str, Any]:
    """One needle in or out (``delta`` 1), or a miscount undone (``delta`` -1)."""
    require(actor, Can.CLINICAL, WHAT)
    body = parse(NeedleCount, data)
    column = f"needles_{body.which}"
    with transaction.atomic():
        session = session_for(actor, session_id)
        require_status(session, OPEN)
        user = actor if actor.pk else None
        try:
            with transaction.atomic():
                changed = TreatmentSession.objects.filter(pk=session.pk, status=OPEN).update(
                    **{column: F(column) + body.delta},
                    updated_at=timezone.now(),
                    updated_by=user,
                )
        except IntegrityError:
            raise Conflict(_miscount(body.which, body.delta), "delta") from None
        if not changed:  # closed by another request meanwhile
            require_status(session_for(actor, session_id), OPEN)
        session.refresh_from_db(fields=["needles_inserted", "needles_removed"])
        record(
            actor,
            "needles",
            session,
            which=body.which,
            delta=body.delta,
            inserted=session.needles_inserted,
            removed=session.needles_removed,
        )
    return _view(actor, session_id)


def _miscount(which: str, delta: int) -> str:
    if which == "removed" and delta == 1:
        return "no more needles can be counted out than were counted in"
    if which == "inserted":
        return "needles counted in cannot go below zero nor below those counted out"
    return "needles counted out cannot go below zero"


def retention(actor: Actor, session_id: object, data: Any) -> dict[str, Any]:
    """Start the retention timer when the last needle is in; end it when they come out."""
    require(actor, Can.CLINICAL, WHAT)
    body = parse(RetentionAction, data)
    now = timezone.now()
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        require_status(session, OPEN)
        started, ended = session.retention_started_at, session.retention_ended_at
        if body.action == "start":
            if started is not None:
                raise Conflict(f"retention already started at {hhmm(started)}", "action")
            if session.needles_inserted == 0:
                raise Conflict("no needle is counted in yet: count the needles in", "action")
            session.retention_started_at = now
            save(session, actor, "retention_started_at")
        else:
            if started is None:
                raise Conflict("retention has not started", "action")
            if ended is not None:
                raise Conflict(f"retention already ended at {hhmm(ended)}", "action")
            if hhmm(now) == hhmm(started):
                raise Conflict(
                    f"retention started at {hhmm(started)}: end it from the next minute on "
                    "(the record counts whole minutes)",
                    "action",
                )
            session.retention_ended_at = now
            save(session, actor, "retention_ended_at")
        record(actor, "retention", session, action=body.action, at=now.isoformat())
    return _view(actor, session_id)


def contact(actor: Actor, session_id: object, data: Any) -> dict[str, Any]:
    """The practitioner enters the room (an interval opens) or leaves it (the interval goes
    into the document's contact list, with its electrical and re-insertion flags)."""
    require(actor, Can.CLINICAL, WHAT)
    body = parse(ContactAction, data)
    now = timezone.now()
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        require_status(session, OPEN)
        electro = permission(session.assessment.result, "electroacupuncture")
        if body.electrical and not electro["allowed"]:
            raise Invalid(
                [
                    (
                        "electrical",
                        f"electrical stimulation is not allowed for this patient: "
                        f"{electro['reason']}",
                    )
                ]
            )
        started = session.contact_started_at
        if body.action == "enter":
            if started is not None:
                raise Conflict(f"already in the room since {hhmm(started)}: leave first", "action")
            session.contact_started_at = now
            session.contact_electrical, session.contact_reinsertion = (
                body.electrical,
                body.reinsertion,
            )
            kept = None
        else:
            if started is None:
                raise Conflict("not marked in the room: enter first", "action")
            kept = _close_interval(session, hhmm(started), hhmm(now), body)
        save(
            session,
            actor,
            "document",
            "contact_started_at",
            "contact_electrical",
            "contact_reinsertion",
        )
        record(actor, "contact", session, action=body.action, interval=kept)
    return _view(actor, session_id)


def _close_interval(
    session: TreatmentSession, start: str, end: str, body: ContactAction
) -> dict[str, Any] | None:
    """Put the open interval into the document; one shorter than a clock minute is dropped
    (the document counts whole minutes, and billing counts 15-minute increments)."""
    interval = None
    if minutes(end) > minutes(start):
        interval = {
            "start": start,
            "end": end,
            "electrical": session.contact_electrical or body.electrical,
            "reinsertion": session.contact_reinsertion or body.reinsertion,
        }
        doc = dict(session.document)
        doc["contact"] = [*doc.get("contact", []), interval]
        session.document = doc
    session.contact_started_at = None
    session.contact_electrical = session.contact_reinsertion = False
    return interval


def add_adverse_event(actor: Actor, session_id: object, data: Any) -> dict[str, Any]:
    """Record an adverse event (open or closed session; not after signing: use an addendum)."""
    require(actor, Can.CLINICAL, WHAT)
    body = parse(AdverseEventIn, data)
    event = {
        "kind": body.kind,
        "severity": body.severity,
        "action": body.action,
        **({"description": body.description} if body.description else {}),
        "at": body.at or hhmm(timezone.now()),
    }
    try:
        checked = AdverseEvent.model_validate(event)
    except ValueError as exc:  # pydantic's ValidationError: description required for other
        raise from_pydantic(getattr(exc, "errors", list)()) from None
    with transaction.atomic():
        session = session_for(actor, session_id, lock=True)
        require_status(session, OPEN, CLOSED)
        doc = dict(session.document)
        doc["adverse_events"] = [*doc.get("adverse_events", []), event]
        session.document = doc
        save(session, actor, "document")
        row = SessionAdverseEvent(
            session=session,
            clinic_id=actor.clinic_id,
            patient_id=session.patient_id,
            kind=body.kind,
            severity=body.severity,
            serious=is_serious(checked),
            action=body.action,
            description=body.description,
            at=event["at"],
        )
        row.stamp(actor, created=True)
        row.save(force_insert=True)
        record(
            actor,
            "adverse_event",
            session,
            kind=body.kind,
            severity=body.severity,
            serious=row.serious,
        )
    return _view(actor, session_id)
