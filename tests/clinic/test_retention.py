"""Retention (clinic/retention.py) as tables an admin can read, the setting and report through
the API, the admin page and the CLI, and erasure through the API, page and CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from crampcare.cli import main
from crampcare.clinic import retention
from crampcare.clinic.errors import Forbidden, Invalid
from crampcare.records import audit
from crampcare.records.models import Clinic, Patient, User
from tests.clinic.course_world import make_plan, record_session
from tests.world import World, api

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    "last_visit, years, kept_until",
    [
        ("2015-03-10", 10, "2025-03-10"),
        ("2020-02-29", 1, "2021-02-28"),
        ("2020-02-29", 4, "2024-02-29"),
        ("2019-12-31", 7, "2026-12-31"),
    ],
    ids=["ten years to the day", "29 February: the 28th", "29 February in a leap year", "new year"],
)
def test_a_record_is_kept_until(last_visit: str, years: int, kept_until: str) -> None:
    assert retention.kept_until(D(last_visit), years) == D(kept_until)


@pytest.mark.parametrize(
    "session, intake, registered, last",
    [
        ("2020-05-01", "2019-01-01", "2018-01-01", "2020-05-01"),
        (None, "2019-01-01", "2018-01-01", "2019-01-01"),
        (None, None, "2018-01-01", "2018-01-01"),
    ],
    ids=["the newest session", "no session: the newest intake", "neither: registration"],
)
def test_the_last_visit(
    session: str | None, intake: str | None, registered: str, last: str
) -> None:
    found = retention.last_visit(
        D(session) if session else None, D(intake) if intake else None, D(registered)
    )
    assert found == D(last)


@pytest.mark.parametrize(
    "given, expected",
    [(10, 10), ("7", 7), (" 25 ", 25), (None, None), ("", None), (100, 100)],
    ids=["a number", "text", "spaces", "null: not set", "empty: not set", "the most"],
)
def test_retention_years_accepted(given: Any, expected: int | None) -> None:
    assert retention.parse_years(given) == expected


@pytest.mark.parametrize(
    "given",
    [0, 101, -1, 2.5, "ten", "1e3", "٣", True, [10], "9" * 5000],
    ids=[
        "zero",
        "over 100",
        "negative",
        "fraction",
        "a word",
        "exponent",
        "Arabic digit",
        "a flag",
        "a list",
        "5,000 digits",
    ],
)
def test_retention_years_refused(given: Any) -> None:
    with pytest.raises(Invalid) as refused:
        retention.parse_years(given)
    assert refused.value.errors[0][0] == "retention_years"


def _setting(world: World, years: int | None) -> None:
    retention.set_retention(world.adam, {"retention_years": years})


def test_the_report_lists_records_past_the_period(world: World) -> None:
    plan = make_plan(world)
    record_session(world, plan, 400)  # Ellen: last visit 400 days ago
    assert retention.report(world.adam)["items"] == []  # not set: nothing listed
    _setting(world, 1)
    found = retention.report(world.adam)
    assert [i["id"] for i in found["items"]] == [str(world.ellen["id"])]
    assert found["items"][0]["last_visit_from"] == "session"
    # Nadia registered today is kept; a year from now she is listed from her registration
    later = retention.report(world.adam, dt.date.today() + dt.timedelta(days=400))
    assert {i["id"] for i in later["items"]} == {str(world.ellen["id"]), str(world.nadia["id"])}
    assert all(i["id"] != str(world.otto["id"]) for i in later["items"])  # another clinic


@pytest.mark.parametrize("who", ["alice", "fran", "bert"])
def test_only_a_clinic_admin_sees_or_sets_retention(world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        retention.report(world.user(who))
    with pytest.raises(Forbidden):
        retention.set_retention(world.user(who), {"retention_years": 5})
    assert Clinic.objects.filter(retention_years__isnull=False).count() == 0


def test_the_api_sets_and_reports(world: World) -> None:
    admin = api(world.adam)
    assert admin.get("/api/v1/clinic").json() == {"clinic": "Willow", "retention_years": None}
    got = admin.patch("/api/v1/clinic", {"retention_years": 8}, content_type="application/json")
    assert got.status_code == 200 and got.json()["retention_years"] == 8
    bad = admin.patch("/api/v1/clinic", {"retention_years": 0}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "retention_years"
    assert Clinic.objects.get(name="Willow").retention_years == 8
    assert admin.get("/api/v1/clinic/retention").json()["retention_years"] == 8
    assert api(world.fran).get("/api/v1/clinic/retention").status_code == 403
    assert (
        api(world.alice)
        .patch("/api/v1/clinic", {"retention_years": 1}, content_type="application/json")
        .status_code
        == 403
    )
    assert api(None).get("/api/v1/clinic/retention").status_code == 401


def test_the_api_erases_and_the_patient_is_gone(world: World) -> None:
    url = f"/api/v1/patients/{world.ellen['id']}/erase"
    body = {"reason": "retention_expired", "confirm": "ERASE"}
    assert api(world.fran).post(url, body, content_type="application/json").status_code == 403
    bella = User.objects.get(username="bella")
    assert api(bella).post(url, body, content_type="application/json").status_code == 404
    unconfirmed = api(world.adam).post(
        url, {"reason": "retention_expired"}, content_type="application/json"
    )
    assert unconfirmed.status_code == 422
    done = api(world.adam).post(url, body, content_type="application/json")
    assert done.status_code == 200 and done.json()["reason"] == "retention_expired"
    assert api(world.alice).get(f"/api/v1/patients/{world.ellen['id']}").status_code == 404
    assert (
        api(world.alice).get(f"/api/v1/patients/{world.ellen['id']}/export.zip").status_code == 404
    )
    assert audit.verify().ok


def _browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_pages_set_retention_and_erase(world: World) -> None:
    admin = _browser(world.adam)
    assert admin.post("/admin/retention", {"retention_years": "abc"}).status_code == 422
    assert admin.post("/admin/retention", {"retention_years": "6"}).status_code == 302
    assert Clinic.objects.get(name="Willow").retention_years == 6
    assert 'id="none-past"' in admin.get("/admin/retention").content.decode()
    page = f"/patients/{world.ellen['id']}/erase"
    assert "Erase Ellen Ayres" in admin.get(page).content.decode()
    assert admin.post(page, {"reason": "patient_request", "confirm": ""}).status_code == 422
    assert Patient.objects.filter(pk=world.ellen["id"]).exists()
    assert admin.post(page, {"reason": "patient_request", "confirm": "ERASE"}).status_code == 302
    assert not Patient.objects.filter(pk=world.ellen["id"]).exists()
    assert _browser(world.alice).get(f"/patients/{world.ellen['id']}").status_code == 404
    assert _browser(world.fran).get("/admin/retention").status_code == 403
    assert _browser(world.alice).get(f"/patients/{world.nadia['id']}/erase").status_code == 403


def test_the_cli_reports_and_erases_only_when_confirmed(world: World, capsys: Any) -> None:
    Clinic.objects.filter(name="Willow").update(retention_years=3)
    assert main(["retention", "report", "--clinic", "Willow"]) == 0
    assert "kept 3 years" in capsys.readouterr().out
    pid = str(world.ellen["id"])
    args = ["erase-patient", pid, "--clinic", "Willow", "--reason", "patient_request"]
    assert main(args) == 2
    assert "would erase Ellen Ayres" in capsys.readouterr().out
    assert Patient.objects.filter(pk=pid).exists()
    assert main([*args, "--confirm"]) == 0
    assert not Patient.objects.filter(pk=pid).exists()
    assert main([*args, "--confirm"]) == 2  # gone: not found
    assert main(["audit", "verify"]) == 0
