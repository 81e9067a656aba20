"""The course of sessions and its bookings: where the patient stands in the current plan's
course (``core.course``), the sessions booked ahead, and the iCalendar file of those bookings.

This is the schedule: practitioners and the front desk see it (``Can.SCHEDULE``); it carries
session numbers, dates and times, never what was done in a session.

The current plan is the patient's newest plan; its course comes from the plan's assessment, and
its sessions are the treatment sessions recorded against that plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar, Event
from pydantic import AwareDatetime, Field

from crampcare.clinic._common import stamp
from crampcare.clinic.access import Can, patient_for, record_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, Invalid
from crampcare.clinic.schemas import CLEAN, Input, bounds, parse
from crampcare.core.course import Booked, CourseState, SessionDone, course_state
from crampcare.records import audit
from crampcare.records.models import (
    Booking,
    BookingStatus,
    Patient,
    TreatmentPlan,
    TreatmentSession,
)

# An appointment's length when none is given: the plan's longest retention (30 minutes) with
# time to settle the patient, insert and remove needles. A scheduling default (Decisions).
DEFAULT_DURATION = 45
MAX_AHEAD = dt.timedelta(days=366)
PRODID = "-//crampcare//course bookings//EN"
SlotNote = Annotated[str, bounds(0, 500), CLEAN]


class Slot(Input):
    starts_at: AwareDatetime = Field(description="date and time with its UTC offset")
    duration_minutes: Annotated[int, Field(ge=10, le=240)] = DEFAULT_DURATION
    note: SlotNote = ""


class BookingIn(Input):
    sessions: Annotated[list[Slot], Field(min_length=1, max_length=24)]


def current_plan(patient: Patient) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(patient=patient)
        .select_related("assessment")
        .order_by("-created_at", "-id")
        .first()
    )


def plan_course(plan: TreatmentPlan, now: dt.datetime | None) -> CourseState:
    """The course of ``plan``: its sessions and its active bookings, numbered."""
    sessions = [
        SessionDone(s.date, s.status, str(s.id))
        for s in TreatmentSession.objects.filter(plan=plan).order_by("date", "created_at")
    ]
    bookings = [
        Booked(b.starts_at, str(b.id))
        for b in Booking.objects.filter(plan=plan, status=BookingStatus.BOOKED)
    ]
    return course_state(plan.assessment.result["course"], sessions, bookings, now)


def booking_dict(booking: Booking, numbers: dict[str, int | None] | None = None) -> dict[str, Any]:
    """A booking; ``numbers`` (booking id -> course number) overrides the stored number of an
    active booking, so that what is shown follows the course as it is now."""
    return {
        "id": booking.id,
        "patient_id": booking.patient_id,
        "plan_id": booking.plan_id,
        "session_number": (numbers or {}).get(str(booking.id)) or booking.session_number,
        "starts_at": booking.starts_at,
        "ends_at": booking.starts_at + dt.timedelta(minutes=booking.duration_minutes),
        "duration_minutes": booking.duration_minutes,
        "status": booking.status,
        "note": booking.note,
        **stamp(booking),
    }


def _numbers(state: CourseState) -> dict[str, int | None]:
    return {b["id"]: b["number"] for b in state["bookings"]}


def _course_dict(patient: Patient, plan: TreatmentPlan | None, now: dt.datetime) -> dict[str, Any]:
    if plan is None:
        return {
            "patient_id": patient.id,
            "plan_id": None,
            "assessment_id": None,
            "starts": None,
            "course": None,
            "bookings": [],
        }
    state = plan_course(plan, now)
    rows = Booking.objects.filter(plan=plan).select_related("created_by", "updated_by")
    numbers = _numbers(state)
    return {
        "patient_id": patient.id,
        "plan_id": plan.id,
        "assessment_id": plan.assessment_id,
        "starts": plan.assessment.result["course"].get("starts", "now"),
        "course": state,
        "bookings": [booking_dict(b, numbers) for b in rows.order_by("starts_at")],
    }


def course(actor: Actor, patient_id: object) -> dict[str, Any]:
    """The current plan's course (numbers done, in progress, next and left; reviews) and every
    booking of it. A patient without a plan has no course yet (``course`` is None)."""
    require(actor, Can.SCHEDULE, "course")
    patient = patient_for(actor, patient_id)
    plan = current_plan(patient)
    out = _course_dict(patient, plan, timezone.now())
    audit.append(
        actor,
        "read",
        "course",
        plan.id if plan else "",
        patient_id=patient.id,
        detail={"bookings": [str(b["id"]) for b in out["bookings"]]},
    )
    return out


def _bookable_plan(patient: Patient) -> TreatmentPlan:
    plan = current_plan(patient)
    if plan is None:
        raise Conflict("the patient has no treatment plan: plan the treatment first", "plan_id")
    if plan.assessment.result["course"].get("starts") == "after_medical_clearance":
        raise Conflict(
            "needling is deferred until medical clearance: book sessions after a "
            "re-assessment that allows it",
            "plan_id",
        )
    return plan


def _renumber(plan: TreatmentPlan, now: dt.datetime) -> CourseState:
    """Store the course number of every active booking ahead, as the course now numbers them."""
    state = plan_course(plan, now)
    for item in state["bookings"]:
        if item["number"] is not None:
            Booking.objects.filter(pk=item["id"]).exclude(session_number=item["number"]).update(
                session_number=item["number"]
            )
    return state


def book(actor: Actor, patient_id: object, data: Any) -> dict[str, Any]:
    """Book the next sessions of the course. Refuses times in the past (or more than a year
    ahead), two bookings at one time, and more bookings than sessions left to the maximum."""
    require(actor, Can.SCHEDULE, "booking")
    body: BookingIn = parse(BookingIn, data)
    now = timezone.now()
    problems: list[tuple[str, str]] = []
    seen: dict[dt.datetime, int] = {}
    for i, slot in enumerate(body.sessions):
        field = f"sessions[{i}].starts_at"
        if slot.starts_at <= now:
            problems.append((field, f"{slot.starts_at.isoformat()} is in the past: book ahead"))
        elif slot.starts_at > now + MAX_AHEAD:
            problems.append((field, "book at most a year ahead"))
        if slot.starts_at in seen:
            problems.append((field, f"the same time as sessions[{seen[slot.starts_at]}]"))
        seen.setdefault(slot.starts_at, i)
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        patient = patient_for(actor, patient_id, lock=True)  # one booking at a time per patient
        plan = _bookable_plan(patient)
        state = plan_course(plan, now)
        if len(body.sessions) > state["bookable"]:
            raise Conflict(
                f"{len(body.sessions)} sessions asked for, but only {state['bookable']} can be "
                f"booked: the course has at most {state['sessions']['max']} sessions "
                f"({state['done']} done, {state['booked']} booked"
                f"{', 1 in progress' if state['in_progress'] else ''})",
                "sessions",
            )
        active = list(Booking.objects.filter(patient=patient, status=BookingStatus.BOOKED))
        for i, slot in enumerate(body.sessions):
            end = slot.starts_at + dt.timedelta(minutes=slot.duration_minutes)
            for other in active:
                other_end = other.starts_at + dt.timedelta(minutes=other.duration_minutes)
                if slot.starts_at < other_end and other.starts_at < end:
                    raise Conflict(
                        f"the patient is already booked from {other.starts_at.isoformat()} "
                        f"to {other_end.isoformat()}",
                        f"sessions[{i}].starts_at",
                    )
        first = state["sessions"]["max"] - state["bookable"] + 1  # after those taken and booked
        made = []
        for i, slot in enumerate(body.sessions):
            row = Booking(
                patient=patient,
                plan=plan,
                session_number=first + i,
                starts_at=slot.starts_at,
                duration_minutes=slot.duration_minutes,
                note=slot.note,
            )
            row.stamp(actor, created=True)
            made.append(row)
        try:
            with transaction.atomic():
                Booking.objects.bulk_create(made)
        except IntegrityError:  # a parallel request booked the same time first
            raise Conflict(
                "the patient was booked at one of these times meanwhile: reload the course",
                "sessions",
            ) from None
        numbers = _numbers(_renumber(plan, now))
        for row in made:
            audit.append(
                actor,
                "create",
                "booking",
                row.id,
                patient_id=patient.id,
                detail={"starts_at": row.starts_at.isoformat(), "session": numbers[str(row.id)]},
            )
        return _course_dict(patient, plan, now)


def cancel_booking(actor: Actor, booking_id: object) -> dict[str, Any]:
    """Cancel an active booking; the bookings after it move up a number."""
    require(actor, Can.SCHEDULE, "booking")
    with transaction.atomic():
        found = record_for(Booking, actor, booking_id, "booking")
        patient_for(actor, found.patient_id, lock=True)
        booking = Booking.objects.select_related("plan").get(pk=found.pk)
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(f"the booking is already {booking.status}", "status")
        booking.status = BookingStatus.CANCELLED
        booking.stamp(actor)
        booking.save(update_fields=["status", "updated_at", "updated_by"])
        _renumber(booking.plan, timezone.now())
        audit.append(
            actor,
            "cancel",
            "booking",
            booking.id,
            patient_id=booking.patient_id,
            detail={"starts_at": booking.starts_at.isoformat()},
        )
        return booking_dict(booking)


def calendar(actor: Actor, patient_id: object) -> str:
    """The bookings ahead as an iCalendar file (RFC 5545) for the patient: one event per
    session, in UTC, named only "Acupuncture session n of max"; cancelled ones as CANCELLED,
    so that a calendar that imported them earlier drops them."""
    require(actor, Can.SCHEDULE, "calendar")
    patient = patient_for(actor, patient_id)
    now = timezone.now()
    clinic = patient.clinic.name
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{clinic}: acupuncture sessions")
    plan = current_plan(patient)
    rows: list[Booking] = []
    if plan is not None:
        state = plan_course(plan, now)
        numbers = _numbers(state)
        rows = list(
            Booking.objects.filter(
                plan=plan,
                starts_at__gt=now,
                status__in=[BookingStatus.BOOKED, BookingStatus.CANCELLED],
            ).order_by("starts_at")
        )
        for row in rows:
            cal.add_component(_event(row, numbers, state["sessions"]["max"], clinic, now))
    audit.append(
        actor,
        "export",
        "calendar",
        plan.id if plan else "",
        patient_id=patient.id,
        detail={"bookings": [str(r.id) for r in rows]},
    )
    return str(cal.to_ical().decode("utf-8"))


def _event(
    row: Booking, numbers: dict[str, int | None], most: int, clinic: str, now: dt.datetime
) -> Event:
    number = numbers.get(str(row.id)) or row.session_number
    event = Event()
    event.add("uid", f"{row.id}@crampcare")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("last-modified", row.updated_at.astimezone(dt.UTC))
    event.add("dtstart", row.starts_at.astimezone(dt.UTC))
    event.add(
        "dtend", (row.starts_at + dt.timedelta(minutes=row.duration_minutes)).astimezone(dt.UTC)
    )
    event.add("summary", f"Acupuncture session {number} of {most}")
    event.add("location", clinic)
    cancelled = row.status != BookingStatus.BOOKED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    event.add("transp", "OPAQUE")
    return event
