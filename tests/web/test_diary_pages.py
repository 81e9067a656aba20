"""The patient's diary page at /diary/<token> and the Diary panel on the patient page: one 404
for every bad link, the form behind Django's CSRF check and the JSON POST exempt from it, guesses
throttled with 429 and Retry-After, tokens in no log record and no audit entry."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crampcare.clinic import diary
from crampcare.records.models import AuditEntry, DiaryEntry, DiaryLink
from tests.world import World

TODAY = timezone.localdate


def day(days_ago: int) -> str:
    return (TODAY() - dt.timedelta(days=days_ago)).isoformat()


def make_link(world: World, patient: str = "ellen") -> str:
    maker = world.bert if patient == "otto" else world.alice
    made = diary.create_link(maker, getattr(world, patient)["id"])
    return str(made["url"])


@pytest.fixture
def path(world: World) -> str:
    return make_link(world)


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


def form_post(client: Client, path: str, **values: Any) -> Any:
    page = client.get(path)
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert csrf, "the diary form carries a CSRF token"
    body = {"csrfmiddlewaretoken": csrf.group(1).decode(), "date": day(0), "cramps": "2", **values}
    return client.post(path, body)


# --- the patient's page ----------------------------------------------------------------------


def test_the_page_says_who_sees_the_data_how_long_and_how_to_stop(world: World, path: str) -> None:
    page = Client().get(path)
    text = page.content.decode()
    assert page.status_code == 200
    assert "practitioners at Willow and nobody else" in text
    expires = DiaryLink.objects.get().expires_at
    assert f"works until {expires:%-d %B %Y}" in text
    assert "ask the clinic" in text and "switch it off" in text
    assert 'class="bar"' not in text and "Sign out" not in text  # no workbench around it
    assert "Ayres" not in text and "Ellen" not in text  # the link does not name the patient
    assert page["Cache-Control"] == "no-store" or "no-store" in page["Cache-Control"]


def test_a_day_logged_through_the_form_is_listed_and_a_second_replaces_it(
    world: World, path: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    saved = form_post(client, path, worst_severity="7", regions=["calf", "foot"])
    assert saved.status_code == 302 and saved["Location"].endswith(f"?saved={day(0)}#saved")
    shown = client.get(saved["Location"]).content.decode()
    assert f"Saved for {day(0)}." in shown and "replaced it" not in shown
    assert "2 cramps, worst 7/10" in shown and "Calf, Foot" in shown
    again = form_post(client, path, cramps="4")
    assert again["Location"].endswith("&replaced=1#saved")
    assert "this entry replaced it" in client.get(again["Location"]).content.decode()
    got = DiaryEntry.objects.get()
    assert (got.cramps, got.worst_severity, got.regions) == (4, None, [])


def test_the_form_needs_its_csrf_token(world: World, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    refused = client.post(path, {"date": day(0), "cramps": "2"})
    assert refused.status_code == 403 and DiaryEntry.objects.count() == 0


def test_a_bad_form_names_the_field_keeps_what_was_typed_and_saves_nothing(
    world: World, path: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = form_post(client, path, date=day(-1), cramps="500", worst_severity="4")
    text = refused.content.decode()
    assert refused.status_code == 422
    assert "2 problems: nothing was saved" in text
    assert 'href="#f-date"' in text and "is in the future" in text
    assert 'href="#f-cramps"' in text and "less than or equal to 200" in text
    assert (
        'value="500"' in text
        and 'id="f-worst_severity-4" name="worst_severity" value="4" checked' in text
    )
    assert DiaryEntry.objects.count() == 0


def test_apps_post_json_without_csrf_and_get_json_back(world: World, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    body = {"date": day(1), "cramps": 3, "sleep_disturbance": 5, "regions": ["calf"]}
    made = client.post(path, json.dumps(body), content_type="application/json")
    assert made.status_code == 201
    assert json.loads(made.content)["replaced"] is False
    again = client.post(path, json.dumps({**body, "cramps": 1}), content_type="application/json")
    assert again.status_code == 200 and json.loads(again.content)["entry"]["cramps"] == 1
    bad = client.post(path, json.dumps({**body, "cramps": -2}), content_type="application/json")
    assert bad.status_code == 422
    assert [e["field"] for e in json.loads(bad.content)["errors"]] == ["cramps"]
    broken = client.post(path, "{not json", content_type="application/json")
    assert broken.status_code == 400 and json.loads(broken.content)["ok"] is False
    # the exemption is for JSON bodies only: a plain-text body is a form and needs its token
    sneaky = client.post(path, json.dumps(body), content_type="text/plain")
    assert sneaky.status_code == 403
    assert DiaryEntry.objects.get().cramps == 1


def _bad(world: World, kind: str) -> str:
    path = make_link(world)
    token = token_of(path)
    if kind == "expired":
        DiaryLink.objects.filter(token_hash=diary.token_hash(token)).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    elif kind == "revoked":
        diary.revoke_link(world.alice, DiaryLink.objects.get(token_hash=diary.token_hash(token)).id)
    elif kind == "guessed":
        path = "/diary/" + "x" * 43
    elif kind == "malformed":
        path = "/diary/%3Cscript%3E"
    elif kind == "truncated":
        path = path[:-1]
    return path


BAD = ["expired", "revoked", "guessed", "malformed", "truncated"]


def test_every_bad_link_gets_the_same_404_page_and_the_same_json(world: World) -> None:
    pages, posts = set(), set()
    for kind in BAD:
        path = _bad(world, kind)
        page = Client().get(path)
        assert page.status_code == 404, kind
        pages.add(page.content)
        post = Client().post(path, json.dumps({"date": day(0), "cramps": 1}), "application/json")
        assert post.status_code == 404, kind
        posts.add(post.content)
    assert len(pages) == 1 and len(posts) == 1
    assert b"This diary link does not work" in pages.pop()
    assert DiaryEntry.objects.count() == 0


def test_another_clinics_link_shows_only_its_own_diary(world: World) -> None:
    diary.add_entry(world.alice, world.ellen["id"], {"date": day(1), "cramps": 9})
    page = Client().get(make_link(world, "otto")).content.decode()
    assert "for Birch" in page and "9 cramps" not in page


def test_guesses_are_throttled_with_429_and_retry_after(
    world: World, path: str, settings: Any
) -> None:
    settings.DIARY_GUESS_MAX, settings.DIARY_GUESS_WINDOW_SECONDS = 5, 600
    client = Client(REMOTE_ADDR="192.0.2.44")
    statuses = [client.get("/diary/" + f"{n:043d}").status_code for n in range(6)]
    assert statuses == [404] * 5 + [429]
    blocked = client.get(path)  # even the right link: a 429 tells nothing
    assert blocked.status_code == 429 and 590 <= int(blocked["Retry-After"]) <= 600
    posted = client.post(path, json.dumps({"date": day(0), "cramps": 1}), "application/json")
    assert posted.status_code == 429 and posted["Retry-After"]
    assert Client(REMOTE_ADDR="192.0.2.45").get(path).status_code == 200


# --- tokens in no log and no audit entry ------------------------------------------------------


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture the loggers that carry paths, at the levels that show them (django.request
    logs 404s at WARNING; it does not propagate, so the capture listens on it directly)."""
    names = ["django.request", "django.server", "django.security.csrf", "crampcare"]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger("django.request").addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    yield caplog
    logging.getLogger("django.request").removeHandler(caplog.handler)
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


