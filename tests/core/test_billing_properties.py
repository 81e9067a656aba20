"""Billing invariants over generated sessions (several patients, two days, overlapping sessions).

The expected facts are recomputed here from the raw documents, minute by minute: the patient's
day of contact (minutes two sessions share count once), cut into 15-minute increments.

Bound on units: with the midpoint rule a partial increment counts from 8 minutes, so T minutes
of contact give at most floor((T + 7) / 15) units (which is at most floor(T / 15) + 1).
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcare.core.billing import bill
from crampcare.core.session import parse_session
from crampcare.kb.loader import load_kb
from tests.strategies import session_documents

KB = load_kb()
EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300"))
PROFILE = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
INITIAL = {"97810", "97813"}
ADD_ON = {"97811", "97814"}
ELECTRICAL = {"97813", "97814"}
SESSIONS = st.lists(session_documents(), min_size=1, max_size=5)


def minute(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


class Day:
    """One patient's day of contact, from the raw documents."""

    def __init__(self) -> None:
        self.contact: set[int] = set()
        self.electrical: set[int] = set()
        self.reinsertions: set[int] = set()

    def add(self, interval: dict[str, Any]) -> None:
        span = set(range(minute(interval["start"]), minute(interval["end"])))
        self.contact |= span
        if interval["electrical"]:
            self.electrical |= span
        if interval["reinsertion"]:
            self.reinsertions.add(minute(interval["start"]))

    def increment(self, number: int) -> list[int]:
        return sorted(self.contact)[(number - 1) * 15 : number * 15]


def days(docs: list[dict[str, Any]]) -> dict[tuple[str, str], Day]:
    out: dict[tuple[str, str], Day] = defaultdict(Day)
    for doc in docs:
        for interval in doc["contact"]:
            out[(doc["date"], doc["patient"])].add(interval)
    return out


def billed(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return bill([parse_session(doc, KB) for doc in docs])


@PROFILE
@given(SESSIONS)
def test_never_two_initial_codes_for_one_patient_day(docs: list[dict[str, Any]]) -> None:
    initial: dict[tuple[str, str], int] = defaultdict(int)
    for line in billed(docs)["lines"]:
        if line["code"] in INITIAL:
            initial[(line["date"], line["patient"])] += line["units"]
            assert line["increments"] == [1], line
    assert all(units == 1 for units in initial.values()), initial


@PROFILE
@given(SESSIONS)
def test_never_more_units_than_contact_time_allows(docs: list[dict[str, Any]]) -> None:
    result = billed(docs)
    units: dict[tuple[str, str], int] = defaultdict(int)
    for line in result["lines"]:
        assert line["units"] == len(line["increments"])
        units[(line["date"], line["patient"])] += line["units"]
    for key, day in days(docs).items():
        minutes = len(day.contact)
        assert units[key] <= (minutes + 7) // 15 <= minutes // 15 + 1, (key, minutes)
    assert result["total_units"] == sum(units.values())


@PROFILE
@given(SESSIONS)
def test_each_code_is_the_stimulation_code_of_its_increment(docs: list[dict[str, Any]]) -> None:
    found = days(docs)
    for line in billed(docs)["lines"]:
        day = found[(line["date"], line["patient"])]
        for number in line["increments"]:
            stimulated = bool(set(day.increment(number)) & day.electrical)
            assert (line["code"] in ELECTRICAL) is stimulated, (line, number)


@PROFILE
@given(SESSIONS)
def test_add_on_only_with_a_reinsertion_in_its_increment(docs: list[dict[str, Any]]) -> None:
    found = days(docs)
    for line in billed(docs)["lines"]:
        if line["code"] in ADD_ON:
            day = found[(line["date"], line["patient"])]
            for number in line["increments"]:
                assert set(day.increment(number)) & day.reinsertions, (line, number)


@PROFILE
@given(SESSIONS)
def test_every_increment_is_billed_or_says_why_not(docs: list[dict[str, Any]]) -> None:
    result = billed(docs)
    for key, day in days(docs).items():
        numbers = sorted(
            n
            for entry in result["lines"]
            if (entry["date"], entry["patient"]) == key
            for n in entry["increments"]
        ) + [e["increment"] for e in result["not_billed"] if (e["date"], e["patient"]) == key]
        assert sorted(numbers) == list(range(1, -(-len(day.contact) // 15) + 1))
