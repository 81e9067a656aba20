"""The documents service: who may download which document, clinic isolation, the audit of each
download, and the refusals (no assessment, nothing to bill). The PDFs' contents are checked in
tests/reports/test_documents.py; here one PDF per kind is made, and the rest are refusals that
stop before any PDF is laid out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from crampcare.clinic import documents, patients, sessions
from crampcare.clinic.errors import Conflict, Forbidden, NotFound
from crampcare.records.models import AuditEntry
from tests.clinic.session_steps import (  # noqa: F401  (the clock fixture)
    Clock,
    assess,
    clock_fixture,
    plan_for,
    run_session,
    start,
)
from tests.world import World, api, person


@pytest.fixture
def treated(world: World, request: pytest.FixtureRequest) -> World:
    """Ellen assessed with a routine red flag and a medication of concern, then one session
    closed and signed."""
    world.assessment = assess(
        world,
        complaint={"episodes_per_week": 4, "worst_severity": 8},
        history={"medications": ["hydrochlorothiazide 25 mg"]},
    )
    plan_for(world)
    clock: Clock = request.getfixturevalue("clock")  # after the assessment: it is the newest
    sid = start(world)["id"]
    run_session(world, clock, sid)
    sessions.update_session(
        world.alice, sid, {"measures": {"pain_before": 6, "pain_after": 3}}, world.kb
    )
    sessions.close_session(world.alice, sid, world.kb)
    sessions.sign_session(world.alice, sid)
    return world


def downloads(world: World) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="download", record_type="document"))


@pytest.mark.parametrize("kind", ["physician-letter", "handout", "superbill"])
def test_a_practitioner_downloads_each_document_and_it_is_audited(
    treated: World, kind: str
) -> None:
    pdf = documents.document(treated.alice, treated.ellen["id"], kind)
    assert pdf.startswith(b"%PDF")
    [entry] = downloads(treated)
    assert entry.actor == "alice"
    assert entry.patient_id == str(treated.ellen["id"])
    assert entry.detail["kind"] == kind
    assert len(entry.detail["sessions"]) == 1


@pytest.mark.parametrize("user", ["fran", "adam"], ids=["front desk", "clinic admin"])
def test_roles_without_clinical_access_are_refused(treated: World, user: str) -> None:
    with pytest.raises(Forbidden):
        documents.document(treated.user(user), treated.ellen["id"], "handout")
    assert not downloads(treated)
    assert AuditEntry.objects.filter(action="denied", record_type="document").count() == 1


def test_another_clinics_practitioner_does_not_find_the_patient(treated: World) -> None:
    with pytest.raises(NotFound):
        documents.document(treated.bert, treated.ellen["id"], "physician-letter")
    assert not downloads(treated)


def test_an_unknown_kind_is_not_found_and_names_the_kinds(treated: World) -> None:
    with pytest.raises(NotFound, match="physician-letter, handout, superbill"):
        documents.document(treated.alice, treated.ellen["id"], "invoice")


def test_a_letter_without_an_assessment_is_refused(world: World) -> None:
    fresh = patients.create_patient(world.alice, person("Iris", "Dane"))
    with pytest.raises(Conflict, match="no assessment"):
        documents.document(world.alice, fresh["id"], "physician-letter")
    assert not downloads(world)


def test_a_superbill_without_a_closed_session_is_refused(world: World) -> None:
    with pytest.raises(Conflict, match="nothing to bill"):
        documents.document(world.alice, world.ellen["id"], "superbill")
    assert not downloads(world)


def test_the_file_name_names_the_document_and_the_patient(world: World) -> None:
    name = documents.filename("physician-letter", "O'Neil Ayres")
    assert name.startswith("letter-to-physician-oneilayres-") and name.endswith(".pdf")
    assert documents.filename("handout", "李").startswith("patient-handout-patient-")


def test_a_diary_link_just_made_is_printed_on_the_handout(
    treated: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(documents.render, "render", lambda t, c: seen.update(c) or b"%PDF-")
    documents.document(treated.alice, treated.ellen["id"], "handout", diary_url="https://x/d/t")
    assert seen["diary"]["url"] == "https://x/d/t"


def test_the_api_answers_with_a_pdf_download(treated: World) -> None:
    response = api(treated.alice).get(
        f"/api/v1/patients/{treated.ellen['id']}/documents/superbill.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="superbill-ayres-')
    assert response.content.startswith(b"%PDF")


def test_an_unknown_kind_in_the_api_is_refused_by_name(world: World) -> None:
    response = api(world.alice).get(f"/api/v1/patients/{world.ellen['id']}/documents/bill.pdf")
    assert response.status_code == 422
    assert "kind" in response.content.decode()


def test_the_patient_page_shows_the_chart_its_table_and_the_download_buttons(
    world: World,
) -> None:
    client = Client()
    client.force_login(world.alice)
    page = client.get(f"/patients/{world.ellen['id']}").content.decode()
    assert 'role="img"' in page and 'aria-labelledby="patient-outcomes-chart-title' in page
    assert "The chart's numbers" in page and "Baseline" in page
    for kind in ("physician-letter", "handout", "superbill"):
        assert f'href="/patients/{world.ellen["id"]}/documents/{kind}.pdf"' in page
    refused = client.get(f"/patients/{world.ellen['id']}/documents/superbill.pdf")
    assert refused.status_code == 409 and b"nothing to bill" in refused.content
