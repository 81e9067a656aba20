"""The browser suite: real headless Chromium (Debian's ``chromium``) driven by Playwright, against
the workbench served by waitress on 127.0.0.1 from a subprocess with its own temporary SQLite
database (``tests/browser/server.py``). Every request the browser makes is recorded, and a test
fails if any of them left 127.0.0.1. Screenshots go to ``artifacts/screenshots/``.
``demo_url`` serves the demo clinic instead (``server.py --demo``), for the course walkthrough.

``playwright install`` is never needed (nor run): the browser is the system's Chromium. Without
it, or without the playwright package, the suite is skipped on a developer's machine and fails
on CI (``CI=true``), so that CI never passes without having run it.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CRAMPCARE_CHROMIUM", "/usr/bin/chromium"))
SHOTS = ROOT / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 900}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed: pip install -e '.[test]'"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    return None


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser suite must run on CI, but {why}", pytrace=False)
    pytest.skip(why)


@contextmanager
def _serve(*args: str) -> Iterator[str]:
    """``tests/browser/server.py`` with ``args`` on 127.0.0.1 and a free port, with a fresh
    database; yields its URL."""
    why = _missing()
    if why:
        _unavailable(why)
    with tempfile.TemporaryDirectory(prefix="crampcare-browser-") as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            CRAMPCARE_DATA_DIR=data,
            CRAMPCARE_SECRET_KEY=secrets.token_urlsafe(40),
            DJANGO_SETTINGS_MODULE="crampcare.web.settings",
            PYTHONUNBUFFERED="1",
            # the session page's retention timer: one minute of the window lasts one second
            # (a 15-30 minute window runs in 15-30 s; the page shows "Test clock")
            CRAMPCARE_TIMER_MINUTE_SECONDS="1",
        )
        log = open(Path(data) / "server.log", "w+", encoding="utf-8")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.server", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline().strip()
            if not line.startswith("READY "):
                log.seek(0)
                pytest.fail(f"the test server did not start: {line!r}\n{log.read()[-3000:]}")
            yield line.removeprefix("READY ")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if server.stdout is not None:
                server.stdout.close()
            log.close()


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    """The workbench with a fresh database of the test world."""
    with _serve() as url:
        yield url


@pytest.fixture(scope="session")
def demo_url() -> Iterator[str]:
    """The workbench with a fresh database of the demo clinic (``crampcare demo``); its users
    sign in with the test world's password."""
    with _serve("--demo") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    why = _missing()
    if why:
        _unavailable(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Requests:
    """Every request a browser context made, and those that were not to this machine."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def record(self, request: Any) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        return [u for u in self.urls if not u.startswith(("data:", "about:")) and not _local(u)]


def _local(url: str) -> bool:
    return urlsplit(url).hostname in LOCAL_HOSTS


@pytest.fixture
def requests_seen() -> Requests:
    return Requests()


def _new_context(browser: Any, live_url: str, seen: Requests, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, base_url=live_url)
    context.set_default_timeout(10_000)
    context.on("request", seen.record)

    def guard(route: Any) -> None:  # recorded above; never let it leave the machine
        if _local(route.request.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    return context


@contextmanager
def watched_page(
    browser: Any, live_url: str, seen: Requests, viewport: dict[str, int]
) -> Iterator[Any]:
    """A page of the given size that fails the test if a request left 127.0.0.1 or the page
    logged an error (CSP violations, script errors, 404s)."""
    context = _new_context(browser, live_url, seen, viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: _console(msg, errors))
    yield page
    context.close()
    assert seen.urls, "the browser made no request at all"
    assert seen.foreign() == [], "requests left 127.0.0.1"
    assert errors == [], "the page logged errors (CSP violations, script errors, 404s)"


@pytest.fixture
def page(browser: Any, live_url: str, requests_seen: Requests) -> Iterator[Any]:
    """A tablet-sized page (820 x 1180)."""
    with watched_page(browser, live_url, requests_seen, TABLET) as opened:
        yield opened


# a refusal (403, 409) or an invalid form (422) is an expected answer; Chromium logs it as a
# failed load
EXPECTED = re.compile(
    r"^Failed to load resource: the server responded with a status of 4(03|09|22)"
)


def _console(message: Any, errors: list[str]) -> None:
    if message.type == "error" and not EXPECTED.match(message.text):
        errors.append(message.text)


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
