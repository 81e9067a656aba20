"""The practice page, its CSV and the API (both databases): what each role sees, the figures
with their n, the CSV's header and rows, the top bar's link."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from crampcare.core.practice import CSV_HEADER
from tests.clinic.practice_world import small_clinic
from tests.world import World, api


@pytest.fixture
def clinic(world: World) -> dict[str, Any]:
    return small_clinic(world)


def _page(user: Any, path: str = "/practice") -> Any:
    client = Client()
    client.force_login(user)
    return client.get(path)


def test_the_practitioner_sees_the_figures_and_whom_to_follow_up(
    world: World, clinic: dict[str, Any]
) -> None:
    response = _page(world.alice)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Practice outcomes" in html
    assert "50.0 % (1 of n = 2)" in html  # responders at 25 %, overall
    assert "n is small" in html
    assert 'id="by-protocol"' in html and "BL40+BL57+GB34+LR3" in html
    assert "66.7 %" in html and "(2 of n = 3)" in html  # diary adherence
    assert "4.3 (1 in 23)" in html  # serious adverse events per 100 sessions
    assert f'href="/patients/{clinic["kay"]}">Kay Test</a>' in html
    assert 'href="/practice" aria-current="page">Practice</a>' in html


def test_the_admin_sees_the_figures_and_no_patient(world: World, clinic: dict[str, Any]) -> None:
    html = _page(world.adam).content.decode()
    assert "66.7 %" in html
    assert "Kay" not in html and str(clinic["kay"]) not in html
    assert 'id="without-diary"' not in html


def test_the_front_desk_gets_a_refusal_and_no_link(world: World, clinic: dict[str, Any]) -> None:
    response = _page(world.fran)
    assert response.status_code == 403
    assert "practice" in response.content.decode().lower()
    home = _page(world.fran, "/").content.decode()
    assert 'href="/practice"' not in home


def test_the_csv_download_has_the_header_and_the_figures(
    world: World, clinic: dict[str, Any]
) -> None:
    response = _page(world.adam, "/practice.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="practice-outcomes.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == CSV_HEADER
    per_100 = {r["group"]: r["value"] for r in rows if r["section"] == "adverse events"}
    assert per_100 == {"all": "8.7", "serious": "4.3"}
    presentations = {r["group"] for r in rows if r["section"] == "responders by presentation"}
    assert presentations == {"nocturnal_leg_cramps", "cramp_spasm_unspecified"}


def test_the_api_gives_the_figures_to_each_clinic_for_itself(
    world: World, clinic: dict[str, Any]
) -> None:
    mine = json.loads(api(world.alice).get("/api/v1/practice/outcomes").content)
    theirs = json.loads(api(world.bert).get("/api/v1/practice/outcomes").content)
    assert (mine["patients"], theirs["patients"]) == (4, 1)
    assert mine["adverse_events"]["sessions"] == 23 and theirs["adverse_events"]["sessions"] == 2
    assert [p["name"] for p in mine["without_recent_diary"]] == ["Kay Test"]
    admin = json.loads(api(world.adam).get("/api/v1/practice/outcomes").content)
    assert admin["names_shown"] is False and admin["without_recent_diary"] is None
    assert admin["responders"] == mine["responders"]


def test_the_api_csv_and_the_front_desk_refusal(world: World, clinic: dict[str, Any]) -> None:
    response = api(world.alice).get("/api/v1/practice/outcomes.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == ",".join(CSV_HEADER)
    refused = api(world.fran).get("/api/v1/practice/outcomes")
    assert refused.status_code == 403
    assert "practice" in json.loads(refused.content)["error"]
