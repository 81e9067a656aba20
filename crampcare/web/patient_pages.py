"""The patient page: details and consents for every role; the course of sessions and its
bookings for those who keep the schedule (practitioners, front desk); the sessions, the
timeline and a banner of serious adverse events for those who may see clinical records.

Every part comes from a use case in ``crampcare.clinic`` (patients, course, sessions,
timeline); the front desk's page holds no clinical content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare.clinic import course, outcomes, patients, sessions, timeline
from crampcare.clinic.access import Can, may
from crampcare.clinic.errors import ClinicError, Invalid
from crampcare.web import diary_pages, document_pages, session_forms
from crampcare.web.actor import actor_of
from crampcare.web.intake_fields import field_id
from crampcare.web.workbench import page

BOOKING_ROWS = 3
LINKS = (("session_id", "/sessions/"), ("plan_id", "/plans/"), ("assessment_id", "/assessments/"))


def _link(item: dict[str, Any]) -> str:
    """Where a timeline item leads: its session, else its plan, else its assessment."""
    for key, prefix in LINKS:
        if item.get(key) and item["kind"] != "booking":
            return f"{prefix}{item[key]}"
    return ""


def _booking_rows(
    post: Any = None, errors: dict[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for i in range(BOOKING_ROWS):
        name = f"sessions[{i}]"
        rows.append(
            {
                "i": i,
                "starts_at": post.get(f"{name}.starts_at", "") if post else "",
                "duration_minutes": post.get(f"{name}.duration_minutes", "") if post else "",
                "id": field_id(f"{name}.starts_at"),
                "duration_id": field_id(f"{name}.duration_minutes"),
                "errors": (errors or {}).get(field_id(f"{name}.starts_at"), []),
                "duration_errors": (errors or {}).get(field_id(f"{name}.duration_minutes"), []),
            }
        )
    return rows


def _context(request: HttpRequest, patient_id: Any) -> dict[str, Any]:
    user = actor_of(request)
    patient = patients.get_patient(user, patient_id)
    clinical, schedule = may(user, Can.CLINICAL), may(user, Can.SCHEDULE)
    context: dict[str, Any] = {
        "patient": patient,
        "clinical": clinical,
        "schedule": schedule,
        "booking_rows": _booking_rows(),
    }
    if schedule:
        context["course"] = course.course(user, patient_id)
    if clinical:
        listed = sessions.list_sessions(user, patient_id)
        context["sessions"] = listed
        context["open_session"] = next((s for s in listed if s["status"] == "open"), None)
        context["outcomes"] = outcomes.outcomes(user, patient_id)  # its review prompt
        context["chart"] = document_pages.outcomes_panel(context["outcomes"], listed)
        context["serious"] = timeline.serious_events(user, patient_id)
        events = timeline.timeline(user, patient_id)
        context["events"] = [{**e, "href": _link(e)} for e in events if e["clinical"]]
        context["diary"] = diary_pages.panel(user, patient_id)
    return context


@page
@require_http_methods(["GET"])
def patient_detail(request: HttpRequest, patient_id: Any) -> HttpResponse:
    return render(request, "crampcare/patient.html", _context(request, patient_id))


def _slots(post: Any) -> list[dict[str, Any]]:
    """The booking form's filled rows as course slots: the local date and time the page shows,
    with the clinic's UTC offset. A row that is not a date and time is refused by name."""
    slots, problems = [], []
    zone = timezone.get_current_timezone()
    for row in _booking_rows(post):
        text = str(row["starts_at"]).strip()
        if not text:
            continue
        try:
            starts = dt.datetime.fromisoformat(text)
        except ValueError:
            problems.append((f"sessions[{row['i']}].starts_at", "is not a date and time"))
            continue
        if starts.tzinfo is None:
            starts = timezone.make_aware(starts, zone)
        slot: dict[str, Any] = {"starts_at": starts.isoformat()}
        duration = session_forms.number(str(row["duration_minutes"]))
        if duration is not None:
            slot["duration_minutes"] = duration
        slots.append(slot)
    if problems:
        raise Invalid(problems)
    if not slots:
        raise Invalid([("sessions[0].starts_at", "choose the date and time of a session")])
    return slots


@page
@csrf_protect
@require_POST
def book(request: HttpRequest, patient_id: Any) -> HttpResponse:
    """Book the next sessions of the course ("Book next sessions" on the patient page)."""
    try:
        course.book(actor_of(request), patient_id, {"sessions": _slots(request.POST)})
    except ClinicError as exc:
        if exc.status in {403, 404}:
            raise
        errors = session_forms.error_ids(exc.errors)
        context = _context(request, patient_id)
        context["booking_rows"] = _booking_rows(request.POST, errors)
        context["booking_summary"] = session_forms.summary(errors)
        return render(request, "crampcare/patient.html", context, status=exc.status)
    return HttpResponseRedirect(f"/patients/{patient_id}#course")
