"""The diary in the JSON API: links (201 with the URL once, 204 to revoke) and entries (list,
add, correct), with the one error shape and the roles of clinical records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from crampcare.records.models import AuditEntry, DiaryEntry, DiaryLink
from tests.world import World, api


def day(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def send(client: Client, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body) if body is not None else None
    kwargs: dict[str, Any] = {"content_type": "application/json"} if data else {}
    response = getattr(client, method)(f"/api/v1{path}", data, **kwargs)
    return response.status_code, json.loads(response.content) if response.content else None


def test_a_link_is_created_with_its_url_once_and_revoked(world: World) -> None:
    alice = api(world.alice)
    status, made = send(alice, "post", f"/patients/{world.ellen['id']}/diary-links")
    assert status == 201 and set(made) == {"id", "url", "expires_at"}
    assert made["url"].startswith("http://testserver/diary/")
    path = made["url"].removeprefix("http://testserver")
    assert Client().get(path).status_code == 200
    assert send(alice, "delete", f"/diary-links/{made['id']}") == (204, None)
    assert send(alice, "delete", f"/diary-links/{made['id']}") == (204, None)  # no change
    assert Client().get(path).status_code == 404
    assert AuditEntry.objects.filter(record_type="diary_link", action="revoke").count() == 1


def test_a_link_may_last_fewer_days_but_not_none(world: World) -> None:
    alice = api(world.alice)
    url = f"/patients/{world.ellen['id']}/diary-links"
    status, made = send(alice, "post", url, {"days": 7})
    expires = dt.datetime.fromisoformat(made["expires_at"])
    assert status == 201 and abs(expires - timezone.now() - dt.timedelta(days=7)).seconds < 60
    for bad in ({"days": 0}, {"days": 400}, {"days": "7"}, {"weeks": 2}):
        status, error = send(alice, "post", url, bad)
        assert status == 422 and error["errors"][0]["field"] in {"days", "weeks"}, bad
    assert DiaryLink.objects.count() == 1


def test_entries_are_added_listed_and_corrected(world: World) -> None:
    alice = api(world.alice)
    url = f"/patients/{world.ellen['id']}/diary-entries"
    status, made = send(alice, "post", url, {"date": day(3), "cramps": 2, "regions": ["calf"]})
    assert status == 201 and made["source"] == "practitioner" and made["created_by"] == "alice"
    status, taken = send(alice, "post", url, {"date": day(3), "cramps": 5})
    assert status == 409 and taken["errors"][0]["field"] == "date"
    status, fixed = send(alice, "patch", f"/diary-entries/{made['id']}", {"worst_severity": 8})
    assert status == 200 and (fixed["cramps"], fixed["worst_severity"]) == (2, 8)
    status, listed = send(alice, "get", url)
    assert status == 200 and [e["id"] for e in listed] == [made["id"]]


def test_bad_entries_name_the_field_and_change_nothing(world: World) -> None:
    alice = api(world.alice)
    url = f"/patients/{world.ellen['id']}/diary-entries"
    for body, field in (
        ({"date": day(-2), "cramps": 1}, "date"),
        ({"date": day(2), "cramps": 1, "worst_severity": 12}, "worst_severity"),
        ({"date": day(2), "cramps": 1, "regions": ["calf", "moon"]}, "regions[1]"),
    ):
        status, error = send(alice, "post", url, body)
        assert status == 422 and [e["field"] for e in error["errors"]] == [field]
    made = send(alice, "post", url, {"date": day(1), "cramps": 1})[1]
    status, error = send(alice, "patch", f"/diary-entries/{made['id']}", {"cramps": 1.5})
    assert status == 422 and error["errors"][0]["field"] == "cramps"
    assert DiaryEntry.objects.get().cramps == 1


def test_another_clinic_finds_no_entry_and_the_front_desk_may_not(world: World) -> None:
    made = send(
        api(world.alice),
        "post",
        f"/patients/{world.ellen['id']}/diary-entries",
        {"date": day(1), "cramps": 1},
    )[1]
    assert send(api(world.bert), "patch", f"/diary-entries/{made['id']}", {"cramps": 9})[0] == 404
    assert send(api(world.fran), "patch", f"/diary-entries/{made['id']}", {"cramps": 9})[0] == 403
    assert DiaryEntry.objects.get().cramps == 1
