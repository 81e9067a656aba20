"""The workbench pages through Django's test client, on SQLite and on PostgreSQL.

Each form: a valid post stores through the record use cases and redirects; an invalid one comes
back (422) with every message next to the field it names, what was typed kept, nothing stored.
"""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from crampcare.clinic import assessments, patients, plans
from crampcare.kb.schema import Term
from tests.world import World

FULL_INTAKE_FORM: dict[str, Any] = {
    "patient.age": "",
    "patient.birth_date": "1961-04-12",
    "patient.sex": "female",
    "complaint.kind": "cramp",
    "complaint.regions": ["calf", "foot"],
    "complaint.side": "left",
    "complaint.nocturnal": "on",
    "complaint.episodes_per_week": "4",
    "complaint.worst_severity": "7",
    "complaint.typical_duration_minutes": "2.5",
    "complaint.weeks_since_onset": "10",
    "complaint.triggers": ["exercise", "cold"],
    "findings": ["trigger_points"],
    "tcm.tongue": ["pale", "thin_white_coat"],
    "tcm.pulse": ["thin"],
    "tcm.signs": ["numbness_of_limbs", "dry_eyes"],
    "history.conditions": "type 2 diabetes\n\n  hypothyroidism  ",
    "history.medications": "Zocor 40 mg\nHydrochlorothiazide 25 mg",
    "history.devices": ["metal_implant_at_site"],
    "history.labs[0].test": "potassium",
    "history.labs[0].value": "3.3",
    "history.labs[0].unit": "mmol/L",
    "history.labs[0].reference_low": "3.4",
    "history.labs[0].reference_high": "5.1",
    "history.labs[1].test": "",
    "history.labs[1].value": "",
    "history.labs[1].unit": "",
    "history.labs[2].test": "magnesium",
    "history.labs[2].value": "1.9",
    "history.labs[2].unit": "mg/dL",
    "history.bleeding_disorder": "on",
    "history.first_acupuncture": "on",
    "history.needle_phobia": "on",
}

EXPECTED_DOCUMENT = {
    "schema": "crampcare.intake/1",
    "patient": {"birth_date": "1961-04-12", "sex": "female", "pregnant": False},
    "complaint": {
        "kind": "cramp",
        "regions": ["calf", "foot"],
        "side": "left",
        "nocturnal": True,
        "episodes_per_week": 4.0,
        "worst_severity": 7,
        "typical_duration_minutes": 2.5,
        "weeks_since_onset": 10.0,
        "triggers": ["exercise", "cold"],
    },
    "findings": ["trigger_points"],
    "tcm": {
        "tongue": ["pale", "thin_white_coat"],
        "pulse": ["thin"],
        "signs": ["numbness_of_limbs", "dry_eyes"],
    },
    "history": {
        "conditions": ["type 2 diabetes", "hypothyroidism"],
        "medications": ["Zocor 40 mg", "Hydrochlorothiazide 25 mg"],
        "devices": ["metal_implant_at_site"],
        "labs": [
            {
                "test": "potassium",
                "value": 3.3,
                "unit": "mmol/L",
                "reference_low": 3.4,
                "reference_high": 5.1,
            },
            {"test": "magnesium", "value": 1.9, "unit": "mg/dL"},
        ],
        "bleeding_disorder": True,
        "first_acupuncture": True,
        "needle_phobia": True,
    },
}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def error_at(page: str, field_id: str) -> str:
    """The inline message shown next to a field (its ``...-error`` element)."""
    match = re.search(
        rf'<div class="field-error" id="{re.escape(field_id)}-error">(.*?)</div>', page, re.S
    )
    assert match, f"no message next to {field_id}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Error: ", "").strip()


# --- patients ------------------------------------------------------------------------------


def test_the_patient_list_shows_only_the_clinics_patients(world: World) -> None:
    page = html(client_for(world.fran).get("/"))
    assert "Ayres, Ellen" in page and "Bloom, Nadia" in page and "Crane" not in page
    other = html(client_for(world.bert).get("/"))
    assert "Crane, Otto" in other and "Ayres" not in other


