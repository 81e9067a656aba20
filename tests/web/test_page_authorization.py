"""Every page URL, every role, anonymous included: each gets only what it may.

The table names every page route (everything outside /api/; the API has its own table in
test_authorization.py). A new page fails ``test_the_page_table_covers_every_page`` until its row
says who may use it. Anonymous users are sent to the sign-in page; the front desk and the clinic
admin may see demographics but no clinical record (403); another clinic's practitioner gets 404
for this clinic's records, so that their existence does not leak.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from crampcare.clinic import plans, sessions
from tests.web.test_authorization import page_routes
from tests.web.test_pages import FULL_INTAKE_FORM
from tests.world import PASSWORD, World, person

ROLES = ["anonymous", "fran", "alice", "adam", "bert"]  # front desk, practitioner, admin, other
A, F, P, D, X = ROLES
LOGIN = "login"  # a redirect to the sign-in page

SIGNED_IN = {A: LOGIN, F: 200, P: 200, D: 200, X: 200}
DEMOGRAPHICS = {A: LOGIN, F: 200, P: 200, D: 200, X: 404}
DEMOGRAPHICS_WRITE = {A: LOGIN, F: 302, P: 302, D: 302, X: 404}
CLINICAL = {A: LOGIN, F: 403, P: 200, D: 403, X: 404}
CLINICAL_WRITE = {A: LOGIN, F: 403, P: 302, D: 403, X: 404}
ADMIN = {A: LOGIN, F: 403, P: 403, D: 200, X: 403}  # Birch's Bert is a practitioner
ADMIN_WRITE = {**ADMIN, D: 302}
NEW_PASSWORD = "quartz otter lantern 1987"


def _patient_form(w: World) -> dict[str, Any]:
    return {**person("Iris", "Dane"), "consent_treatment": "on", "consent_data_processing": "on"}


def _fhir_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.test_authorization import FHIR_PATIENT

    body = json.dumps(FHIR_PATIENT).encode()
    return SimpleUploadedFile("patient.json", body, content_type="application/fhir+json")


def _plan_form(w: World) -> dict[str, str]:
    return {
        f"decision.{plans.point_id(p['code'], p.get('region'))}": "accept"
        for p in w.assessment["result"]["points"]
    }


# (method, route) -> (form maker or None, expected per role)
PAGES: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {
    ("get", "/"): (None, SIGNED_IN),
    ("get", "/login"): (None, {A: 200, F: 200, P: 200, D: 200, X: 200}),
    ("post", "/login"): (
        lambda w: {"username": "alice", "password": PASSWORD},
        {A: 302, F: 302, P: 302, D: 302, X: 302},
    ),
    ("post", "/logout"): (None, {A: 302, F: 302, P: 302, D: 302, X: 302}),
    ("get", "/invitation/<str:token>"): (None, {A: 404, F: 404, P: 404, D: 404, X: 404}),
    ("get", "/patients/new"): (None, SIGNED_IN),
    # the patient list's "Import FHIR" form: into the user's own clinic
    ("post", "/patients/import-fhir"): (
        lambda w: {"file": _fhir_file()},
        {A: LOGIN, F: 403, P: 200, D: 403, X: 200},
    ),
    ("post", "/patients/new"): (_patient_form, {A: LOGIN, F: 302, P: 302, D: 302, X: 302}),
    ("get", "/patients/<uuid:patient_id>"): (None, DEMOGRAPHICS),
    ("get", "/patients/<uuid:patient_id>/edit"): (None, DEMOGRAPHICS),
    ("post", "/patients/<uuid:patient_id>/edit"): (_patient_form, DEMOGRAPHICS_WRITE),
    ("get", "/patients/<uuid:patient_id>/intake"): (None, CLINICAL),
    ("post", "/patients/<uuid:patient_id>/intake"): (lambda w: FULL_INTAKE_FORM, CLINICAL_WRITE),
    ("get", "/assessments/<uuid:assessment_id>"): (None, CLINICAL),
    ("post", "/assessments/<uuid:assessment_id>/reassess"): (None, CLINICAL_WRITE),
    ("get", "/assessments/<uuid:assessment_id>/plan"): (None, CLINICAL),
    ("post", "/assessments/<uuid:assessment_id>/plan"): (_plan_form, CLINICAL_WRITE),
    ("get", "/plans/<uuid:plan_id>"): (None, CLINICAL),
    # treatment sessions (the session below has one needle in and nothing else)
    ("post", "/sessions/start"): (lambda w: {"patient_id": w.ellen["id"]}, CLINICAL_WRITE),
    ("get", "/sessions/<uuid:session_id>"): (None, CLINICAL),
    ("post", "/sessions/<uuid:session_id>"): (lambda w: {"action": "add_point"}, CLINICAL),
    ("post", "/sessions/<uuid:session_id>/needles"): (
        lambda w: {"which": "inserted", "delta": "1"},
        CLINICAL_WRITE,
    ),
    ("post", "/sessions/<uuid:session_id>/lot"): (lambda w: {"lot": "L-1"}, CLINICAL_WRITE),
    ("post", "/sessions/<uuid:session_id>/retention"): (
        lambda w: {"action": "start"},
        CLINICAL_WRITE,
    ),
    ("post", "/sessions/<uuid:session_id>/contact"): (
        lambda w: {"action": "enter"},
        CLINICAL_WRITE,
    ),
    ("post", "/sessions/<uuid:session_id>/adverse-events"): (
        lambda w: {"kind": "pain", "severity": "mild", "action": "pressure"},
        CLINICAL_WRITE,
    ),
    # refused for the practitioner by the session's state (a needle still in, not closed)
    ("post", "/sessions/<uuid:session_id>/close"): (None, {**CLINICAL_WRITE, P: 409}),
    ("post", "/sessions/<uuid:session_id>/sign"): (None, {**CLINICAL_WRITE, P: 409}),
    ("post", "/sessions/<uuid:session_id>/addenda"): (
        lambda w: {"reason": "typing error", "text": "the depth was 20 mm"},
        {**CLINICAL_WRITE, P: 409},
    ),
    ("get", "/rooms"): (None, {**CLINICAL, X: 200}),  # another clinic sees its own rooms
    # the practice view: practitioners and clinic admins, each clinic its own figures
    ("get", "/practice"): (None, {A: LOGIN, F: 403, P: 200, D: 200, X: 200}),
    ("get", "/practice.csv"): (None, {A: LOGIN, F: 403, P: 200, D: 200, X: 200}),
    ("post", "/patients/<uuid:patient_id>/bookings"): (
        lambda w: {"sessions[0].starts_at": f"{dt.date.today() + dt.timedelta(days=7)}T10:00"},
        {A: LOGIN, F: 302, P: 302, D: 403, X: 404},  # the schedule: front desk too
    ),
    # a document's PDF (the handout) behind the patient page's download buttons
    ("get", "/patients/<uuid:patient_id>/documents/<str:kind>.pdf"): (None, CLINICAL),
    # the course review: no review is due with a plan and no session (409 for the practitioner)
    ("post", "/patients/<uuid:patient_id>/review"): (
        lambda w: {"key": "session:4", "decision": "continue"},
        {**CLINICAL_WRITE, P: 409},
    ),
    # the cramp diary: the panel's forms for practitioners; the patient's page answers to its
    # link's token alone (a route without a real token is a 404 for everyone, signed in or not)
    ("post", "/patients/<uuid:patient_id>/diary"): (
        lambda w: {"action": "create_link"},
        {**CLINICAL_WRITE, P: 200},  # the page again, showing the new link once
    ),
    ("get", "/diary/<str:token>"): (None, {A: 404, F: 404, P: 404, D: 404, X: 404}),
    # the clinic admin's pages (the user acted on is Fran, of Willow)
    ("get", "/admin/users"): (None, ADMIN),
    ("post", "/admin/users"): (lambda w: {"username": "petra", "role": "front_desk"}, ADMIN),
    ("post", "/admin/users/<int:user_id>/deactivate"): (None, ADMIN_WRITE),
    ("post", "/admin/users/<int:user_id>/reactivate"): (None, {**ADMIN, D: 409}),  # active
    ("post", "/admin/users/<int:user_id>/role"): (lambda w: {"role": "front_desk"}, ADMIN_WRITE),
    ("post", "/admin/users/<int:user_id>/reset-password"): (None, ADMIN),  # shows the link
    # (Fran is the user acted on: signing herself out everywhere is hers to do)
    ("post", "/admin/users/<int:user_id>/sign-out-everywhere"): (None, {**ADMIN_WRITE, F: 302}),
    ("get", "/admin/audit"): (None, ADMIN),
    # privacy: the record export (practitioners), retention and erasure (the clinic admin)
    ("get", "/patients/<uuid:patient_id>/export.zip"): (None, CLINICAL),
    ("get", "/admin/retention"): (None, ADMIN),
    ("post", "/admin/retention"): (lambda w: {"retention_years": "10"}, ADMIN_WRITE),
    ("get", "/patients/<uuid:patient_id>/erase"): (None, ADMIN),
    ("post", "/patients/<uuid:patient_id>/erase"): (
        lambda w: {"reason": "patient_request", "confirm": "ERASE"},
        ADMIN_WRITE,
    ),
    # a patient's access log: practitioners and admins of the patient's clinic
    ("get", "/patients/<uuid:patient_id>/access-log"): (None, {**CLINICAL, D: 200}),
    ("get", "/patients/<uuid:patient_id>/access-log/print"): (None, {**CLINICAL, D: 200}),
    # every user's own account (the token is Alice's: anyone else's answer is 404)
    ("get", "/account"): (None, SIGNED_IN),
    ("post", "/account/password"): (
        lambda w: {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
        {A: LOGIN, F: 302, P: 302, D: 302, X: 302},
    ),
    ("post", "/account/sign-out-everywhere"): (None, {A: LOGIN, F: 302, P: 302, D: 302, X: 302}),
    ("post", "/account/tokens/<int:token_id>/revoke"): (
        None,
        {A: LOGIN, F: 404, P: 302, D: 404, X: 404},
    ),
    ("post", "/diary/<str:token>"): (
        lambda w: {"date": "2026-01-05", "cramps": "1"},
        {A: 404, F: 404, P: 404, D: 404, X: 404},
    ),
}


def test_the_page_table_covers_every_page() -> None:
    assert page_routes() == {route for _, route in PAGES}


def _url(route: str, world: World, plan_id: str, session_id: str = "") -> str:
    if "<int:token_id>" in route:
        route = route.replace("<int:token_id>", str(_token_of(world.alice)))
    return (
        route.replace("<uuid:session_id>", session_id)
        .replace("<int:user_id>", str(world.fran.pk))
        .replace("<uuid:patient_id>", str(world.ellen["id"]))
        .replace("<uuid:assessment_id>", str(world.assessment["id"]))
        .replace("<uuid:plan_id>", plan_id)
        .replace("<str:kind>", "handout")
    )


def _token_of(user: Any) -> int:
    from crampcare.records.models import ApiToken
    from tests.world import token_for

    token_for(user)
    return int(ApiToken.objects.filter(user=user).latest("pk").pk)


def _outcome(response: Any) -> Any:
    if response.status_code == 302 and response["Location"].startswith("/login?next="):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("operation", sorted(PAGES), ids=lambda op: f"{op[0]} {op[1]}")
def test_each_role_gets_only_the_pages_it_may(world: World, operation: tuple[str, str]) -> None:
    method, route = operation
    make_form, expected = PAGES[operation]
    ids = [p["code"] for p in world.assessment["result"]["points"]]
    plan = plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids}, world.kb)
    session_id = ""
    if "<uuid:session_id>" in route:
        opened = sessions.start_session(world.alice, {"patient_id": world.ellen["id"]}, world.kb)
        session_id = str(opened["id"])
        sessions.count_needles(world.alice, session_id, {"which": "inserted", "delta": 1})
    got = {}
    for role in ROLES:
        sid = transaction.savepoint()
        client = Client()
        if role != A:
            client.force_login(world.user(role))
        url = _url(route, world, str(plan["id"]), session_id)
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, make_form(world) if make_form else {})
        got[role] = _outcome(response)
        if role == X and response.status_code == 404:
            assert b"Ayres" not in response.content  # nothing of the other clinic's patient
        if role in {F, D} and response.status_code == 200:
            assert b"Timeline" not in response.content and b"/assessments/" not in response.content
        transaction.savepoint_rollback(sid)
    assert got == expected


def test_the_other_clinic_is_never_listed_nor_found_by_search(world: World) -> None:
    client = Client()
    client.force_login(world.bert)
    found = client.get("/", {"q": "Ayres"}).content
    assert b"0 patients matching" in found and b"Ayres, Ellen" not in found
    client.force_login(world.alice)
    found = client.get("/", {"q": "Crane"}).content
    assert b"0 patients matching" in found and b"Crane, Otto" not in found
