"""The outcomes and review operations of the JSON API: the use cases' results as JSON (dates as
ISO strings, the baseline's "from"), the one error shape, roles and clinic isolation."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.clinic.course_world import make_plan, record_session
from tests.clinic.test_outcomes import course_with_diary
from tests.web.test_api import assert_error_shape, body
from tests.world import World, api


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_outcomes_as_json(world: World) -> None:
    plan = course_with_diary(world)
    r = api(world.alice).get(f"/api/v1/patients/{world.ellen['id']}/outcomes")
    assert r.status_code == 200, r.content
    got = body(r)
    assert got["plan_id"] == str(plan.id)
    baseline = got["baseline"]
    assert (baseline["source"], baseline["weekly_frequency"], baseline["days"]) == (
        "diary",
        4.0,
        14,
    )
    assert "from" in baseline and "from_" not in baseline and len(baseline["from"]) == 10
    assert (got["change_percent"], got["responder_25"], got["responder_50"]) == (-50.0, True, True)
    assert got["pain"]["clinically_important"] is True and got["pain"]["rule"] == "2 points or 30 %"
    assert {w["week"] for w in got["weeks"]} >= {0, 1, 2, 3}
    assert "farrar_2001_pain_nrs" in got["sources"]
    assert got["review"]["due"] is True and got["review"]["key"] == "session:4"


def test_record_continue_once(world: World) -> None:
    course_with_diary(world)
    client, pid = api(world.alice), world.ellen["id"]
    r = post(
        client, f"/api/v1/patients/{pid}/reviews", {"key": "session:4", "decision": "continue"}
    )
    assert r.status_code == 201, r.content
    assert (body(r)["session_number"], body(r)["created_by"]) == (4, "alice")
    review = body(client.get(f"/api/v1/patients/{pid}/outcomes"))["review"]
    assert review["due"] is False and review["session_number"] == 8
    again = post(
        client, f"/api/v1/patients/{pid}/reviews", {"key": "session:4", "decision": "continue"}
    )
    assert assert_error_shape(again, 409)["errors"][0]["field"] == "key"


def test_a_bad_decision_names_the_field(world: World) -> None:
    course_with_diary(world)
    r = post(
        api(world.alice),
        f"/api/v1/patients/{world.ellen['id']}/reviews",
        {"key": "session:4", "decision": "maybe"},
    )
    assert assert_error_shape(r, 422)["errors"][0]["field"] == "decision"


def test_front_desk_and_other_clinics_get_nothing(world: World) -> None:
    course_with_diary(world)
    url = f"/api/v1/patients/{world.ellen['id']}/outcomes"
    desk = api(world.fran).get(url)
    assert_error_shape(desk, 403)
    assert "cramps" not in desk.content.decode()
    assert_error_shape(api(world.bert).get(url), 404)


def page(client: Client, pid: object) -> str:
    r = client.get(f"/patients/{pid}")
    assert r.status_code == 200
    return str(r.content.decode())


def test_the_patient_page_asks_for_the_review_and_records_continue(world: World) -> None:
    course_with_diary(world)
    pid = world.ellen["id"]
    client = Client()
    client.force_login(world.alice)
    html = page(client, pid)
    assert 'id="review"' in html and "Review at session 4" in html
    assert f'href="/patients/{pid}/intake"' in html  # reassess
    assert f'href="/api/v1/patients/{pid}/documents/physician-letter.pdf"' in html  # refer
    assert "4.0 (diary)" in html and "2.0 (-50.0 %)" in html and "6 → 4" in html
    r = client.post(f"/patients/{pid}/review", {"key": "session:4", "decision": "continue"})
    assert r.status_code == 302 and r["Location"].startswith(f"/patients/{pid}")
    assert 'id="review"' not in page(client, pid)
    again = client.post(f"/patients/{pid}/review", {"key": "session:4", "decision": "continue"})
    assert again.status_code == 409 and "already decided" in again.content.decode()


def test_no_review_prompt_for_the_front_desk_or_when_not_due(world: World) -> None:
    course_with_diary(world)
    desk = Client()
    desk.force_login(world.fran)
    assert 'id="review"' not in page(desk, world.ellen["id"])
    plan = make_plan(world)  # a new plan: its course has no session yet, the review at 4 ahead
    record_session(world, plan, 1)
    alice = Client()
    alice.force_login(world.alice)
    assert 'id="review"' not in page(alice, world.ellen["id"])
