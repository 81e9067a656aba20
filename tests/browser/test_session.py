"""A whole treatment session in a real browser at tablet size (820 x 1180): start from the plan,
count the needles in, start the retention timer (the test clock makes a minute of the window
last one second, so the 15-30 minute window runs in 15-30 s), see that a reload keeps the
remaining time, hear and see the alerts at the minimum and the maximum (and the same timer on
the treatment rooms view), count out one fewer, be refused the close with the needles named,
count the last one out, close, sign and add an addendum."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from tests.browser.conftest import shot
from tests.browser.test_workbench import assert_labelled, sign_in

NEEDLES = 3


def _click_and_wait(page: Any, button: str, selector: str, text: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.locator(selector, has_text=text).wait_for()


def _phase(page: Any, phase: str, timeout: int = 10_000) -> None:
    page.locator(f"#timer [data-timer][data-phase='{phase}']").wait_for(timeout=timeout)


def _beeps(page: Any) -> int:
    """How many alerts the page sounded (session.js counts each beep it plays)."""
    return int(page.locator("body").get_attribute("data-beeps") or 0)


def _elapsed(page: Any) -> float:
    """The seconds the page's timer has counted since the stored start."""
    return float(page.locator("#timer [data-timer]").get_attribute("data-elapsed"))


def test_a_whole_session_on_a_tablet(page: Any) -> None:
    from playwright.sync_api import expect

    sign_in(page, "alice")
    page.get_by_role("link", name="Ayres, Ellen").click()
    # the plan: accept the suggested points, then start the session from the plan page
    page.locator(".timeline a", has_text="Assessment").first.click()
    page.get_by_role("link", name="Accept or change the plan").click()
    page.get_by_role("button", name="Save the plan").click()
    page.wait_for_url(re.compile(r"/plans/[0-9a-f-]{36}$"))
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}$"))
    session_url = page.url
    assert_labelled(page)
    assert page.locator("#urgency-banner").is_visible()
    assert page.locator("input[name='points[0].code']").input_value() != ""
    assert page.locator("[data-timer]").get_attribute("data-phase") == "waiting"
    assert "Test clock" in page.locator("#timer").inner_text()  # never mistaken for real time
    big = page.get_by_role("button", name="Needle in +1").bounding_box()
    assert big["height"] >= 80 and big["width"] >= 150  # a large touch target
    shot(page, "s01-session-started")

    page.get_by_label("Needle lot number").fill("HW-2026-0412")
    page.get_by_role("button", name="Save lot").click()
    page.wait_for_url(re.compile(r"#needles$"))
    page.evaluate("() => { window.notReloaded = true; }")
    for n in range(1, NEEDLES + 1):  # counted live through the API, without a reload
        _click_and_wait(page, "Needle in +1", "#count-in", str(n))
    assert page.locator("#needle-balance").inner_text() == f"{NEEDLES} needles still in."
    _click_and_wait(page, "With patient", "#contact-state", "With the patient")
    assert page.evaluate("() => window.notReloaded === true")

    # the timer starts on the server; the page counts from the stored start
    page.get_by_role("button", name="All needles in — start timer").click()
    timer = page.locator("#timer [data-timer]")
    _phase(page, "before")
    assert timer.get_attribute("data-started-at")
    assert page.evaluate("() => window.notReloaded === true")  # the start went through the API
    time.sleep(2)
    before, read_at = _elapsed(page), time.monotonic()
    page.reload()
    page.locator("#timer [data-timer][data-elapsed]").wait_for()
    after, reread_at = _elapsed(page), time.monotonic()
    assert abs((after - before) - (reread_at - read_at)) <= 2  # the same remaining time
    assert re.fullmatch(r"\d+:\d\d", page.locator("[data-countdown]").inner_text())
    page.locator("h1").click()  # a touch lets the page make sound again after the reload
    shot(page, "s02-timer-running")

    # the minimum: banner, title, sound
    _phase(page, "window", timeout=20_000)
    alert = page.locator("#timer [data-timer-alert]")
    assert alert.is_visible() and "minimum retention reached (15 min)" in alert.inner_text()
    expect(page).to_have_title(re.compile("Minimum reached: Ellen Ayres"))
    assert _beeps(page) >= 1
    shot(page, "s03-minimum-reached")
    # the maximum
    _phase(page, "over", timeout=20_000)
    assert "maximum retention reached (30 min): remove the needles now" in alert.inner_text()
    expect(page).to_have_title(re.compile("Remove needles: Ellen Ayres"))
    assert _beeps(page) >= 2
    shot(page, "s04-maximum-reached")

    # the treatment rooms show the same timer, past its maximum, for the same patient
    page.goto("/rooms")
    room = page.locator(".room", has_text="Ellen Ayres")
    room.locator("[data-timer][data-phase='over']").wait_for()
    assert "remove the needles now" in room.locator("[data-timer-alert]").inner_text()
    assert f"{NEEDLES} in, 0 out" in room.inner_text().replace("\n", " ")
    shot(page, "s04b-treatment-rooms")
    page.goto(session_url)

    # the record keeps whole minutes: the timer ends from the minute after it started on
    started = dt.datetime.fromisoformat(timer.get_attribute("data-started-at"))
    while dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) <= started.replace(
        second=0, microsecond=0
    ):
        time.sleep(0.5)
    page.get_by_role("button", name="Stop timer: needles coming out").click()
    _phase(page, "ended")
    for n in range(1, NEEDLES):  # one fewer out than in
        _click_and_wait(page, "Needle out +1", "#count-out", str(n))
    assert page.locator("#needle-balance").inner_text() == "1 needle still in."
    _click_and_wait(page, "Left room", "#contact-state", "Out of the room")

    # closing is refused, naming the needles
    page.get_by_role("button", name="Close session").click()
    refusal = page.locator("#refusal")
    assert f"{NEEDLES} inserted, {NEEDLES - 1} removed" in refusal.inner_text()
    assert "retained or lost needle" in refusal.inner_text()
    shot(page, "s05-close-refused")
    _click_and_wait(page, "Needle out +1", "#count-out", str(NEEDLES))
    page.get_by_role("button", name="Close session").click()
    page.get_by_role("button", name="Sign and lock").click()
    assert page.locator("#session-status").inner_text() == "Signed and locked"
    assert f"{NEEDLES} in, {NEEDLES} out" in page.locator("#needle-totals").inner_text()

    # after signing, a change is an addendum that keeps the original
    page.get_by_label("Why (reason for the addendum)").fill("Depth of BL57 was mistyped")
    page.get_by_label("Addendum", exact=True).fill("BL57 was needled at 20 mm, not 25 mm.")
    page.get_by_role("button", name="Add addendum").click()
    addendum = page.locator(".addendum").first
    assert "Depth of BL57 was mistyped" in addendum.inner_text()
    assert "alice" in addendum.inner_text() and "20 mm" in addendum.inner_text()
    assert page.url.startswith(session_url)
    shot(page, "s06-signed-with-addendum")
