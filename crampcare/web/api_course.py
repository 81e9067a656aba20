"""The course of sessions, bookings, the iCalendar file, the timeline, serious adverse events and
the treatment rooms in the JSON API (mounted by ``web.api``). Each operation calls one use case
of ``clinic.course`` or ``clinic.timeline``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import BaseModel

from crampcare.clinic import course, timeline
from crampcare.clinic.course import BookingIn
from crampcare.clinic.schemas import ErrorOut, Stamp
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)
}

router = Router(tags=["course"])


class BookingOut(Stamp):
    id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: uuid.UUID
    session_number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    duration_minutes: int
    status: Literal["booked", "cancelled", "done"]
    note: str


class CourseOut(BaseModel):
    patient_id: uuid.UUID
    plan_id: uuid.UUID | None
    assessment_id: uuid.UUID | None
    starts: Literal["now", "after_medical_clearance"] | None
    course: dict[str, Any] | None
    bookings: list[BookingOut]


class TimelineItem(BaseModel):
    at: dt.datetime
    kind: Literal[
        "intake", "assessment", "plan", "session", "review", "adverse_event", "addendum", "booking"
    ]
    title: str
    detail: str
    clinical: bool
    patient_id: uuid.UUID
    intake_id: uuid.UUID | None = None
    assessment_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    booking_id: uuid.UUID | None = None
    adverse_event_id: int | None = None
    addendum_id: int | None = None
    status: str | None = None
    severity: str | None = None
    serious: bool | None = None


class SeriousEvent(BaseModel):
    id: int
    session_id: uuid.UUID
    patient_id: uuid.UUID
    date: dt.date
    at: str
    kind: str
    severity: str
    serious: bool
    action: str
    recorded_at: dt.datetime


class SeriousEventsOut(BaseModel):
    patient_id: uuid.UUID
    count: int
    events: list[SeriousEvent]


class KindCount(BaseModel):
    kind: str
    count: int


class PracticeCountsOut(BaseModel):
    clinic_id: int
    total: int
    by_kind: list[KindCount]


class Window(BaseModel):
    min: int
    max: int


class Retention(BaseModel):
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    window: Window | None
    ends_earliest: dt.datetime | None
    ends_latest: dt.datetime | None


class Needles(BaseModel):
    inserted: int
    removed: int


class RoomOut(BaseModel):
    session_id: uuid.UUID
    patient_id: uuid.UUID
    patient: str
    date: dt.date
    opened_at: dt.datetime
    retention: Retention
    needles: Needles
    with_patient: bool


@router.get("/patients/{patient_id}/course", response={200: CourseOut, **ERRORS})
def get_course(request: HttpRequest, patient_id: uuid.UUID) -> dict[str, Any]:
    """The current plan's course: each session number done, in progress, next or left, the
    review sessions, what is left to the minimum and maximum, and the bookings."""
    return course.course(actor_of(request), patient_id)


@router.post("/patients/{patient_id}/bookings", response={201: CourseOut, **ERRORS})
def book(request: HttpRequest, patient_id: uuid.UUID, payload: BookingIn) -> Status[Any]:
    """Book the next sessions (times with their UTC offset, ahead). 409 when more are asked
    for than the course has left, or the patient is booked at that time."""
    return Status(201, course.book(actor_of(request), patient_id, payload))


@router.delete("/bookings/{booking_id}", response={200: BookingOut, **ERRORS})
def cancel(request: HttpRequest, booking_id: uuid.UUID) -> dict[str, Any]:
    """Cancel a booking; the later bookings move up a session number."""
    return course.cancel_booking(actor_of(request), booking_id)


@router.get(
    "/patients/{patient_id}/calendar.ics",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def calendar(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The sessions booked ahead as an iCalendar file (RFC 5545) for the patient."""
    body = course.calendar(actor_of(request), patient_id)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="acupuncture-sessions.ics"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/patients/{patient_id}/timeline", response={200: list[TimelineItem], **ERRORS})
def get_timeline(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """The patient's care, newest first. The front desk sees the bookings only."""
    return timeline.timeline(actor_of(request), patient_id)


@router.get(
    "/patients/{patient_id}/serious-adverse-events", response={200: SeriousEventsOut, **ERRORS}
)
def serious_events(request: HttpRequest, patient_id: uuid.UUID) -> dict[str, Any]:
    """The patient's serious adverse events (the banner on the patient)."""
    return timeline.serious_events(actor_of(request), patient_id)


@router.get("/practice/adverse-events", response={200: PracticeCountsOut, **ERRORS})
def practice_counts(request: HttpRequest) -> dict[str, Any]:
    """Serious adverse events in your clinic, counted by kind."""
    return timeline.practice_counts(actor_of(request))


@router.get("/treatment-rooms", response={200: list[RoomOut], **ERRORS})
def treatment_rooms(request: HttpRequest) -> list[dict[str, Any]]:
    """Your clinic's open sessions with their retention timers, the soonest to end first."""
    return timeline.treatment_rooms(actor_of(request))