def test_searching_patients_and_the_htmx_partial(world: World) -> None:
    client = client_for(world.alice)
    page = html(client.get("/", {"q": "bloo"}))
    assert "Bloom, Nadia" in page and "Ayres" not in page
    partial = client.get("/", {"q": "ayr"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in html(partial) and "Ayres, Ellen" in html(partial)


@pytest.mark.parametrize(
    ("query", "message"),
    [({"q": "x" * 101}, "q: must be at most 100 characters"), ({"page": "0"}, "page: must be")],
)
def test_a_bad_search_says_which_parameter_and_why(
    world: World, query: dict[str, str], message: str
) -> None:
    r = client_for(world.alice).get("/", query)
    assert r.status_code == 422 and message in html(r)


def test_registering_a_patient(world: World) -> None:
    before = patients.list_patients(world.fran)["count"]
    r = client_for(world.fran).post(
        "/patients/new",
        {
            "given_name": "Iris",
            "family_name": "Dane",
            "birth_date": "1970-01-31",
            "sex": "female",
            "phone": "+44 20 0000",
            "email": "iris@example.org",
            "address": "",
            "consent_data_processing": "on",
        },
    )
    assert r.status_code == 302 and re.match(r"^/patients/[0-9a-f-]{36}$", r["Location"])
    made = patients.get_patient(world.fran, r["Location"].rsplit("/", 1)[1])
    assert (made["family_name"], made["consent_data_processing"], made["consent_treatment"]) == (
        "Dane",
        True,
        False,
    )
    assert patients.list_patients(world.fran)["count"] == before + 1


def test_a_bad_patient_form_names_each_field_keeps_the_input_and_stores_nothing(
    world: World,
) -> None:
    before = patients.list_patients(world.fran)["count"]
    r = client_for(world.fran).post(
        "/patients/new",
        {
            "given_name": "",
            "family_name": "Dane",
            "birth_date": "2999-01-01",
            "sex": "robot",
            "email": "nope",
        },
    )
    assert r.status_code == 422
    page = html(r)
    assert "should have at least 1 character" in error_at(page, "f-given_name")
    assert "must not be in the future" in error_at(page, "f-birth_date")
    assert "is not an email address" in error_at(page, "f-email")
    assert error_at(page, "f-sex")
    assert 'value="Dane"' in page and 'value="nope"' in page
    assert "nothing was saved" in page
    assert patients.list_patients(world.fran)["count"] == before


def test_editing_a_patient_records_consent(world: World) -> None:
    nadia = world.nadia
    client = client_for(world.fran)
    form = client.get(f"/patients/{nadia['id']}/edit")
    assert form.status_code == 200 and 'value="Bloom"' in html(form)
    data = {
        "given_name": "Nadia",
        "family_name": "Bloom",
        "birth_date": "1961-04-12",
        "sex": "female",
        "phone": nadia["phone"],
        "email": nadia["email"],
        "address": "",
        "consent_data_processing": "on",
        "consent_treatment": "on",
    }
    r = client.post(f"/patients/{nadia['id']}/edit", data)
    assert r.status_code == 302
    now = patients.get_patient(world.fran, nadia["id"])
    assert now["consent_data_processing"] and now["consent_treatment_at"] is not None
    bad = client.post(f"/patients/{nadia['id']}/edit", {**data, "phone": "call me"})
    assert bad.status_code == 422 and "use digits" in error_at(html(bad), "f-phone")
    assert patients.get_patient(world.fran, nadia["id"])["phone"] == world.nadia["phone"]


def test_the_front_desk_sees_demographics_and_no_clinical_record(world: World) -> None:
    page = html(client_for(world.fran).get(f"/patients/{world.ellen['id']}"))
    assert "Ellen Ayres" in page and "+44 20 7946 0000" in page
    assert "Timeline" not in page and "/assessments/" not in page and "New intake" not in page


def test_a_practitioner_sees_the_timeline(world: World) -> None:
    page = html(client_for(world.alice).get(f"/patients/{world.ellen['id']}"))
    assert "Timeline" in page and f"/assessments/{world.assessment['id']}" in page
    assert "Intake, version 1" in page


# --- intake --------------------------------------------------------------------------------


def test_the_intake_form_offers_every_vocabulary_of_the_knowledge_base(world: World) -> None:
    page = html(client_for(world.alice).get(f"/patients/{world.ellen['id']}/intake"))
    for name, vocab in [
        ("complaint.kind", "complaint_kinds"),
        ("complaint.regions", "regions"),
        ("complaint.side", "sides"),
        ("complaint.triggers", "triggers"),
        ("findings", "findings"),
        ("tcm.tongue", "tongue"),
        ("tcm.pulse", "pulse"),
        ("tcm.signs", "tcm_signs"),
        ("history.devices", "devices"),
    ]:
        for term in getattr(world.kb.vocab, vocab):
            assert f'name="{name}" value="{term.id}"' in page, (name, term.id)
    for lab in world.kb.vocab.labs:
        assert f'<option value="{lab.id}"' in page


def test_the_intake_form_reads_its_vocabularies_at_runtime(world: World, monkeypatch: Any) -> None:
    kb = world.kb
    vocab = kb.vocab.model_copy(
        update={
            "findings": (*kb.vocab.findings, Term(id="new_sign", name="A sign added to the kb"))
        }
    )
    monkeypatch.setattr("crampcare.web.workbench._kb", lambda: dataclasses.replace(kb, vocab=vocab))
    page = html(client_for(world.alice).get(f"/patients/{world.ellen['id']}/intake"))
    assert 'name="findings" value="new_sign"' in page and "A sign added to the kb" in page


def test_the_intake_form_is_filled_from_the_latest_intake(world: World) -> None:
    page = html(client_for(world.alice).get(f"/patients/{world.ellen['id']}/intake"))
    assert "Filled in from intake version 1" in page
    assert 'name="complaint.side" value="left" checked' in page
    assert 'name="patient.age" value="55"' in page


def test_a_full_intake_form_gives_the_whole_contract_document(world: World) -> None:
    r = client_for(world.alice).post(f"/patients/{world.ellen['id']}/intake", FULL_INTAKE_FORM)
    assert r.status_code == 302, error_summary(r)
    assessment_id = r["Location"].rsplit("/", 1)[1]
    a = assessments.get_assessment(world.alice, assessment_id, world.kb)
    stored = assessments.list_intakes(world.alice, world.ellen["id"])[0]
    assert stored["version"] == 2 and a["intake_id"] == stored["id"]
    assert stored["document"] == EXPECTED_DOCUMENT


def error_summary(response: Any) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', html(response), re.S)
    return re.sub(r"<[^>]+>", " ", match.group(0)) if match else f"status {response.status_code}"


def test_a_bad_intake_shows_each_message_at_its_field_and_stores_nothing(world: World) -> None:
    before = len(assessments.list_intakes(world.alice, world.ellen["id"]))
    form = {
        **FULL_INTAKE_FORM,
        "complaint.worst_severity": "11",
        "complaint.weeks_since_onset": "ten",
        "complaint.regions": ["calves"],
        "patient.pregnancy_weeks": "20",
    }
    r = client_for(world.alice).post(f"/patients/{world.ellen['id']}/intake", form)
    assert r.status_code == 422
    page = html(r)
    assert error_at(page, "f-complaint-worst-severity") == "must be 10 or less"
    assert error_at(page, "f-complaint-weeks-since-onset") == "must be a number"
    assert "unknown id 'calves'" in error_at(page, "f-complaint-regions")
    assert "pregnancy_weeks needs pregnant" in error_at(page, "f-patient")
    assert 'value="ten"' in page and 'value="11"' in page  # as typed
    assert len(assessments.list_intakes(world.alice, world.ellen["id"])) == before


def test_a_valid_intake_with_a_number_typo_is_still_not_stored(world: World) -> None:
    before = len(assessments.list_intakes(world.alice, world.ellen["id"]))
    r = client_for(world.alice).post(
        f"/patients/{world.ellen['id']}/intake",
        {**FULL_INTAKE_FORM, "history.labs[0].value": "3,3"},
    )
    assert r.status_code == 422
    assert error_at(html(r), "f-history-labs-0-value") == "must be a number"
    assert len(assessments.list_intakes(world.alice, world.ellen["id"])) == before


def test_a_laboratory_error_names_the_row_it_was_typed_in(world: World) -> None:
    r = client_for(world.alice).post(
        f"/patients/{world.ellen['id']}/intake",
        {**FULL_INTAKE_FORM, "history.labs[2].unit": "furlongs"},
    )
    assert r.status_code == 422  # the empty row 1 is skipped: the document's lab 1 is row 2
    assert "unknown unit 'furlongs' for magnesium" in error_at(html(r), "f-history-labs-2-unit")


def test_adding_a_laboratory_row_stores_nothing(world: World) -> None:
    before = len(assessments.list_intakes(world.alice, world.ellen["id"]))
    r = client_for(world.alice).post(
        f"/patients/{world.ellen['id']}/intake", {**FULL_INTAKE_FORM, "action": "add_lab"}
    )
    assert r.status_code == 200 and 'name="history.labs[3].test"' in html(r)
    assert len(assessments.list_intakes(world.alice, world.ellen["id"])) == before


def test_an_intake_without_consent_is_refused_and_not_stored(world: World) -> None:
    r = client_for(world.alice).post(f"/patients/{world.nadia['id']}/intake", FULL_INTAKE_FORM)
    assert r.status_code == 409 and "has not consented" in html(r)
    assert assessments.list_intakes(world.alice, world.nadia["id"]) == []


# --- assessment and plan -------------------------------------------------------------------


def test_the_assessment_page_puts_the_urgency_banner_first(world: World) -> None:
    r = client_for(world.alice).post(f"/patients/{world.ellen['id']}/intake", FULL_INTAKE_FORM)
    page = html(client_for(world.alice).get(r["Location"]))
    main = page[page.index("<main") :]
    assert main.index('id="urgency-banner"') < main.index(
        "<h2", main.index('id="urgency-banner"') + 200
    )
    assert 'data-urgency="soon"' in main
    for heading in (
        "Red flags (",
        "Contributing factors<",
        "Presentations and patterns<",
        "Suggested points<",
        "Cautions (",
        "Session and course<",
        "The evidence<",
    ):
        assert re.search(rf'<h2 id="[a-z-]+">{re.escape(heading)}', main), heading
    assert "Low potassium" in main and "Action:" in main
    assert (
        '<svg xmlns="http://www.w3.org/2000/svg"' in main
        and 'data-code="BL57" data-side="left"' in main
    )
    assert "Sources (" in main and "Certainty:" in main
    assert "Accept or change the plan" in main


def test_a_deferred_assessment_suggests_nothing_to_needle(world: World) -> None:
    from tests.factories import make_intake

    dvt = make_intake(
        findings=["unilateral_calf_swelling", "calf_tenderness", "recent_immobility_or_travel"]
    )
    a = assessments.create_assessment(
        world.alice, {"patient_id": world.ellen["id"], "intake": dvt}, world.kb
    )
    page = html(client_for(world.alice).get(f"/assessments/{a['id']}"))
    assert 'data-urgency="urgent"' in page and "Needling deferred" in page
    assert "No points are suggested" in page and "Accept or change the plan" not in page


def _plan_form(world: World, remove: str = "", reason: str = "") -> dict[str, str]:
    form = {}
    for p in world.assessment["result"]["points"]:
        pid = plans.point_id(p["code"], p.get("region"))
        form[f"decision.{pid}"] = "remove" if pid == remove else "accept"
        form[f"reason.{pid}"] = reason if pid == remove else ""
    return form


def test_a_plan_with_an_override_needs_a_reason(world: World) -> None:
    client = client_for(world.alice)
    url = f"/assessments/{world.assessment['id']}/plan"
    assert client.get(url).status_code == 200
    r = client.post(url, _plan_form(world, remove="GB34"))
    assert r.status_code == 422
    assert error_at(html(r), "f-reason-GB34") == "give at least 3 characters"
    assert plans.list_plans(world.alice, world.ellen["id"]) == []
    r = client.post(
        url,
        {
            **_plan_form(world, remove="GB34", reason="knee surgery scar at the site"),
            "added[0].code": "SP6",
            "added[0].side": "both",
            "added[0].region": "",
            "added[0].reason": "",
        },
    )
    assert (
        r.status_code == 422
        and error_at(html(r), "f-added-0-reason") == "give at least 3 characters"
    )
    assert plans.list_plans(world.alice, world.ellen["id"]) == []
    r = client.post(
        url,
        {
            **_plan_form(world, remove="GB34", reason="knee surgery scar at the site"),
            "added[0].code": "SP6",
            "added[0].side": "both",
            "added[0].reason": "blood deficiency on the tongue",
            "note": "review in two weeks",
        },
    )
    assert r.status_code == 302 and r["Location"].startswith("/plans/")
    (plan,) = plans.list_plans(world.alice, world.ellen["id"])
    decisions = {p["point"]: (p["decision"], p["reason"]) for p in plan["points"]}
    assert decisions["GB34"] == ("removed", "knee surgery scar at the site")
    assert decisions["SP6"] == ("added", "blood deficiency on the tongue")
    page = html(client.get(r["Location"]))
    assert "knee surgery scar at the site" in page and 'data-code="SP6"' in page
    assert 'data-code="GB34"' not in page


def test_an_unknown_added_point_is_named(world: World) -> None:
    r = client_for(world.alice).post(
        f"/assessments/{world.assessment['id']}/plan",
        {
            **_plan_form(world),
            "added[0].code": "XX99",
            "added[0].side": "left",
            "added[0].reason": "why not",
        },
    )
    assert r.status_code == 422
    assert "is not a point in the knowledge base" in error_at(html(r), "f-added-0-code")


def test_reassessing_a_current_assessment_keeps_it(world: World) -> None:
    r = client_for(world.alice).post(f"/assessments/{world.assessment['id']}/reassess")
    assert r.status_code == 302 and r["Location"] == f"/assessments/{world.assessment['id']}"


def test_page_forms_need_their_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    r = client.post("/patients/new", {"given_name": "Iris"}, secure=True)  # HTTPS, as served
    assert r.status_code == 403 and "CSRF" in html(r)


def test_pages_use_no_inline_script_or_style_and_no_other_host(world: World) -> None:
    client = client_for(world.alice)
    for url in ["/", f"/patients/{world.ellen['id']}", f"/assessments/{world.assessment['id']}"]:
        page = html(client.get(url))
        assert "<script>" not in page and "style=" not in page and "<style" not in page
        loaded = re.findall(r'src="([^"]+)"', page) + re.findall(r'<link[^>]*href="([^"]+)"', page)
        assert all(u.startswith(("/", "data:")) and not u.startswith("//") for u in loaded), loaded
        assert re.findall(r'<script src="([^"]+)"', page) == [
            "/static/vendor/htmx/htmx-2.0.11.min.js"
        ]


# --- laboratory dates and INR (issue 7) ---------------------------------------------------------


def test_the_intake_form_offers_inr_from_the_knowledge_base(world: World) -> None:
    page = html(client_for(world.alice).get(f"/patients/{world.ellen['id']}/intake"))
    inr = next(lab for lab in world.kb.vocab.labs if lab.id == "inr")
    assert f'<option value="inr">{inr.name} ({inr.unit})</option>' in unescape(page)


def test_a_laboratory_date_is_stored_and_shown_again(world: World) -> None:
    form = {**FULL_INTAKE_FORM, "history.labs[0].date": "2026-11-20"}
    r = client_for(world.alice).post(f"/patients/{world.ellen['id']}/intake", form)
    assert r.status_code == 302, error_summary(r)
    stored = assessments.list_intakes(world.alice, world.ellen["id"])[0]["document"]
    assert stored["history"]["labs"][0]["date"] == "2026-11-20"
    assert "date" not in stored["history"]["labs"][1]  # left empty: undated
    page = html(client_for(world.alice).get(f"/patients/{world.ellen['id']}/intake"))
    assert 'name="history.labs[0].date" type="date" value="2026-11-20"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [("2999-01-01", "is after today"), ("20/11/2026", "must be a date (year-month-day)")],
)
def test_a_bad_laboratory_date_is_named_at_its_row(world: World, typed: str, message: str) -> None:
    before = len(assessments.list_intakes(world.alice, world.ellen["id"]))
    form = {**FULL_INTAKE_FORM, "history.labs[2].date": typed}
    r = client_for(world.alice).post(f"/patients/{world.ellen['id']}/intake", form)
    assert r.status_code == 422
    assert message in error_at(html(r), "f-history-labs-2-date")
    assert len(assessments.list_intakes(world.alice, world.ellen["id"])) == before
