"""Each page makes a fixed, small number of database queries whatever the size of the data.

The clinic grows from 3 to 30 patients (each assessed), Ellen from 3 to 30 assessments and 3 to
30 treatment sessions; every page is fetched before and after, counting its queries with
Django's CaptureQueriesContext. The counts must be equal (no query per row: no N+1) and within
the ceiling in ``CEILING`` (what the page needs: session, user, the record, its parts, the audit
entry). docs/performance.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crampcare.clinic import assessments, patients
from crampcare.records.models import TreatmentSession
from tests.clinic.course_world import make_plan, record_session
from tests.factories import make_intake
from tests.world import World, person

SMALL, LARGE = 3, 30

# page -> the most queries it may make at any data size: measured, plus two. Four of each page's
# are the audit entry's (savepoint, chain head, insert, head update) and two the signed-in user.
CEILING = {
    "sign-in": 2,
    "patient list": 12,
    "patient page": 48,  # eleven sections, each its own use case (docs/performance.md)
    "assessment page": 15,
    "session page": 23,
}


class Clinic:
    """Willow clinic grown on demand: patients with an assessment each; Ellen's assessments
    and sessions."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.plan = make_plan(world)
        self.others = 0
        self.ellen_assessments = 1
        self.sessions: list[TreatmentSession] = []

    def grow(self, size: int) -> None:
        w = self.world
        while self.others < size:
            self.others += 1
            made = patients.create_patient(w.alice, person("Pat", f"Number{self.others}"))
            assessments.create_assessment(
                w.alice, {"patient_id": made["id"], "intake": make_intake()}, w.kb
            )
        while self.ellen_assessments < size:
            self.ellen_assessments += 1
            assessments.create_assessment(
                w.alice, {"patient_id": w.ellen["id"], "intake": make_intake()}, w.kb
            )
        while len(self.sessions) < size:
            self.sessions.append(record_session(w, self.plan, days_ago=len(self.sessions) + 1))


def _pages(clinic: Clinic) -> dict[str, Callable[[], Any]]:
    w = clinic.world
    signed_in = Client()
    signed_in.force_login(w.alice)
    anonymous = Client()
    # the first session and the world's assessment: the ones that exist at both sizes
    session = clinic.sessions[0]
    return {
        "sign-in": lambda: anonymous.get("/login"),
        "patient list": lambda: signed_in.get("/"),
        "patient page": lambda: signed_in.get(f"/patients/{w.ellen['id']}"),
        "assessment page": lambda: signed_in.get(f"/assessments/{w.assessment['id']}"),
        "session page": lambda: signed_in.get(f"/sessions/{session.id}"),
    }


def _count(fetch: Callable[[], Any]) -> int:
    fetch()  # warm: the session row, caches
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.fixture
def counts(world: World) -> dict[str, tuple[int, int]]:
    """page -> (queries with 3 of everything, queries with 30)."""
    clinic = Clinic(world)
    clinic.grow(SMALL)
    small = {page: _count(fetch) for page, fetch in _pages(clinic).items()}
    clinic.grow(LARGE)
    large = {page: _count(fetch) for page, fetch in _pages(clinic).items()}
    return {page: (small[page], large[page]) for page in small}


def test_no_page_makes_more_queries_with_more_data(counts: dict[str, tuple[int, int]]) -> None:
    growing = {page: c for page, c in counts.items() if c[0] != c[1]}
    assert not growing, f"queries at {SMALL} vs {LARGE} rows: {growing}"


def test_each_page_stays_within_its_ceiling(counts: dict[str, tuple[int, int]]) -> None:
    over = {page: c for page, c in counts.items() if max(c) > CEILING[page]}
    assert not over, f"over the ceiling {CEILING}: {over}"
