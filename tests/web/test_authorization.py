"""Every URL, every role, anonymous included: each gets only what it may.

The table below must name every operation of the API and every page; a new URL fails
``test_the_table_covers_every_url`` until its row says who may use it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from crampcare.web.api import api as ninja_api
from tests.factories import make_intake
from tests.world import PASSWORD, World, api, person

ROLES = ["anonymous", "fran", "alice", "adam", "bert"]  # front desk, practitioner, admin, other
A, F, P, D, X = ROLES  # anonymous, front desk, practitioner, admin (adam), other clinic
ALL_OK = {A: 401, F: 200, P: 200, D: 200, X: 200}
MANAGE_USERS = {A: 401, F: 403, P: 403, D: 200, X: 403}  # a user of the admin's own clinic


DEMOGRAPHICS_READ = {A: 401, F: 200, P: 200, D: 200, X: 404}
DEMOGRAPHICS_LIST = {A: 401, F: 200, P: 200, D: 200, X: 200}
CLINICAL_READ = {A: 401, F: 403, P: 200, D: 403, X: 404}
CLINICAL_WRITE = {A: 401, F: 403, P: 201, D: 403, X: 404}
SCHEDULE_READ = {A: 401, F: 200, P: 200, D: 403, X: 404}
CLINIC_WIDE_CLINICAL = {A: 401, F: 403, P: 200, D: 403, X: 200}  # each clinic sees its own
PRACTICE_REPORTS = {A: 401, F: 403, P: 200, D: 200, X: 200}  # the admin too; each clinic its own
FHIR_PATIENT = {
    "resourceType": "Patient",
    "id": "auth-1",
    "name": [{"family": "Moss", "given": ["Ida"]}],
    "gender": "female",
    "birthDate": "1960-01-02",
}

# (method, path template) -> (body maker, expected status per role)
TABLE: dict[tuple[str, str], tuple[Any, dict[str, int]]] = {
    ("post", "/api/v1/auth/token"): (
        lambda w: {"username": "alice", "password": PASSWORD},
        {A: 201, F: 201, P: 201, D: 201, X: 201},
    ),
    ("delete", "/api/v1/auth/token"): (None, {A: 401, F: 204, P: 204, D: 204, X: 204}),
    ("get", "/api/v1/auth/me"): (None, ALL_OK),
    ("get", "/api/v1/users"): (None, {A: 401, F: 403, P: 403, D: 200, X: 403}),
    ("post", "/api/v1/users"): (
        lambda w: {"username": "newbie", "role": "front_desk"},
        {A: 401, F: 403, P: 403, D: 201, X: 403},
    ),
    ("get", "/api/v1/users/events"): (None, MANAGE_USERS),
    ("post", "/api/v1/users/{user_id}/role"): (lambda w: {"role": "front_desk"}, MANAGE_USERS),
    ("post", "/api/v1/users/{user_id}/deactivate"): (None, MANAGE_USERS),
    ("post", "/api/v1/users/{user_id}/reset-password"): (None, MANAGE_USERS),
    ("post", "/api/v1/users/{user_id}/sign-out-everywhere"): (  # the user is Fran: herself
        None,
        {**MANAGE_USERS, F: 200},
    ),
    ("post", "/api/v1/auth/sign-out-everywhere"): (None, ALL_OK),
    ("post", "/api/v1/auth/password"): (
        lambda w: {"current_password": PASSWORD, "new_password": "quartz otter lantern 1987"},
        ALL_OK,
    ),
    ("post", "/api/v1/auth/invitation"): (  # anyone may try; a wrong token is 404
        lambda w: {"token": "not-a-token", "password": "quartz otter lantern 1987"},
        {A: 404, F: 404, P: 404, D: 404, X: 404},
    ),
    ("get", "/api/v1/patients"): (None, DEMOGRAPHICS_LIST),
    ("post", "/api/v1/patients"): (
        lambda w: person("Iris", "Dane"),
        {A: 401, F: 201, P: 201, D: 201, X: 201},
    ),
    ("get", "/api/v1/patients/{patient_id}"): (None, DEMOGRAPHICS_READ),
    ("patch", "/api/v1/patients/{patient_id}"): (lambda w: {"phone": "+1 555"}, DEMOGRAPHICS_READ),
    ("get", "/api/v1/patients/{patient_id}/intakes"): (None, CLINICAL_READ),
    ("post", "/api/v1/patients/{patient_id}/intakes"): (
        lambda w: {"document": make_intake()},
        CLINICAL_WRITE,
    ),
    ("get", "/api/v1/patients/{patient_id}/assessments"): (None, CLINICAL_READ),
    ("get", "/api/v1/patients/{patient_id}/plans"): (None, CLINICAL_READ),
    ("get", "/api/v1/intakes/{intake_id}"): (None, CLINICAL_READ),
    ("post", "/api/v1/assessments"): (
        lambda w: {"patient_id": str(w.ellen["id"]), "intake": make_intake()},
        CLINICAL_WRITE,
    ),
    ("get", "/api/v1/assessments/{assessment_id}"): (None, CLINICAL_READ),
    ("post", "/api/v1/assessments/{assessment_id}/reassess"): (None, CLINICAL_READ),
    ("post", "/api/v1/assessments/{assessment_id}/plans"): (
        lambda w: {"accepted": [p["code"] for p in w.assessment["result"]["points"]]},
        CLINICAL_WRITE,
    ),
    ("get", "/api/v1/plans/{plan_id}"): (None, CLINICAL_READ),
    # treatment sessions (an open session with one needle in; 409: allowed, but not in this state)
    ("post", "/api/v1/sessions"): (lambda w: {"patient_id": str(w.ellen["id"])}, CLINICAL_WRITE),
    ("get", "/api/v1/sessions/{session_id}"): (None, CLINICAL_READ),
    ("patch", "/api/v1/sessions/{session_id}"): (lambda w: {"note": {"plan": "x"}}, CLINICAL_READ),
    ("post", "/api/v1/sessions/{session_id}/needles"): (
        lambda w: {"which": "inserted"},
        CLINICAL_READ,
    ),
    ("post", "/api/v1/sessions/{session_id}/retention"): (
        lambda w: {"action": "start"},
        CLINICAL_READ,
    ),
    ("post", "/api/v1/sessions/{session_id}/contact"): (
        lambda w: {"action": "enter"},
        CLINICAL_READ,
    ),
    ("post", "/api/v1/sessions/{session_id}/adverse-events"): (
        lambda w: {"kind": "pain", "severity": "mild", "action": "reassured"},
        CLINICAL_WRITE,
    ),
    ("post", "/api/v1/sessions/{session_id}/close"): (None, {**CLINICAL_READ, P: 409}),
    ("post", "/api/v1/sessions/{session_id}/sign"): (None, {**CLINICAL_READ, P: 409}),
    ("post", "/api/v1/sessions/{session_id}/addenda"): (
        lambda w: {"reason": "late entry", "text": "x"},
        {**CLINICAL_READ, P: 409},
    ),
    ("get", "/api/v1/sessions/{session_id}/billing"): (None, {**CLINICAL_READ, P: 409}),
    ("get", "/api/v1/patients/{patient_id}/sessions"): (None, CLINICAL_READ),
    # the course and its bookings: the schedule (front desk too); adverse events and rooms clinical
    ("get", "/api/v1/patients/{patient_id}/course"): (None, SCHEDULE_READ),
    ("post", "/api/v1/patients/{patient_id}/bookings"): (
        lambda w: _slots(40),
        {**SCHEDULE_READ, F: 201, P: 201},
    ),
    ("delete", "/api/v1/bookings/{booking_id}"): (None, SCHEDULE_READ),
    ("get", "/api/v1/patients/{patient_id}/calendar.ics"): (None, SCHEDULE_READ),
    ("get", "/api/v1/patients/{patient_id}/timeline"): (None, SCHEDULE_READ),
    ("get", "/api/v1/patients/{patient_id}/serious-adverse-events"): (None, CLINICAL_READ),
    ("get", "/api/v1/practice/adverse-events"): (None, CLINIC_WIDE_CLINICAL),
    ("get", "/api/v1/treatment-rooms"): (None, CLINIC_WIDE_CLINICAL),
    # the cramp diary: practitioners only (the patient's own page is /diary/<token>)
    ("post", "/api/v1/patients/{patient_id}/diary-links"): (None, CLINICAL_WRITE),
    ("delete", "/api/v1/diary-links/{diary_link_id}"): (None, {**CLINICAL_READ, P: 204}),
    ("get", "/api/v1/patients/{patient_id}/diary-entries"): (None, CLINICAL_READ),
    ("post", "/api/v1/patients/{patient_id}/diary-entries"): (
        lambda w: {"date": "2026-01-05", "cramps": 2},
        CLINICAL_WRITE,
    ),
    ("patch", "/api/v1/diary-entries/{diary_entry_id}"): (lambda w: {"cramps": 4}, CLINICAL_READ),
    # the documents as PDFs (the handout: the letter and the superbill are tested in tests/clinic)
    ("get", "/api/v1/patients/{patient_id}/documents/{kind}.pdf"): (None, CLINICAL_READ),
    ("get", "/api/v1/patients/{patient_id}/fhir"): (None, CLINICAL_READ),  # the FHIR export
    # outcomes and the course review (no review is due with a plan and no session: 409)
    ("get", "/api/v1/patients/{patient_id}/outcomes"): (None, CLINICAL_READ),
    ("post", "/api/v1/patients/{patient_id}/reviews"): (
        lambda w: {"key": "session:4", "decision": "continue"},
        {**CLINICAL_READ, P: 409},
    ),
    # the practice view: aggregates for practitioners and clinic admins
    ("get", "/api/v1/practice/outcomes"): (None, PRACTICE_REPORTS),
    ("get", "/api/v1/practice/outcomes.csv"): (None, PRACTICE_REPORTS),
    # a FHIR record imported into the user's own clinic (tests/fhir/test_import.py)
    ("post", "/api/v1/fhir/import"): (lambda w: FHIR_PATIENT, CLINIC_WIDE_CLINICAL),
    # privacy (docs/privacy.md): the record export for practitioners; retention and erasure
    # for the clinic admin (Birch's Bert is a practitioner: 403 before any patient is looked up)
    ("get", "/api/v1/patients/{patient_id}/export.zip"): (None, CLINICAL_READ),
    ("get", "/api/v1/clinic"): (None, MANAGE_USERS),
    ("patch", "/api/v1/clinic"): (lambda w: {"retention_years": 10}, MANAGE_USERS),
    ("get", "/api/v1/clinic/retention"): (None, MANAGE_USERS),
    ("post", "/api/v1/patients/{patient_id}/erase"): (
        lambda w: {"reason": "patient_request", "confirm": "ERASE"},
        MANAGE_USERS,
    ),
}

PAGES: dict[tuple[str, str], dict[str, int]] = {
    ("get", "/"): {A: 302, F: 200, P: 200, D: 200, X: 200},
    ("get", "/login"): {A: 200, F: 200, P: 200, D: 200, X: 200},
    ("post", "/logout"): {A: 302, F: 302, P: 302, D: 302, X: 302},
    ("get", "/invitation/<str:token>"): {A: 404, F: 404, P: 404, D: 404, X: 404},  # no such token
}
NOT_ROUTES = {"/api/v1/openapi.json"}  # public by design: the API's description


def api_operations() -> set[tuple[str, str]]:
    spec = ninja_api.get_openapi_schema()
    return {(method, path) for path, ops in spec["paths"].items() for method in ops}


def page_routes() -> set[str]:
    def walk(patterns: list[Any], prefix: str) -> list[str]:
        out: list[str] = []
        for p in patterns:
            if isinstance(p, URLResolver):
                out += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append("/" + prefix + str(p.pattern))
        return out

    return {r for r in walk(get_resolver().url_patterns, "") if not r.startswith("/api/")}


def test_the_table_covers_every_url() -> None:
    from tests.web.test_page_authorization import PAGES as WORKBENCH  # the workbench pages

    assert api_operations() == set(TABLE)
    assert page_routes() == {path for _, path in PAGES} | {path for _, path in WORKBENCH}


def _plan(world: World) -> str:
    from crampcare.clinic import plans

    ids = [p["code"] for p in world.assessment["result"]["points"]]
    return str(
        plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids}, world.kb)["id"]
    )


def _session(world: World) -> str:
    from crampcare.clinic import sessions

    s = sessions.start_session(world.alice, {"patient_id": world.ellen["id"]}, world.kb)
    sessions.count_needles(world.alice, s["id"], {"which": "inserted"})
    return str(s["id"])


def _url(template: str, world: World, plan_id: str) -> str:
    return template.format(
        patient_id=world.ellen["id"],
        intake_id=world.assessment["intake_id"],
        assessment_id=world.assessment["id"],
        plan_id=plan_id,
        session_id=_session(world) if "{session_id}" in template else "",
        booking_id=_booking(world) if "{booking_id}" in template else "",
        diary_link_id=_diary(world)[0] if "{diary_link_id}" in template else "",
        diary_entry_id=_diary(world)[1] if "{diary_entry_id}" in template else "",
        kind="handout",
        user_id=world.fran.pk,
    )


def _diary(world: World) -> tuple[str, str]:
    """A diary link and an entry of Ellen's (made by Alice)."""
    from crampcare.clinic import diary

    link = diary.create_link(world.alice, world.ellen["id"])
    entry = diary.add_entry(world.alice, world.ellen["id"], {"date": "2026-01-04", "cramps": 1})
    return str(link["id"]), str(entry["id"])


