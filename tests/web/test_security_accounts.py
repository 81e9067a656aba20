"""Accounts over HTTP: the throttle's 429 with Retry-After, the trusted proxy header, signing out
everywhere (browser sessions and tokens), a password change, the invitation page, and one
answer for every unavailable username."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from crampcare.clinic import accounts
from crampcare.records.models import AuditEntry, SignInThrottle
from tests.world import PASSWORD, World, api, token_for

NEW = "quartz otter lantern 1987"


def post(client: Client, url: str, data: Any = None, **kw: Any) -> Any:
    body = json.dumps(data) if data is not None else None
    kwargs = {"content_type": "application/json"} if body else {}
    return client.post(url, body, **kwargs, **kw)


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@override_settings(LOGIN_MAX_FAILURES=2)
def test_the_api_answers_429_with_retry_after_while_the_account_waits(world: World) -> None:
    for _ in range(2):
        r = post(Client(), "/api/v1/auth/token", {"username": "alice", "password": "nope"})
        assert r.status_code == 401
    r = post(Client(), "/api/v1/auth/token", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 429 and r["Retry-After"] == "1"


@pytest.mark.parametrize(
    "header, hops, forwarded, address",
    [
        ("", 1, "203.0.113.5", "127.0.0.1"),  # off by default: the connection's address
        ("X-Forwarded-For", 1, "203.0.113.5", "203.0.113.5"),
        ("X-Forwarded-For", 1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # left part forgeable
        ("X-Forwarded-For", 2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        ("X-Forwarded-For", 2, "203.0.113.5", "127.0.0.1"),  # fewer entries than hops
        ("X-Forwarded-For", 1, "not an address", "127.0.0.1"),
    ],
    ids=["off", "one proxy", "one proxy, forged left", "two proxies", "short", "garbage"],
)
def test_the_trusted_proxy_header_names_the_address(
    world: World, settings: Any, header: str, hops: int, forwarded: str, address: str
) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_HOPS = header, hops
    Client(REMOTE_ADDR="127.0.0.1").post(
        "/login", {"username": "alice", "password": "nope"}, HTTP_X_FORWARDED_FOR=forwarded
    )
    assert SignInThrottle.objects.filter(kind="address").get().key == address


def test_sign_in_and_sign_out_are_audited(world: World) -> None:
    client = signed_in("alice")
    client.post("/logout")
    actions = [e.action for e in AuditEntry.objects.filter(record_type="account")]
    assert actions[-2:] == ["sign_in", "sign_out"]


def test_sign_out_everywhere_ends_browser_sessions_and_tokens(world: World) -> None:
    browser = signed_in("alice")
    token = token_for(world.alice)
    assert browser.get("/api/v1/auth/me").status_code == 200
    r = post(api(world.alice), "/api/v1/auth/sign-out-everywhere")
    assert r.status_code == 200 and json.loads(r.content)["tokens_revoked"] == 2
    assert browser.get("/api/v1/auth/me").status_code == 401
    assert accounts.token_user(token) is None


def test_an_admin_signs_a_user_out_everywhere(world: World) -> None:
    browser = signed_in("fran")
    r = post(api(world.adam), f"/api/v1/users/{world.fran.pk}/sign-out-everywhere")
    assert r.status_code == 200
    assert browser.get("/api/v1/auth/me").status_code == 401


def test_a_password_change_keeps_this_browser_and_ends_the_others(world: World) -> None:
    here, there = signed_in("alice"), signed_in("alice")
    here.get("/login")
    csrf = {"HTTP_X_CSRFTOKEN": here.cookies["csrftoken"].value}
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert post(here, "/api/v1/auth/password", body, **csrf).status_code == 200
    assert here.get("/api/v1/auth/me").status_code == 200
    assert there.get("/api/v1/auth/me").status_code == 401


def test_a_weak_new_password_names_the_field(world: World) -> None:
    r = post(
        api(world.alice),
        "/api/v1/auth/password",
        {"current_password": PASSWORD, "new_password": " " * 12},
    )
    assert r.status_code == 422
    assert {e["field"] for e in json.loads(r.content)["errors"]} == {"new_password"}


def test_the_invitation_page_sets_the_password_then_sign_in_works(world: World) -> None:
    made = json.loads(
        post(
            api(world.adam),
            "/api/v1/users",
            {"username": "penny", "role": "practitioner", "licence_number": "L.Ac. 1"},
        ).content
    )
    path = made["invitation"]["path"]
    page = Client().get(path)
    assert page.status_code == 200 and b"penny" in page.content
    r = Client().post(path, {"password": NEW, "password_again": "other"})
    assert r.status_code == 422 and b"differ" in r.content
    r = Client().post(path, {"password": NEW, "password_again": NEW})
    assert r.status_code == 302
    assert Client().post("/login", {"username": "penny", "password": NEW}).status_code == 302
    assert Client().get(path).status_code == 404  # used


def test_an_unconfirmed_practitioner_gets_403_on_clinical_content(world: World) -> None:
    client = api(world.alice)
    post(api(world.adam), f"/api/v1/users/{world.fran.pk}/role", {"role": "practitioner",
         "licence_number": "L"})  # fmt: skip
    assert client.get(f"/api/v1/assessments/{world.assessment['id']}").status_code == 200
    fran = api(type(world.fran).objects.get(pk=world.fran.pk))
    r = fran.get(f"/api/v1/assessments/{world.assessment['id']}")
    assert r.status_code == 403 and "invitation" in json.loads(r.content)["error"]


def test_a_username_of_another_clinic_answers_like_a_reserved_one(world: World) -> None:
    answers = []
    for name in ["bert", "system"]:
        r = post(api(world.adam), "/api/v1/users", {"username": name, "role": "front_desk"})
        answers.append((r.status_code, json.loads(r.content)))
    assert answers[0] == answers[1] and answers[0][0] == 422


def test_an_invitation_token_never_reaches_a_log_record() -> None:
    import logging

    from crampcare.web.redact import RedactDiaryTokens

    record = logging.LogRecord(
        "django.request", 30, "", 0, "Not Found: %s", ("/invitation/s3cr3t",), None
    )
    RedactDiaryTokens().filter(record)
    assert "s3cr3t" not in record.getMessage() and "/invitation/[redacted]" in record.getMessage()
