"""Cookies, CSRF, headers, throttled sign-in, and settings that fail with the variable's name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client, override_settings

from crampcare.web import config
from tests.world import PASSWORD, World


def test_session_and_csrf_cookies_are_secure_and_http_only(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    token = page.context["csrf_token"]
    r = client.post(
        "/login", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 302
    session = r.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_the_login_form_refuses_a_post_without_its_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    # over HTTPS, as the clinic runs it (plain HTTP to a LAN name gets its own explanation)
    r = client.post("/login", {"username": "alice", "password": PASSWORD}, secure=True)
    assert r.status_code == 403 and b"CSRF" in r.content


def test_the_api_with_a_session_needs_the_csrf_token_on_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.fran)
    assert client.get("/api/v1/patients").status_code == 200
    body = json.dumps({"phone": "+1 555"})
    url = f"/api/v1/patients/{world.ellen['id']}"
    r = client.patch(url, body, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in json.loads(r.content)["error"]
    client.get("/login")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    r = client.patch(url, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 200


@override_settings(LOGIN_MAX_FAILURES=2)
def test_the_login_page_is_throttled(world: World) -> None:
    client = Client()
    for _ in range(2):
        r = client.post("/login", {"username": "alice", "password": "nope"})
        assert r.status_code == 401 and b"wrong username or password" in r.content
    r = client.post("/login", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


def test_login_never_redirects_off_site(world: World) -> None:
    r = Client().post(
        "/login", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert r["Location"] == "/"


def test_logout_is_post_only(world: World) -> None:
    client = Client()
    client.force_login(world.alice)
    assert client.get("/logout").status_code == 405


@pytest.mark.parametrize("path", ["/login", "/api/v1/patients", "/api/v1/openapi.json"])
def test_security_headers_on_every_response(world: World, path: str) -> None:
    r = Client().get(path)
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cache-Control"] == "no-store"
    assert "camera=()" in r["Permissions-Policy"]


def test_static_files_are_served_with_the_package(world: World) -> None:
    r = Client().get("/static/crampcare/crampcare.css")
    assert r.status_code == 200
    r.close()


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("CRAMPCARE_DEBUG", "maybe", "CRAMPCARE_DEBUG='maybe': use true or false"),
        ("CRAMPCARE_LOGIN_MAX_FAILURES", "0", "must be between 1 and 1000"),
        ("CRAMPCARE_LOGIN_MAX_FAILURES", "five", "not a whole number"),
        ("CRAMPCARE_SECRET_KEY", "short", "CRAMPCARE_SECRET_KEY: use at least 32"),
    ],
)
def test_a_bad_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError, match=message):
        if name == "CRAMPCARE_DEBUG":
            config.env_bool(name, False)
        elif name == "CRAMPCARE_SECRET_KEY":
            config.secret_key(Path("/nonexistent"))
        else:
            config.env_int(name, 5, low=1, high=1000)


@pytest.mark.parametrize(
    "url, engine",
    [
        (None, "django.db.backends.sqlite3"),
        ("sqlite:////tmp/x.sqlite3", "django.db.backends.sqlite3"),
        ("postgresql://u:secret@db.example:5432/cc", "django.db.backends.postgresql"),
    ],
)
def test_database_urls(url: str | None, engine: str) -> None:
    db = config.database(url, Path("/data"))
    assert db["ENGINE"] == engine and db["ATOMIC_REQUESTS"] is True
    if url is None:
        assert db["NAME"] == "/data/crampcare.sqlite3"
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
        assert "foreign_keys=ON" in db["OPTIONS"]["init_command"]


def test_a_bad_database_url_names_the_variable_and_hides_the_password() -> None:
    with pytest.raises(config.ConfigError) as err:
        config.database("mysql://u:secret@h/db", Path("/data"))
    assert "DATABASE_URL" in str(err.value) and "secret" not in str(err.value)


def test_sqlite_runs_with_wal_and_foreign_keys(world: World) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cur:
        cur.execute("PRAGMA foreign_keys")
        assert cur.fetchone()[0] == 1
