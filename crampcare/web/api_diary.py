"""The cramp diary in the JSON API (mounted by ``web.api``): links and entries, for practitioners.
Each operation calls one use case of ``clinic.diary``. The patient's own JSON ``POST`` goes to
the link itself (``/diary/<token>``, ``web.diary_pages``), not here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import BaseModel, StrictInt

from crampcare.clinic import diary
from crampcare.clinic.diary import DiaryEntryIn, DiaryEntryPatch
from crampcare.clinic.schemas import ErrorOut, Input, Stamp, parse
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)
}

router = Router(tags=["diary"])


class DiaryLinkOut(BaseModel):
    id: uuid.UUID
    url: str
    expires_at: dt.datetime


class DiaryLinkIn(Input):
    days: StrictInt | None = None


class DiaryEntryOut(Stamp):
    id: uuid.UUID
    patient_id: uuid.UUID
    date: dt.date
    cramps: int
    worst_severity: int | None
    typical_duration_minutes: int | None
    sleep_disturbance: int | None
    regions: list[str]
    source: Literal["patient", "practitioner"]
    link_id: uuid.UUID | None


@router.post("/patients/{patient_id}/diary-links", response={201: DiaryLinkOut, **ERRORS})
def create_link(request: HttpRequest, patient_id: uuid.UUID) -> Status[dict[str, Any]]:
    """A private diary link for the patient (no account needed). The token is in ``url`` only
    in this response: it is stored as a hash. The body is optional: ``{"days": 30}`` sets how
    long the link lasts (1 to 366 days; default 90)."""
    from crampcare.web.api import StrictJSON  # web.api mounts this router

    data = StrictJSON().parse_body(request) if request.content_type == "application/json" else {}
    days = parse(DiaryLinkIn, data).days
    base = request.build_absolute_uri("/").rstrip("/")
    return Status(201, diary.create_link(actor_of(request), patient_id, days=days, base_url=base))


@router.delete("/diary-links/{diary_link_id}", response={204: None, **ERRORS})
def revoke_link(request: HttpRequest, diary_link_id: uuid.UUID) -> Status[None]:
    """Stop a link at once (again: no change)."""
    diary.revoke_link(actor_of(request), diary_link_id)
    return Status(204, None)


@router.get("/patients/{patient_id}/diary-entries", response={200: list[DiaryEntryOut], **ERRORS})
def list_entries(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every entry of the patient's diary, newest date first."""
    return diary.entries(actor_of(request), patient_id)


@router.post("/patients/{patient_id}/diary-entries", response={201: DiaryEntryOut, **ERRORS})
def add_entry(
    request: HttpRequest, patient_id: uuid.UUID, payload: DiaryEntryIn
) -> Status[dict[str, Any]]:
    """Enter a day (e.g. from a paper diary; any past date). 409 if the day has an entry."""
    return Status(201, diary.add_entry(actor_of(request), patient_id, payload))


@router.patch("/diary-entries/{diary_entry_id}", response={200: DiaryEntryOut, **ERRORS})
def correct_entry(
    request: HttpRequest, diary_entry_id: uuid.UUID, payload: DiaryEntryPatch
) -> dict[str, Any]:
    """Correct some values of an entry (audited with the names of the fields changed)."""
    return diary.correct_entry(
        actor_of(request), diary_entry_id, payload.model_dump(exclude_unset=True)
    )
