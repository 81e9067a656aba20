"""The course, bookings, calendar, timeline, adverse-event and treatment-room operations of the
JSON API: the same use cases, the one error shape, roles and clinic isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from tests.clinic.course_world import adverse_event, make_plan, record_session, slots
from tests.web.test_api import assert_error_shape, body
from tests.world import World, api


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_book_then_see_the_course_and_cancel(world: World) -> None:
    make_plan(world)
    pid = world.ellen["id"]
    desk = api(world.fran)
    r = post(desk, f"/api/v1/patients/{pid}/bookings", slots(2, 9))
    assert r.status_code == 201, r.content
    made = body(r)
    assert [b["session_number"] for b in made["bookings"]] == [1, 2]
    assert made["course"]["next"] == {"number": 1, "review": False}
    r = desk.delete(f"/api/v1/bookings/{made['bookings'][0]['id']}")
    assert r.status_code == 200 and body(r)["status"] == "cancelled"
    course = body(desk.get(f"/api/v1/patients/{pid}/course"))
    booked = [b for b in course["bookings"] if b["status"] == "booked"]
    assert [b["session_number"] for b in booked] == [1]
    assert course["course"]["booked"] == 1


def test_a_time_in_the_past_is_refused_naming_the_field(world: World) -> None:
    make_plan(world)
    r = post(
        api(world.alice),
        f"/api/v1/patients/{world.ellen['id']}/bookings",
        {"sessions": [{"starts_at": "2021-03-01T09:00:00+00:00"}]},
    )
    data = assert_error_shape(r, 422)
    assert data["errors"][0]["field"] == "sessions[0].starts_at"
    assert "in the past" in data["errors"][0]["message"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"sessions": [{"starts_at": "soon"}]}, "sessions[0].starts_at", id="no date"),
        pytest.param({"slots": []}, "sessions", id="wrong key"),
        pytest.param(
            {"sessions": [{"starts_at": "2030-01-01T09:00Z", "room": 3}]},
            "sessions[0].room",
            id="unknown field",
        ),
    ],
)
def test_malformed_bookings_get_the_error_shape(
    world: World, data: dict[str, Any], field: str
) -> None:
    make_plan(world)
    r = post(api(world.alice), f"/api/v1/patients/{world.ellen['id']}/bookings", data)
    assert field in [e["field"] for e in assert_error_shape(r, 422)["errors"]]


def test_the_calendar_is_text_calendar(world: World) -> None:
    make_plan(world)
    pid = world.ellen["id"]
    post(api(world.fran), f"/api/v1/patients/{pid}/bookings", slots(4))
    r = api(world.fran).get(f"/api/v1/patients/{pid}/calendar.ics")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    assert "attachment" in r["Content-Disposition"] and r["Cache-Control"] == "no-store"
    events = Calendar.from_ical(r.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Acupuncture session 1 of 12"]


def test_the_timeline_by_role(world: World) -> None:
    plan = make_plan(world)
    adverse_event(world, record_session(world, plan, 3, "closed"), "fainting", "severe", True)
    post(api(world.alice), f"/api/v1/patients/{world.ellen['id']}/bookings", slots(4))
    url = f"/api/v1/patients/{world.ellen['id']}/timeline"
    full = body(api(world.alice).get(url))
    assert {"adverse_event", "session", "plan", "booking"} <= {i["kind"] for i in full}
    desk = body(api(world.fran).get(url))
    assert [i["kind"] for i in desk] == ["booking"]


def test_serious_events_and_practice_counts(world: World) -> None:
    plan = make_plan(world)
    adverse_event(world, record_session(world, plan, 3, "closed"), "fainting", "severe", True)
    client = api(world.alice)
    banner = body(client.get(f"/api/v1/patients/{world.ellen['id']}/serious-adverse-events"))
    assert banner["count"] == 1 and banner["events"][0]["kind"] == "fainting"
    counts = body(client.get("/api/v1/practice/adverse-events"))
    assert counts["total"] == 1 and counts["by_kind"] == [{"kind": "fainting", "count": 1}]
    assert_error_shape(api(world.fran).get("/api/v1/practice/adverse-events"), 403)


def test_treatment_rooms(world: World) -> None:
    record_session(world, make_plan(world), 0, "open", needles_inserted=6)
    rooms = body(api(world.alice).get("/api/v1/treatment-rooms"))
    assert [(r["patient"], r["needles"]["inserted"]) for r in rooms] == [("Ellen Ayres", 6)]
    assert rooms[0]["retention"]["window"] == {"min": 15, "max": 30}
    assert body(api(world.bert).get("/api/v1/treatment-rooms")) == []
    assert_error_shape(api(world.fran).get("/api/v1/treatment-rooms"), 403)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("get", "/patients/{pid}/course", id="course"),
        pytest.param("post", "/patients/{pid}/bookings", id="book"),
        pytest.param("get", "/patients/{pid}/calendar.ics", id="calendar"),
        pytest.param("get", "/patients/{pid}/timeline", id="timeline"),
        pytest.param("get", "/patients/{pid}/serious-adverse-events", id="banner"),
        pytest.param("delete", "/bookings/{bid}", id="cancel"),
    ],
)
def test_bert_of_birch_finds_nothing_of_willow(world: World, method: str, path: str) -> None:
    make_plan(world)
    made = body(post(api(world.alice), f"/api/v1/patients/{world.ellen['id']}/bookings", slots(5)))
    url = "/api/v1" + path.format(pid=world.ellen["id"], bid=made["bookings"][0]["id"])
    client = api(world.bert)
    r = post(client, url, slots(6)) if method == "post" else getattr(client, method)(url)
    assert_error_shape(r, 404)


def test_anonymous_requests_are_refused(world: World) -> None:
    r = Client().get(f"/api/v1/patients/{world.ellen['id']}/course")
    assert_error_shape(r, 401)