def _everything(record: logging.LogRecord) -> str:
    return record.getMessage() + " " + " ".join(str(v) for v in vars(record).values())


def test_no_token_reaches_a_log_record(world: World, logs: pytest.LogCaptureFixture) -> None:
    path = make_link(world)
    token = token_of(path)
    gone = _bad(world, "revoked")
    assert Client().get(path).status_code == 200
    assert Client().get(gone).status_code == 404
    refused = Client(enforce_csrf_checks=True).post(path, {"cramps": "1"})
    assert refused.status_code == 403
    logging.getLogger("django.server").info('"%s" %s %s', f"GET {path} HTTP/1.1", "200", "9")
    messages = [r.getMessage() for r in logs.records]
    assert any("Not Found: /diary/[redacted]" in m for m in messages)
    assert any("/diary/[redacted] HTTP/1.1" in m for m in messages)
    assert any("Forbidden" in m and "/diary/[redacted]" in m for m in messages)
    for record in logs.records:
        assert token not in _everything(record) and token_of(gone) not in _everything(record)


def test_no_token_reaches_the_audit_log(world: World) -> None:
    client = Client()
    client.force_login(world.alice)
    made = client.post(f"/patients/{world.ellen['id']}/diary", {"action": "create_link"})
    token = re.search(rb"/diary/([A-Za-z0-9_-]{43})", made.content).group(1).decode()
    Client().post(f"/diary/{token}", json.dumps({"date": day(0), "cramps": 1}), "application/json")
    Client().get(f"/diary/{token}")
    audits = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert AuditEntry.objects.filter(record_type="diary_entry").count() >= 2
    assert token not in audits and diary.token_hash(token) not in audits


