"""The course of treatment: where a patient stands in the plan's course of sessions.

Pure: the assessment's ``course`` ({sessions: {min, max}, review_at: [...]}), the sessions of the
plan (date and status) and the bookings (when) are passed in, and so is ``now`` (to tell the
bookings still ahead from those in the past). Nothing is read from a clock or a database.

Numbering (a product rule, listed in docs/design.md Decisions):
- a session counts as done when it is closed or signed (status ``closed`` or ``locked``); done
  sessions are numbered 1, 2, ... in date order (ties keep the order given);
- an open session is the one in progress: it takes the number after the done ones;
- bookings still ahead are numbered next, in time order; a booking in the past takes no number
  (the session it was for is counted when it is recorded);
- the next session is the first number neither done nor in progress; it is a review session when
  its number is one of the course's ``review_at``;
- sessions beyond the course's maximum are still numbered and counted (``beyond_max``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

DONE_STATUSES = frozenset({"closed", "locked"})
OPEN_STATUS = "open"

NumberState = Literal["done", "in_progress", "next", "left"]


@dataclass(frozen=True)
class SessionDone:
    """One recorded session of the plan: its date and status (open, closed, locked)."""

    date: dt.date
    status: str
    ident: str = ""


@dataclass(frozen=True)
class Booked:
    """One active booking: when it starts (an aware datetime)."""

    starts_at: dt.datetime
    ident: str = ""


class Range(TypedDict):
    min: int
    max: int


class NextSession(TypedDict):
    number: int
    review: bool


class NumberOut(TypedDict):
    number: int
    state: NumberState
    review: bool
    beyond_min: bool  # past the course's minimum: an optional session
    beyond_max: bool  # past the course's maximum: more than the plan asked for
    date: str | None  # the date of a done or in-progress session
    session_id: str | None
    booking_id: str | None
    starts_at: str | None  # the booking of a session still ahead


class BookingOut(TypedDict):
    id: str
    starts_at: str
    number: int | None  # None for a booking in the past
    past: bool


class CourseState(TypedDict):
    sessions: Range
    review_at: list[int]
    done: int
    in_progress: int | None  # the open session's number
    booked: int  # bookings still ahead
    left_to_min: int
    left_to_max: int
    bookable: int  # how many more sessions may be booked before the maximum is reached
    reached_min: bool
    complete: bool  # the maximum is reached
    next: NextSession | None
    numbers: list[NumberOut]
    bookings: list[BookingOut]


class InvalidCourse(ValueError):
    """The course given is not of the contract's shape."""


def read_course(course: Mapping[str, Any]) -> tuple[int, int, list[int]]:
    """The course's (min, max, review_at), checked: 1 <= min <= max, reviews in 1..max."""
    sessions = course.get("sessions")
    if not isinstance(sessions, Mapping):
        raise InvalidCourse("course.sessions: must be {min, max}")
    low, high = sessions.get("min"), sessions.get("max")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        raise InvalidCourse("course.sessions: min and max must be whole numbers")
    assert isinstance(low, int) and isinstance(high, int)
    if not 1 <= low <= high:
        raise InvalidCourse(f"course.sessions: need 1 <= min <= max, got {low} and {high}")
    reviews = course.get("review_at", [])
    if not isinstance(reviews, Sequence) or not all(
        isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in reviews
    ):
        raise InvalidCourse("course.review_at: must be a list of session numbers")
    return low, high, sorted(set(reviews))


def course_state(
    course: Mapping[str, Any],
    sessions: Sequence[SessionDone],
    bookings: Sequence[Booked] = (),
    now: dt.datetime | None = None,
) -> CourseState:
    """The course of one plan: every session number with its state, what is done and left, and
    the next session. ``now`` (aware) separates the bookings ahead from those past; without it
    every booking counts as ahead."""
    low, high, reviews = read_course(course)
    done = sorted(
        (s for s in sessions if s.status in DONE_STATUSES), key=lambda s: s.date.toordinal()
    )
    current = next((s for s in sessions if s.status == OPEN_STATUS), None)
    ahead = sorted(
        (b for b in bookings if now is None or b.starts_at > now), key=lambda b: b.starts_at
    )
    open_number = len(done) + 1 if current is not None else None
    first_free = len(done) + (1 if current is not None else 0) + 1
    booking_number = {id(b): first_free + i for i, b in enumerate(ahead)}
    last = max(high, first_free - 1 + len(ahead))

    numbers: list[NumberOut] = []
    for n in range(1, last + 1):
        state: NumberState
        record: SessionDone | None = None
        booking: Booked | None = None
        if n <= len(done):
            state, record = "done", done[n - 1]
        elif n == open_number:
            state, record = "in_progress", current
        else:
            state = "next" if n == first_free else "left"
            if 0 <= n - first_free < len(ahead):
                booking = ahead[n - first_free]
        numbers.append(
            {
                "number": n,
                "state": state,
                "review": n in reviews,
                "beyond_min": n > low,
                "beyond_max": n > high,
                "date": record.date.isoformat() if record else None,
                "session_id": (record.ident or None) if record else None,
                "booking_id": (booking.ident or None) if booking else None,
                "starts_at": booking.starts_at.isoformat() if booking else None,
            }
        )

    taken = first_free - 1
    return {
        "sessions": {"min": low, "max": high},
        "review_at": reviews,
        "done": len(done),
        "in_progress": open_number,
        "booked": len(ahead),
        "left_to_min": max(0, low - len(done)),
        "left_to_max": max(0, high - len(done)),
        "bookable": max(0, high - taken - len(ahead)),
        "reached_min": len(done) >= low,
        "complete": len(done) >= high,
        "next": (
            {"number": first_free, "review": first_free in reviews} if first_free <= high else None
        ),
        "numbers": numbers,
        "bookings": [
            {
                "id": b.ident,
                "starts_at": b.starts_at.isoformat(),
                "number": booking_number.get(id(b)),
                "past": id(b) not in booking_number,
            }
            for b in sorted(bookings, key=lambda b: b.starts_at)
        ],
    }
