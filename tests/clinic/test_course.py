"""The course, the timeline, serious adverse events and the treatment rooms, as the use cases
give them: numbering from the records, who sees what, clinic isolation, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crampcare.clinic import course, outcomes, timeline
from crampcare.clinic.errors import Forbidden, NotFound
from crampcare.records.models import AuditEntry, SessionAddendum, TreatmentSession
from tests.clinic.course_world import adverse_event, make_plan, record_session, sign, slots
from tests.world import World


def test_without_a_plan_there_is_no_course_yet(world: World) -> None:
    got = course.course(world.fran, world.ellen["id"])
    assert got["plan_id"] is None and got["course"] is None and got["bookings"] == []


def test_the_course_counts_the_plans_sessions(world: World) -> None:
    plan = make_plan(world)
    for days_ago, status in ((21, "locked"), (14, "locked"), (7, "closed")):
        record_session(world, plan, days_ago, status)
    record_session(world, plan, 0, "open")
    course.book(world.fran, world.ellen["id"], slots(7, 14))
    got = course.course(world.fran, world.ellen["id"])
    state = got["course"]
    assert (state["done"], state["in_progress"], state["booked"]) == (3, 4, 2)
    assert (state["left_to_min"], state["left_to_max"], state["bookable"]) == (3, 9, 6)
    assert state["next"] == {"number": 5, "review": False}
    assert [n["state"] for n in state["numbers"][:6]] == [
        "done",
        "done",
        "done",
        "in_progress",
        "next",
        "left",
    ]
    assert [n["number"] for n in state["numbers"] if n["review"]] == [4, 8]
    assert [b["session_number"] for b in got["bookings"]] == [5, 6]
    assert got["starts"] == "now" and got["plan_id"] == plan.id


def test_the_course_follows_the_newest_plan(world: World) -> None:
    old = make_plan(world)
    record_session(world, old, 30)
    make_plan(world)  # a new plan starts a new course
    state = course.course(world.alice, world.ellen["id"])["course"]
    assert state["done"] == 0 and state["next"] == {"number": 1, "review": False}


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        pytest.param("alice", True, id="practitioner sees the course"),
        pytest.param("fran", True, id="front desk sees the course"),
        pytest.param("adam", False, id="clinic admin does not"),
    ],
)
def test_who_sees_the_course(world: World, user: str, allowed: bool) -> None:
    if allowed:
        assert course.course(world.user(user), world.ellen["id"])["patient_id"]
    else:
        with pytest.raises(Forbidden, match="course of sessions"):
            course.course(world.user(user), world.ellen["id"])


def test_another_clinics_patient_is_not_found(world: World) -> None:
    for call in (course.course, course.calendar, timeline.timeline, timeline.serious_events):
        with pytest.raises(NotFound):
            call(world.bert, world.ellen["id"])


def test_reading_the_course_is_audited(world: World) -> None:
    make_plan(world)
    course.course(world.fran, world.ellen["id"])
    entry = AuditEntry.objects.filter(record_type="course").last()
    assert entry is not None
    assert (entry.action, entry.actor, entry.patient_id) == ("read", "fran", str(world.ellen["id"]))


# --- timeline ------------------------------------------------------------------------------


def _history(world: World) -> tuple[TreatmentSession, TreatmentSession]:
    plan = make_plan(world)
    first = record_session(world, plan, 28, "closed")
    for days_ago in (21, 14):
        record_session(world, plan, days_ago)
    fourth = record_session(world, plan, 7, "closed")
    adverse_event(world, first, "fainting", "severe", serious=True)
    adverse_event(world, fourth, "bleeding_bruising", "mild", serious=False)
    sign(world, first)
    SessionAddendum.objects.create(
        session=first, author=world.alice, reason="lot number mistyped", text="lot HW-2026-0413"
    )
    course.book(world.alice, world.ellen["id"], slots(3))
    return first, fourth


def test_the_timeline_shows_everything_newest_first(world: World) -> None:
    first, fourth = _history(world)
    items = timeline.timeline(world.alice, world.ellen["id"])
    kinds = [i["kind"] for i in items]
    assert kinds[0] == "booking" and items[0]["title"] == "Session 5 booked"
    expected = {"intake", "assessment", "plan", "session", "adverse_event", "addendum", "review"}
    assert expected <= set(kinds)
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    titles = [i["title"] for i in items]
    assert "Session 1 (signed)" in titles and "Review point: session 4" in titles
    fainting = next(i for i in items if i["kind"] == "adverse_event" and i["serious"])
    assert (fainting["severity"], fainting["session_id"]) == ("severe", first.id)
    assert fainting["title"] == "Adverse event: fainting (severe, serious)"
    review = next(i for i in items if i["kind"] == "review")
    assert review["session_id"] == fourth.id


def test_a_review_decision_is_on_the_timeline(world: World) -> None:
    _history(world)  # four sessions: the plan's review at session 4 is due
    body = {"key": "session:4", "decision": "continue", "note": "fewer cramps at night"}
    made = outcomes.decide_review(world.alice, world.ellen["id"], body)
    items = timeline.timeline(world.alice, world.ellen["id"])
    decided = [i for i in items if i["kind"] == "review_decision"]
    assert [(i["title"], i["detail"]) for i in decided] == [
        ("Review at session 4: continue", "alice: fewer cramps at night")
    ]
    assert decided[0]["review_id"] == made["id"] and decided[0]["clinical"]
    assert "review_decision" not in {
        i["kind"] for i in timeline.timeline(world.fran, world.ellen["id"])
    }


def test_the_front_desk_timeline_has_no_clinical_content(world: World) -> None:
    _history(world)
    items = timeline.timeline(world.fran, world.ellen["id"])
    assert [i["kind"] for i in items] == ["booking"]
    assert not any(i["clinical"] for i in items)
    entry = AuditEntry.objects.filter(record_type="timeline").last()
    assert entry is not None and entry.detail == {"items": 1, "clinical": False}


# --- serious adverse events ----------------------------------------------------------------


def test_serious_events_raise_the_banner_and_the_practice_counts_them(world: World) -> None:
    _, fourth = _history(world)
    adverse_event(world, fourth, "broken_needle", "moderate", serious=True)
    banner = timeline.serious_events(world.alice, world.ellen["id"])
    assert banner["count"] == 2
    assert [e["kind"] for e in banner["events"]] == ["broken_needle", "fainting"]
    counts = timeline.practice_counts(world.alice)
    assert counts["total"] == 2
    assert counts["by_kind"] == [
        {"kind": "broken_needle", "count": 1},
        {"kind": "fainting", "count": 1},
    ]
    # another clinic counts its own: none
    assert timeline.practice_counts(world.bert) == {
        "clinic_id": world.bert.clinic_id,
        "total": 0,
        "by_kind": [],
    }


def test_no_banner_without_a_serious_event(world: World) -> None:
    plan = make_plan(world)
    adverse_event(world, record_session(world, plan, 2, "closed"), "pain", "mild", serious=False)
    assert timeline.serious_events(world.alice, world.ellen["id"])["count"] == 0


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda w: timeline.serious_events(w.fran, w.ellen["id"]), id="banner"),
        pytest.param(lambda w: timeline.practice_counts(w.fran), id="practice counts"),
        pytest.param(lambda w: timeline.treatment_rooms(w.fran), id="treatment rooms"),
    ],
)
def test_the_front_desk_sees_no_adverse_events_nor_rooms(world: World, call: object) -> None:
    with pytest.raises(Forbidden):
        call(world)  # type: ignore[operator]
    assert AuditEntry.objects.filter(action="denied", actor="fran").exists()


# --- treatment rooms -----------------------------------------------------------------------


def test_treatment_rooms_show_the_open_sessions_and_their_timers(world: World) -> None:
    plan = make_plan(world)
    started = timezone.now() - dt.timedelta(minutes=10)
    record_session(
        world,
        plan,
        0,
        "open",
        retention_started_at=started,
        needles_inserted=8,
        needles_removed=0,
    )
    record_session(world, plan, 7, "locked")  # not open: not in a room
    rooms = timeline.treatment_rooms(world.alice)
    assert len(rooms) == 1
    room = rooms[0]
    assert room["patient"] == "Ellen Ayres"
    assert room["needles"] == {"inserted": 8, "removed": 0}
    retention = room["retention"]
    assert retention["window"] == {"min": 15, "max": 30}
    assert retention["ends_earliest"] == started + dt.timedelta(minutes=15)
    assert retention["ends_latest"] == started + dt.timedelta(minutes=30)
    assert timeline.treatment_rooms(world.bert) == []
    entry = AuditEntry.objects.filter(record_type="treatment_rooms", actor="alice").last()
    assert entry is not None and entry.detail == {"sessions": [str(room["session_id"])]}


def test_a_timer_not_started_has_no_end(world: World) -> None:
    record_session(world, make_plan(world), 0, "open")
    retention = timeline.treatment_rooms(world.alice)[0]["retention"]
    assert retention["started_at"] is None and retention["ends_latest"] is None