def _slots(days: int) -> dict[str, Any]:
    from tests.clinic.course_world import slots

    return slots(days)


def _booking(world: World) -> str:
    from crampcare.clinic import course

    return str(course.book(world.alice, world.ellen["id"], _slots(3))["bookings"][0]["id"])


def _client(world: World, role: str) -> Client:
    return api(None if role == A else world.user(role))


@pytest.mark.parametrize("operation", sorted(TABLE), ids=lambda op: f"{op[0]} {op[1]}")
def test_each_role_gets_only_what_it_may(world: World, operation: tuple[str, str]) -> None:
    method, template = operation
    make_body, expected = TABLE[operation]
    plan_id = _plan(world)
    got = {}
    for role in ROLES:
        sid = transaction.savepoint()
        client = _client(world, role)
        data = json.dumps(make_body(world)) if make_body else None
        kwargs: dict[str, Any] = {"content_type": "application/json"} if data else {}
        response = getattr(client, method)(_url(template, world, plan_id), data, **kwargs)
        got[role] = response.status_code
        transaction.savepoint_rollback(sid)
    assert got == expected


@pytest.mark.parametrize("route", sorted(PAGES), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_sees_only_the_pages_it_may(world: World, route: tuple[str, str]) -> None:
    method, path = route
    got = {}
    for role in ROLES:
        client = Client()
        if role != A:
            client.force_login(world.user(role))
        got[role] = getattr(client, method)(path).status_code
    assert got == PAGES[route]


def test_another_clinic_never_sees_a_patient_in_a_list(world: World) -> None:
    listed = json.loads(api(world.bert).get("/api/v1/patients").content)
    assert [p["family_name"] for p in listed["items"]] == ["Crane"]