# --- the practitioner's panel ------------------------------------------------------------------


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_new_link_is_shown_once_with_a_copy_button(world: World) -> None:
    client = _signed_in(world.alice)
    url = f"/patients/{world.ellen['id']}"
    made = client.post(f"{url}/diary", {"action": "create_link"})
    text = made.content.decode()
    assert made.status_code == 200 and 'data-copy="diary-url"' in text
    link = re.search(r'id="diary-url" readonly value="(http://testserver/diary/[^"]+)"', text)
    assert link and Client().get(link.group(1)).status_code == 200
    again = client.get(url).content.decode()
    assert token_of(link.group(1)) not in again and "works until" in again


def test_the_practitioner_stops_a_link(world: World, path: str) -> None:
    client = _signed_in(world.alice)
    link = DiaryLink.objects.get()
    stopped = client.post(
        f"/patients/{world.ellen['id']}/diary", {"action": "revoke_link", "link_id": link.id}
    )
    assert stopped.status_code == 302 and Client().get(path).status_code == 404
    nonsense = {"action": "revoke_link", "link_id": "nonsense"}
    assert client.post(f"/patients/{world.ellen['id']}/diary", nonsense).status_code == 404


def test_the_practitioner_adds_and_corrects_entries(world: World, path: str) -> None:
    Client().post(path, json.dumps({"date": day(2), "cramps": 3}), "application/json")
    client = _signed_in(world.alice)
    panel = f"/patients/{world.ellen['id']}/diary"
    added = client.post(panel, {"action": "add_entry", "date": day(90), "cramps": "6"})
    assert added.status_code == 302
    entry = DiaryEntry.objects.get(source="patient")
    fixed = client.post(
        panel, {"action": "correct_entry", "entry_id": entry.id, "cramps": "4", "regions": "calf"}
    )
    assert fixed.status_code == 302
    page = client.get(f"/patients/{world.ellen['id']}").content.decode()
    assert 'id="diary-entries"' in page and "corrected by alice" in page
    assert AuditEntry.objects.get(action="correct").detail["fields"] == ["cramps", "regions"]


def test_a_refused_entry_reopens_its_form_with_the_problem_and_saves_nothing(
    world: World,
) -> None:
    client = _signed_in(world.alice)
    panel = f"/patients/{world.ellen['id']}/diary"
    refused = client.post(panel, {"action": "add_entry", "date": day(0), "cramps": "-3"})
    text = refused.content.decode()
    assert refused.status_code == 422 and 'href="#f-cramps"' in text
    assert 'value="-3"' in text and '<details class="diary-add" open>' in text
    made = diary.add_entry(world.alice, world.ellen["id"], {"date": day(1), "cramps": 2})
    wrong = {"action": "correct_entry", "entry_id": made["id"], "cramps": "", "regions": "elbow"}
    text = client.post(panel, wrong).content.decode()
    assert f'href="#c-{made["id"]}-cramps"' in text and "is not a region" in text
    taken = client.post(panel, {"action": "add_entry", "date": day(1), "cramps": "1"})
    assert taken.status_code == 409 and "correct that entry" in taken.content.decode()
    assert DiaryEntry.objects.get().cramps == 2


def test_the_front_desk_sees_no_diary_and_another_clinic_finds_nothing(world: World) -> None:
    page = _signed_in(world.fran).get(f"/patients/{world.ellen['id']}").content.decode()
    assert 'id="diary"' not in page
    for user, status in ((world.fran, 403), (world.bert, 404)):
        got = _signed_in(user).post(
            f"/patients/{world.ellen['id']}/diary", {"action": "create_link"}
        )
        assert got.status_code == status
    assert DiaryLink.objects.count() == 0
