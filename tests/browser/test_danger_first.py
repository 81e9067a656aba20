"""Danger first, as a practitioner sees it on a 768 x 1024 tablet: for a patient with a caution
or a red flag, the urgency, the needling decision and every caution's heading are inside the
first screen and above the first point card, and nothing green is shown. The patient list says
each patient's latest urgency and needling decision in words.

The patients come from tests/browser/server.py (DANGER_PERSONAS)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Requests, shot, watched_page
from tests.browser.test_workbench import sign_in

VIEWPORT = {"width": 768, "height": 1024}
# the green of the "clear" state and of the "none" urgency (crampcare.css)
GREEN_BACKGROUNDS = {"rgb(230, 244, 236)"}
VISIBLE_GREEN = """() => Array.from(document.querySelectorAll('%s')).filter(el => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && %s.includes(getComputedStyle(el).backgroundColor);
}).map(el => el.className || el.tagName)"""


@pytest.fixture
def tablet(browser: Any, live_url: str) -> Iterator[Any]:
    with watched_page(browser, live_url, Requests(), VIEWPORT) as opened:
        yield opened


def open_assessment(page: Any, patient: str) -> None:
    sign_in(page, "alice")
    row = page.locator("#patient-results tbody tr", has_text=patient)
    row.locator("a.latest-link").click()
    page.wait_for_url("**/assessments/*")


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return dict(found)


def in_first_screen(page: Any, selector: str) -> dict[str, float]:
    b = box(page, selector)
    assert b["y"] >= 0 and b["y"] + b["height"] <= VIEWPORT["height"], (selector, b)
    return b


def green_shown(page: Any, within: str = "main, main *") -> list[str]:
    return list(page.evaluate(VISIBLE_GREEN % (within, sorted(GREEN_BACKGROUNDS))))


@pytest.mark.parametrize(
    ("patient", "caution", "shot_name"),
    [
        ("Warrick, Ada", "anticoagulation", "10-tablet-anticoagulant"),
        ("Pacer, Percy", "implanted_electronic_device", "11-tablet-pacemaker"),
    ],
)
def test_cautions_and_the_needling_decision_are_in_the_first_screen(
    tablet: Any, patient: str, caution: str, shot_name: str
) -> None:
    open_assessment(tablet, patient)
    assert tablet.evaluate("window.scrollY") == 0
    banner = tablet.locator("#urgency-banner")
    assert banner.get_attribute("data-state") in {"caution", "amber", "red"}
    assert "Needling allowed with cautions" in banner.inner_text()
    needling = in_first_screen(tablet, "#needling-decision")
    in_first_screen(tablet, "#electro-decision")
    heading = in_first_screen(tablet, "#cautions-title")
    headings = tablet.locator(".caution h3")
    assert headings.count() >= 1
    for i in range(headings.count()):  # every caution's heading, not only the first
        b = headings.nth(i).bounding_box()
        assert b is not None and b["y"] + b["height"] <= VIEWPORT["height"], i
    in_first_screen(tablet, f"#caution-{caution}")
    point = box(tablet, ".card.point")
    assert needling["y"] < heading["y"] < point["y"]
    assert green_shown(tablet) == [], "a green element is shown while a caution is active"
    assert tablet.locator(".state-clear").count() == 0
    shot(tablet, shot_name)


def test_a_deferred_patient_sees_the_deferral_first_and_no_plan(tablet: Any) -> None:
    open_assessment(tablet, "Vance, Dora")
    banner = tablet.locator("#urgency-banner")
    assert banner.get_attribute("data-state") == "red"
    assert "Referral: URGENT" in banner.inner_text()
    in_first_screen(tablet, "#needling-decision")
    assert "Needling deferred" in tablet.locator("#needling-decision").inner_text()
    in_first_screen(tablet, "#flags-title")
    assert tablet.locator(".card.point").count() == 0
    plan = tablet.locator("#session-plan")
    assert "Nothing is planned until medical clearance" in plan.inner_text()
    assert "after medical clearance" in plan.inner_text()
    assert green_shown(tablet) == []
    shot(tablet, "12-tablet-deferred")


def test_the_patient_list_shows_each_patients_urgency(tablet: Any) -> None:
    sign_in(tablet, "alice")
    expected = {
        "Vance, Dora": ("urgent", "Needling deferred"),
        "Warrick, Ada": (None, "Needling allowed"),
        "Pacer, Percy": (None, "Needling allowed"),
        "Ayres, Ellen": (None, "Needling "),
    }
    for name, (urgency, needling) in expected.items():
        cell = tablet.locator("#patient-results tbody tr", has_text=name).locator("td.latest")
        text = cell.inner_text()
        assert "Referral:" in text and needling in text, (name, text)
        link = cell.locator("a.latest-link")
        assert link.is_visible()
        if urgency:
            assert link.get_attribute("data-urgency") == urgency
    nadia = tablet.locator("#patient-results tbody tr", has_text="Bloom, Nadia")
    assert "Not assessed yet" in nadia.inner_text()
    # (consent "Given" is green: it is not a clinical state)
    assert green_shown(tablet, "td.latest, td.latest *") == [], "no green urgency in the list"
    shot(tablet, "13-tablet-patient-list")
