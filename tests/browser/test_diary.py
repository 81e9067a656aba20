"""The cramp diary in a real browser: the practitioner makes a link on the patient page (shown
once, with a copy button); the patient opens it on a phone (375 x 740), logs a day with the big
controls only (steppers, 0-10 buttons, region chips), sees it listed; the practitioner sees it
on the patient page."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Requests, shot, watched_page
from tests.browser.test_workbench import assert_labelled, sign_in

PHONE = {"width": 375, "height": 740}
TOUCH = 44  # px: the smallest target a thumb should have to hit


def _size(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_a_patient_logs_a_day_on_a_phone(page: Any, browser: Any, live_url: str) -> None:
    from playwright.sync_api import expect

    sign_in(page, "alice")
    page.get_by_role("link", name="Ayres, Ellen").click()
    patient_url = page.url
    page.get_by_role("button", name="Create a diary link").click()
    url = page.locator("#diary-url").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/diary/[A-Za-z0-9_-]{43}", url)
    copy = page.locator("button[data-copy]")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    shot(page, "d01-diary-link-created")

    with watched_page(browser, live_url, Requests(), PHONE) as phone:
        phone.goto(url)
        assert_labelled(phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert "practitioners at Willow" in phone.locator(".diary-about").inner_text()
        more = phone.get_by_role("button", name="One more cramp")
        for target in (
            more,
            phone.locator("label[for='f-worst_severity-7']"),
            phone.locator(".chips label").first,
        ):
            box = target.bounding_box()
            assert box["height"] >= TOUCH and box["width"] >= TOUCH
        assert _size(phone, "#diary-save")["width"] >= PHONE["width"] - 80  # across the screen
        for _ in range(3):
            more.click()
        phone.get_by_role("button", name="One fewer cramp").click()
        phone.get_by_role("button", name="One more cramp").click()
        expect(phone.locator("#f-cramps")).to_have_value("3")
        phone.locator("label[for='f-worst_severity-7']").click()
        minutes = phone.get_by_role("button", name="One minute more")
        minutes.click()
        minutes.click()
        expect(phone.locator("#f-typical_duration_minutes")).to_have_value("1")
        phone.locator("label[for='f-sleep_disturbance-4']").click()
        phone.locator("label", has_text="Calf").click()
        shot(phone, "d02-diary-phone-filled")
        phone.get_by_role("button", name="Save this day").click()
        phone.locator("#saved").wait_for()
        expect(phone.locator("#saved")).to_contain_text("Saved for")
        logged = phone.locator("#diary-days li").first
        expect(logged).to_contain_text("3 cramps, worst 7/10, about 1 min, sleep 4/10 · Calf")
        shot(phone, "d03-diary-phone-saved")

    page.goto(patient_url)  # not a reload: that would post the form again (a new link)
    row = page.locator("#diary-entries tbody tr").first
    expect(row).to_contain_text("Patient")
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(2)).to_have_text("7")
    assert url.rsplit("/", 1)[1] not in page.content()  # the link is never shown again
    expect(page.locator("#diary-links li")).to_have_count(1)
    shot(page, "d04-diary-on-the-patient-page")
