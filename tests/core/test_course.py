"""The course of treatment: numbering, done and left, the next session and its review, bookings.

Tables a clinician can read: each row is a course (min-max, reviews), the sessions recorded
(``C`` closed, ``L`` locked/signed, ``O`` open) and what the course shows."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcare.core.course import Booked, InvalidCourse, SessionDone, course_state

EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300"))
DAY = dt.date(2026, 11, 2)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
STATUS = {"C": "closed", "L": "locked", "O": "open", "X": "cancelled"}


def course(low: int = 6, high: int = 12, reviews: tuple[int, ...] = (4, 8)) -> dict[str, Any]:
    return {"sessions": {"min": low, "max": high}, "review_at": list(reviews)}


def recorded(codes: str) -> list[SessionDone]:
    """'CCLO' -> closed, closed, signed, open, a week apart."""
    return [
        SessionDone(DAY + dt.timedelta(days=7 * i), STATUS[c], f"s{i + 1}")
        for i, c in enumerate(codes)
    ]


def at(days: int, hour: int = 10) -> dt.datetime:
    return NOW.replace(hour=hour) + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("sessions", "done", "in_progress", "left_to_min", "left_to_max", "next_number", "review"),
    [
        pytest.param("", 0, None, 6, 12, 1, False, id="nothing yet: session 1 is next"),
        pytest.param("CCC", 3, None, 3, 9, 4, True, id="three done: session 4 is the review"),
        pytest.param("CCLO", 3, 4, 3, 9, 5, False, id="session 4 open: 5 is next"),
        pytest.param("LLLLLL", 6, None, 0, 6, 7, False, id="minimum reached: 7 is optional"),
        pytest.param("CCCCCCC", 7, None, 0, 5, 8, True, id="seven done: session 8 is a review"),
        pytest.param("L" * 12, 12, None, 0, 0, None, False, id="maximum reached: nothing next"),
        pytest.param("L" * 11 + "O", 11, 12, 0, 1, None, False, id="last session in progress"),
        pytest.param("CXC", 2, None, 4, 10, 3, False, id="a cancelled session is not counted"),
    ],
)
def test_done_left_and_next(
    sessions: str,
    done: int,
    in_progress: int | None,
    left_to_min: int,
    left_to_max: int,
    next_number: int | None,
    review: bool,
) -> None:
    state = course_state(course(), recorded(sessions))
    assert state["done"] == done
    assert state["in_progress"] == in_progress
    assert (state["left_to_min"], state["left_to_max"]) == (left_to_min, left_to_max)
    if next_number is None:
        assert state["next"] is None
    else:
        assert state["next"] == {"number": next_number, "review": review}


@pytest.mark.parametrize(
    ("sessions", "states"),
    [
        pytest.param("", "next left left left left left", id="nothing yet"),
        pytest.param("CC", "done done next left left left", id="two done"),
        pytest.param("CCO", "done done in_progress next left left", id="third in progress"),
        pytest.param("LLLLLL", "done done done done done done", id="all six done"),
    ],
)
def test_each_number_has_its_state(sessions: str, states: str) -> None:
    state = course_state(course(6, 6, (3,)), recorded(sessions))
    assert [n["state"] for n in state["numbers"]] == states.split()
    assert [n["review"] for n in state["numbers"]] == [n == 3 for n in range(1, 7)]


def test_done_sessions_are_numbered_in_date_order_with_their_dates() -> None:
    late = SessionDone(dt.date(2026, 11, 20), "locked", "late")
    early = SessionDone(dt.date(2026, 11, 6), "closed", "early")
    numbers = course_state(course(), [late, early])["numbers"]
    assert [(n["number"], n["session_id"], n["date"]) for n in numbers[:2]] == [
        (1, "early", "2026-11-06"),
        (2, "late", "2026-11-20"),
    ]
    assert numbers[2]["session_id"] is None and numbers[2]["date"] is None


def test_optional_sessions_are_those_past_the_minimum() -> None:
    numbers = course_state(course(6, 8, ()), [])["numbers"]
    assert [n["number"] for n in numbers if n["beyond_min"]] == [7, 8]
    assert not any(n["beyond_max"] for n in numbers)


def test_sessions_beyond_the_maximum_are_still_counted() -> None:
    state = course_state(course(2, 3, ()), recorded("CCCC"))
    assert state["done"] == 4 and state["complete"] and state["left_to_max"] == 0
    assert [n["number"] for n in state["numbers"] if n["beyond_max"]] == [4]
    assert state["next"] is None and state["bookable"] == 0


@pytest.mark.parametrize(
    ("sessions", "booked_days", "numbers", "bookable"),
    [
        pytest.param("CC", (7, 14), [3, 4], 8, id="bookings take the numbers after the done"),
        pytest.param("CCO", (7,), [4], 8, id="after the session in progress"),
        pytest.param("CC", (14, 7), [4, 3], 8, id="numbered in time order, not as given"),
        pytest.param("CC", (-3, 7), [None, 3], 9, id="a booking in the past takes no number"),
        pytest.param("L" * 10, (7, 14), [11, 12], 0, id="the last two sessions booked"),
    ],
)
def test_bookings_are_numbered_after_what_is_done(
    sessions: str, booked_days: tuple[int, ...], numbers: list[int | None], bookable: int
) -> None:
    bookings = [Booked(at(d), f"b{d}") for d in booked_days]
    state = course_state(course(), recorded(sessions), bookings, NOW)
    by_id = {b["id"]: b for b in state["bookings"]}
    assert [by_id[f"b{d}"]["number"] for d in booked_days] == numbers
    assert [by_id[f"b{d}"]["past"] for d in booked_days] == [n is None for n in numbers]
    assert state["bookable"] == bookable
    for d, number in zip(booked_days, numbers, strict=True):
        if number is not None:
            row = state["numbers"][number - 1]
            assert (row["booking_id"], row["starts_at"]) == (f"b{d}", at(d).isoformat())


def test_the_next_session_is_next_even_when_booked() -> None:
    state = course_state(course(), recorded("CCC"), [Booked(at(2), "b")], NOW)
    row = state["numbers"][3]
    assert (row["number"], row["state"], row["review"], row["booking_id"]) == (4, "next", True, "b")
    assert state["next"] == {"number": 4, "review": True}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({}, id="no sessions"),
        pytest.param({"sessions": {"min": 8, "max": 6}}, id="min above max"),
        pytest.param({"sessions": {"min": 0, "max": 6}}, id="min zero"),
        pytest.param({"sessions": {"min": True, "max": 6}}, id="a boolean"),
        pytest.param({"sessions": {"min": 6, "max": 12}, "review_at": [0]}, id="review 0"),
    ],
)
def test_a_course_not_of_the_contract_shape_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidCourse, match="course"):
        course_state(bad, [])


# --- invariants ----------------------------------------------------------------------------

courses = st.tuples(st.integers(1, 12), st.integers(0, 12)).map(lambda t: (t[0], t[0] + t[1]))
histories = st.lists(st.sampled_from("CLX"), max_size=26).map("".join)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    courses,
    histories,
    st.booleans(),
    st.lists(st.integers(-20, 60), max_size=8, unique=True),
    st.lists(st.integers(1, 26), max_size=4),
)
def test_the_course_always_adds_up(
    limits: tuple[int, int], history: str, open_now: bool, days: list[int], reviews: list[int]
) -> None:
    low, high = limits
    sessions = recorded(history + ("O" if open_now else ""))
    bookings = [Booked(at(d), f"b{d}") for d in days]
    state = course_state(course(low, high, tuple(reviews)), sessions, bookings, NOW)
    done = sum(c in "CL" for c in history)
    numbers = state["numbers"]
    # every number from 1 up, at least to the maximum, each once
    assert [n["number"] for n in numbers] == list(range(1, len(numbers) + 1))
    assert len(numbers) >= high
    # done, in progress and next are counted from the records
    assert state["done"] == done == sum(n["state"] == "done" for n in numbers)
    assert sum(n["state"] == "in_progress" for n in numbers) == int(open_now)
    assert state["left_to_max"] == max(0, high - done)
    assert state["left_to_min"] + done >= low
    nexts = [n["number"] for n in numbers if n["state"] == "next"]
    expected_next = done + int(open_now) + 1
    assert nexts == ([expected_next] if expected_next <= len(numbers) else [])
    if state["next"] is not None:
        assert state["next"]["number"] == expected_next <= high
        assert state["next"]["review"] == (expected_next in reviews)
    # bookings ahead take distinct numbers straight after, in time order; past ones none
    ahead = sorted(d for d in days if at(d) > NOW)
    by_id = {b["id"]: b["number"] for b in state["bookings"]}
    assert [by_id[f"b{d}"] for d in ahead] == list(range(expected_next, expected_next + len(ahead)))
    assert all(by_id[f"b{d}"] is None for d in days if at(d) <= NOW)
    assert state["bookable"] == max(0, high - expected_next + 1 - len(ahead))
