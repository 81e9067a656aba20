"""Booking the course's sessions: times ahead only, never more than the course's maximum, never
two at one time (a database constraint, also under parallel requests on PostgreSQL); cancelling;
the iCalendar file, parsed back with the icalendar library."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from crampcare.clinic import assessments, course, plans
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound
from crampcare.records.models import AuditEntry, Booking
from tests.clinic.course_world import ahead, make_plan, record_session, slots
from tests.factories import make_intake
from tests.parallel import in_parallel, postgres_only
from tests.world import World, api


def test_booking_the_next_sessions_numbers_them_after_those_done(world: World) -> None:
    plan = make_plan(world)
    record_session(world, plan, 7)
    got = course.book(world.fran, world.ellen["id"], slots(14, 7))
    assert [(b["session_number"], b["starts_at"]) for b in got["bookings"]] == [
        (2, ahead(7)),
        (3, ahead(14)),
    ]
    assert all(b["duration_minutes"] == 45 and b["status"] == "booked" for b in got["bookings"])
    assert got["bookings"][0]["ends_at"] == ahead(7) + dt.timedelta(minutes=45)
    assert got["course"]["booked"] == 2
    entries = AuditEntry.objects.filter(record_type="booking", action="create")
    assert sorted(e.detail["session"] for e in entries) == [2, 3]
    assert {e.actor for e in entries} == {"fran"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"sessions": [{"starts_at": ahead(2).isoformat()}, {"starts_at": "2020-01-06T10:00Z"}]},
            "sessions[1].starts_at",
            "is in the past",
            id="a time in the past",
        ),
        pytest.param(
            {"sessions": [{"starts_at": ahead(400).isoformat()}]},
            "sessions[0].starts_at",
            "at most a year ahead",
            id="more than a year ahead",
        ),
        pytest.param(
            {"sessions": [{"starts_at": "2027-01-06T10:00:00"}]},
            "sessions[0].starts_at",
            "timezone",
            id="a time without its offset",
        ),
        pytest.param(
            {"sessions": [{"starts_at": ahead(2).isoformat(), "duration_minutes": 5}]},
            "sessions[0].duration_minutes",
            "greater than or equal to 10",
            id="a five-minute session",
        ),
        pytest.param(
            {"sessions": [{"starts_at": ahead(2).isoformat()}] * 2},
            "sessions[1].starts_at",
            "the same time as sessions[0]",
            id="one time twice",
        ),
        pytest.param({"sessions": []}, "sessions", "at least 1", id="nothing to book"),
    ],
)
def test_bad_bookings_are_refused_naming_the_field(
    world: World, data: dict[str, Any], field: str, message: str
) -> None:
    make_plan(world)
    with pytest.raises(Invalid) as err:
        course.book(world.alice, world.ellen["id"], data)
    assert [f for f, _ in err.value.errors] == [field]
    assert message in err.value.errors[0][1]
    assert not Booking.objects.exists()


def test_no_more_bookings_than_sessions_left_to_the_maximum(world: World) -> None:
    plan = make_plan(world)
    for days_ago in range(9, 0, -1):
        record_session(world, plan, days_ago)
    record_session(world, plan, 0, "open")
    course.book(world.alice, world.ellen["id"], slots(7))
    with pytest.raises(Conflict) as err:
        course.book(world.alice, world.ellen["id"], slots(14, 21))
    assert err.value.errors == [
        (
            "sessions",
            "2 sessions asked for, but only 1 can be booked: the course has at most 12 "
            "sessions (9 done, 1 booked, 1 in progress)",
        )
    ]
    course.book(world.alice, world.ellen["id"], slots(14))  # the last one fits
    assert Booking.objects.count() == 2


def test_an_overlapping_booking_is_refused(world: World) -> None:
    make_plan(world)
    course.book(world.alice, world.ellen["id"], slots(3))
    later = ahead(3) + dt.timedelta(minutes=30)
    with pytest.raises(Conflict) as err:
        course.book(world.alice, world.ellen["id"], {"sessions": [{"starts_at": later}]})
    assert err.value.errors[0][0] == "sessions[0].starts_at"
    assert "already booked from" in err.value.errors[0][1]


def test_no_booking_without_a_plan(world: World) -> None:
    with pytest.raises(Conflict, match="no treatment plan"):
        course.book(world.fran, world.ellen["id"], slots(2))


def test_bookings_of_another_clinics_patient_are_not_found(world: World) -> None:
    make_plan(world)
    made = course.book(world.alice, world.ellen["id"], slots(2))["bookings"][0]
    with pytest.raises(NotFound):
        course.book(world.bert, world.ellen["id"], slots(3))
    with pytest.raises(NotFound):
        course.cancel_booking(world.bert, made["id"])
    assert Booking.objects.get(pk=made["id"]).status == "booked"


def test_the_clinic_admin_may_not_book(world: World) -> None:
    make_plan(world)
    with pytest.raises(Forbidden):
        course.book(world.adam, world.ellen["id"], slots(2))


def test_cancelling_moves_the_later_bookings_up(world: World) -> None:
    make_plan(world)
    got = course.book(world.fran, world.ellen["id"], slots(2, 9, 16))
    first = got["bookings"][0]
    cancelled = course.cancel_booking(world.fran, first["id"])
    assert cancelled["status"] == "cancelled"
    after = course.course(world.fran, world.ellen["id"])
    active = [b for b in after["bookings"] if b["status"] == "booked"]
    assert [b["session_number"] for b in active] == [1, 2]
    assert list(
        Booking.objects.filter(status="booked")
        .order_by("starts_at")
        .values_list("session_number", flat=True)
    ) == [1, 2]
    with pytest.raises(Conflict, match="already cancelled"):
        course.cancel_booking(world.fran, first["id"])
    entry = AuditEntry.objects.filter(action="cancel").last()
    assert entry is not None and entry.record_id == str(first["id"])
    # the time is free again
    course.book(world.fran, world.ellen["id"], slots(2))


def test_the_database_refuses_two_active_bookings_at_one_time(world: World) -> None:
    plan = make_plan(world)
    fields = {"patient_id": plan.patient_id, "plan": plan, "duration_minutes": 45}
    Booking.objects.create(session_number=1, starts_at=ahead(2), **fields)
    Booking.objects.create(session_number=1, starts_at=ahead(2), status="cancelled", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(session_number=2, starts_at=ahead(2), **fields)


# --- the iCalendar file --------------------------------------------------------------------


def test_the_calendar_lists_the_sessions_ahead_in_utc(world: World) -> None:
    plan = make_plan(world)
    record_session(world, plan, 7)
    made = course.book(world.fran, world.ellen["id"], slots(2, 9))["bookings"]
    course.cancel_booking(world.fran, made[1]["id"])
    text = course.calendar(world.fran, world.ellen["id"])
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    cal = Calendar.from_ical(text)
    assert str(cal["VERSION"]) == "2.0" and "crampcare" in str(cal["PRODID"])
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Acupuncture session 2 of 12",
        "Acupuncture session 3 of 12",
    ]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    first = events[0]
    assert str(first["UID"]) == f"{made[0]['id']}@crampcare"
    assert first.decoded("DTSTART") == ahead(2)
    assert first.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert first.decoded("DTEND") - first.decoded("DTSTART") == dt.timedelta(minutes=45)
    assert "DTSTART:" in text and "Z\r\n" in text  # UTC form, no TZID
    assert str(first["LOCATION"]) == "Willow"
    assert abs(first.decoded("DTSTAMP") - timezone.now()) < dt.timedelta(minutes=1)
    # nothing clinical and not even the patient's name in the file
    for word in ("Ellen", "Ayres", world.assessment["result"]["points"][0]["code"]):
        assert word not in text
    entry = AuditEntry.objects.filter(record_type="calendar").last()
    assert entry is not None and entry.action == "export" and entry.actor == "fran"


def test_a_patient_without_bookings_gets_an_empty_calendar(world: World) -> None:
    cal = Calendar.from_ical(course.calendar(world.alice, world.ellen["id"]))
    assert cal.walk("VEVENT") == []


# --- parallel requests (PostgreSQL) --------------------------------------------------------


def _post(user: Any, patient_id: Any, body: dict[str, Any]) -> Any:
    return lambda: api(user).post(
        f"/api/v1/patients/{patient_id}/bookings", body, content_type="application/json"
    )


@postgres_only
def test_parallel_bookings_at_one_time_book_it_once(committed_world: World) -> None:
    world = committed_world
    make_plan(world)
    body = slots(3)
    codes = sorted(
        r.status_code
        for r in in_parallel(
            [_post(u, world.ellen["id"], body) for u in [world.alice, world.fran] * 2]
        )
    )
    assert codes == [201, 409, 409, 409]
    assert Booking.objects.filter(status="booked").count() == 1


@postgres_only
def test_parallel_bookings_never_pass_the_maximum(committed_world: World) -> None:
    world = committed_world
    plan = make_plan(world)
    for days_ago in range(11, 0, -1):
        record_session(world, plan, days_ago)
    calls = [_post(world.fran, world.ellen["id"], slots(d)) for d in (2, 3, 4)]
    codes = sorted(r.status_code for r in in_parallel(calls))
    assert codes == [201, 409, 409]
    assert Booking.objects.filter(status="booked").count() == 1


def test_no_booking_while_the_plans_assessment_defers_needling(world: World) -> None:
    clot = ["unilateral_calf_swelling", "calf_tenderness", "recent_immobility_or_travel"]
    deferred = assessments.create_assessment(
        world.alice,
        {"patient_id": world.ellen["id"], "intake": make_intake(findings=clot)},
        world.kb,
    )
    assert deferred["needling_allowed"] is False
    points = [plans.point_id(p["code"], p["region"]) for p in deferred["result"]["points"]]
    removed = [{"point": p, "reason": "needling deferred"} for p in points]
    plans.create_plan(world.alice, deferred["id"], {"removed": removed}, world.kb)
    with pytest.raises(Conflict) as err:
        course.book(world.fran, world.ellen["id"], slots(2))
    assert err.value.errors[0][0] == "plan_id"
    assert "deferred until medical clearance" in err.value.errors[0][1]
