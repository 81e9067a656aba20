"""The JSON API of treatment sessions: the same use cases as the session page
(``crampcare.clinic.sessions``). Mounted by ``web.api`` under /api/v1."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from crampcare import services
from crampcare.clinic import sessions
from crampcare.clinic.schemas import ErrorOut
from crampcare.clinic.session_schemas import (
    AddendumIn,
    AdverseEventIn,
    BillingOut,
    ContactAction,
    NeedleCount,
    RetentionAction,
    SessionOut,
    SessionPatch,
    SessionStart,
)
from crampcare.web.actor import actor_of

ERRORS: dict[int, Any] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)}

router = Router(tags=["sessions"])
patient_sessions = Router(tags=["sessions"])


@router.post("", response={201: SessionOut, **ERRORS})
def start_session(request: HttpRequest, payload: SessionStart) -> Status[dict[str, Any]]:
    """Start a session from the patient's current plan (the latest plan of the latest
    assessment), pre-filled with the last session's points. 409 while needling is deferred,
    without a plan or consent to treatment, or with a session still open."""
    return Status(
        201, sessions.start_session(actor_of(request), payload, services.knowledge_base())
    )


@router.get("/{session_id}", response={200: SessionOut, **ERRORS})
def get_session(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    return sessions.get_session(actor_of(request), session_id, services.knowledge_base())


@router.patch("/{session_id}", response={200: SessionOut, **ERRORS})
def update_session(
    request: HttpRequest, session_id: uuid.UUID, payload: SessionPatch
) -> dict[str, Any]:
    """Change points (a point off the plan, or a plan point left out, needs its reason),
    positions, the needle lot, measures and the SOAP note. 409 once signed."""
    data = payload.model_dump(exclude_unset=True)
    return sessions.update_session(actor_of(request), session_id, data, services.knowledge_base())


@router.post("/{session_id}/needles", response={200: SessionOut, **ERRORS})
def count_needles(request: HttpRequest, session_id: uuid.UUID, payload: NeedleCount) -> Any:
    """Count one needle in or out (``delta`` -1 undoes a miscount)."""
    return sessions.count_needles(actor_of(request), session_id, payload)


@router.post("/{session_id}/retention", response={200: SessionOut, **ERRORS})
def retention(request: HttpRequest, session_id: uuid.UUID, payload: RetentionAction) -> Any:
    """Start the retention timer (server time) or end it."""
    return sessions.retention(actor_of(request), session_id, payload)


@router.post("/{session_id}/contact", response={200: SessionOut, **ERRORS})
def contact(request: HttpRequest, session_id: uuid.UUID, payload: ContactAction) -> Any:
    """The practitioner enters or leaves the room (one-on-one contact intervals)."""
    return sessions.contact(actor_of(request), session_id, payload)


@router.post("/{session_id}/adverse-events", response={201: SessionOut, **ERRORS})
def add_adverse_event(
    request: HttpRequest, session_id: uuid.UUID, payload: AdverseEventIn
) -> Status[dict[str, Any]]:
    return Status(201, sessions.add_adverse_event(actor_of(request), session_id, payload))


@router.post("/{session_id}/close", response={200: SessionOut, **ERRORS})
def close_session(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    """Close the session; 409 listing every problem (needle counts, lot, contact, retention)."""
    return sessions.close_session(actor_of(request), session_id, services.knowledge_base())


@router.post("/{session_id}/sign", response={200: SessionOut, **ERRORS})
def sign_session(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    """Sign a closed session (practitioners): it is locked from then on."""
    return sessions.sign_session(actor_of(request), session_id)


@router.post("/{session_id}/addenda", response={201: SessionOut, **ERRORS})
def add_addendum(
    request: HttpRequest, session_id: uuid.UUID, payload: AddendumIn
) -> Status[dict[str, Any]]:
    """Add to a signed session without changing it (reason and text; who and when kept)."""
    return Status(201, sessions.add_addendum(actor_of(request), session_id, payload))


@router.get("/{session_id}/billing", response={200: BillingOut, **ERRORS})
def session_billing(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    """CPT codes of every closed session of the patient on the session's date, each line with
    its reason, and the ICD-10-CM diagnoses of the assessment."""
    return sessions.session_billing(actor_of(request), session_id, services.knowledge_base())


@patient_sessions.get("/patients/{patient_id}/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    return sessions.list_sessions(actor_of(request), patient_id)
