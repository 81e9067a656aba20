"""The practitioner's path through the workbench in a real browser, at tablet width: sign in,
register a patient, fill an intake (with a mistake first), see the red-flag banner and the body
chart, and accept the plan with one point removed (with its reason)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import DESKTOP, Requests, shot
from tests.world import PASSWORD

UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)"""


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def assert_labelled(page: Any) -> None:
    assert page.evaluate(UNLABELLED) == [], "every form field has a label"


def test_a_practitioner_registers_assesses_and_plans(page: Any) -> None:
    sign_in(page, "alice")
    assert page.get_by_role("heading", name="Patients").is_visible()
    shot(page, "01-patients")

    # register a patient, with one mistake first: the error names the field, nothing is stored
    page.get_by_role("link", name="New patient").first.click()
    assert_labelled(page)
    page.get_by_label("Given name").fill("Rosa")
    page.get_by_label("Family name").fill("Quill")
    page.get_by_label("Birth date").fill("1958-06-02")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("The patient consents to the processing of their health data").check()
    page.get_by_label("The patient consents to treatment").check()
    page.get_by_role("button", name="Register patient").click()
    summary = page.locator("#error-summary")
    assert "email: is not an email address" in summary.inner_text()
    assert page.locator("#f-email-error").inner_text().strip().endswith("is not an email address")
    assert page.get_by_label("Given name").input_value() == "Rosa"  # what was typed is kept
    shot(page, "02-new-patient-error")
    page.get_by_label("Email").fill("rosa@example.org")
    page.get_by_role("button", name="Register patient").click()
    page.wait_for_url(re.compile(r"/patients/[0-9a-f-]{36}$"))
    patient_url = page.url
    assert page.get_by_role("heading", name="Rosa Quill").is_visible()
    assert "No intake yet" in page.locator("main").inner_text()

    # the intake: vocabularies from the knowledge base, and a mistake first
    page.get_by_role("link", name="New intake").click()
    assert_labelled(page)
    assert page.get_by_label("Birth date").input_value() == "1958-06-02"
    page.get_by_label("Cramp (sudden, painful, involuntary contraction)").check()
    page.get_by_label("Calf", exact=True).check()
    page.locator("#f-complaint-side-left").check()
    page.get_by_label("Comes at night").check()
    page.get_by_label("Episodes per week").fill("4")
    page.get_by_label("Worst severity (0-10)").fill("12")
    page.get_by_label("Typical duration (minutes)").fill("3")
    page.get_by_label("Weeks since onset").fill("ten")
    page.get_by_label("Exercise or exertion").check()
    page.get_by_label("Pale body").check()
    page.locator("#f-tcm-pulse-thin").check()
    page.get_by_label("Numbness of the limbs").check()
    page.get_by_label("Dry eyes").check()
    page.get_by_label("Medications").fill("Zocor 40 mg\nHydrochlorothiazide 25 mg")
    page.get_by_label("Test 1").select_option("potassium")
    page.locator("#f-history-labs-0-value").fill("3.3")
    page.locator("#f-history-labs-0-unit").fill("mmol/L")
    # one more laboratory row, fetched with htmx: the rest of the form is left as typed
    page.get_by_role("button", name="Add a laboratory row").click()
    page.get_by_label("Test 3").wait_for()
    assert page.get_by_label("Worst severity (0-10)").input_value() == "12"
    page.get_by_label("First acupuncture treatment").check()
    page.get_by_role("button", name="Save and assess").click()
    assert page.locator("#error-summary").is_visible()
    severity = page.locator("#f-complaint-worst-severity-error").inner_text()
    assert "10 or less" in severity
    onset = page.locator("#f-complaint-weeks-since-onset-error").inner_text()
    assert "must be a number" in onset
    assert page.locator("#f-history-labs-0-value").input_value() == "3.3"
    shot(page, "03-intake-errors")
    page.get_by_label("Worst severity (0-10)").fill("7")
    page.get_by_label("Weeks since onset").fill("10")
    page.get_by_role("button", name="Save and assess").click()
    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]{36}$"))
    assessment_url = page.url

    # the assessment: urgency banner first, red flags as cards, the body chart
    banner = page.locator("#urgency-banner")
    assert banner.get_attribute("data-urgency") == "soon"
    assert "Referral: SOON" in banner.inner_text()
    assert page.locator("main section").first.get_attribute("id") == "urgency-banner"
    flag = page.locator("article.flag", has_text="Low potassium")
    assert "Action:" in flag.inner_text()
    flag.locator("summary", has_text="Why, and sources").click()  # compact: details on demand
    flag.locator("summary", has_text=re.compile(r"^Sources")).click()
    assert flag.locator(".sources li").count() >= 1
    chart = page.locator("svg.body-chart")
    assert chart.is_visible()
    assert chart.locator('g.point[data-code="BL57"][data-side="left"]').count() >= 1
    assert chart.locator('g.point[data-code="BL57"][data-side="right"]').count() == 0
    assert chart.locator('g.point[data-code="GB34"][data-side="right"]').count() >= 1
    text = page.locator("main").inner_text()
    for heading in ("Red flags", "Contributing factors", "Suggested points", "The evidence"):
        assert heading in text
    shot(page, "04-assessment")

    # the plan: remove BL40 (a reason is required), accept the rest
    page.get_by_role("link", name="Accept or change the plan").click()
    assert_labelled(page)
    page.locator("#f-decision-BL40-remove").check()
    page.get_by_role("button", name="Save the plan").click()
    reason = page.get_by_label("Reason for removing BL40")
    assert reason.get_attribute("aria-invalid") == "true"
    assert "at least 3 characters" in page.locator("#f-reason-BL40-error").inner_text()
    shot(page, "05-plan-error")
    reason.fill("Patient cannot lie prone comfortably today")
    page.get_by_role("button", name="Save the plan").click()
    page.wait_for_url(re.compile(r"/plans/[0-9a-f-]{36}$"))
    removed = page.locator("tr.decision-removed")
    assert removed.count() == 1
    assert "BL40" in removed.inner_text()
    assert "cannot lie prone" in removed.inner_text()
    assert page.locator("tr.decision-accepted").count() >= 3
    assert page.locator('svg.body-chart g.point[data-code="BL40"]').count() == 0
    shot(page, "06-plan")

    # the timeline: intake, assessment and plan, newest first
    page.goto(patient_url)
    events = page.locator(".timeline .event")
    assert events.count() == 3
    assert "Treatment plan" in events.nth(0).inner_text()
    assert "Assessment" in events.nth(1).inner_text()
    assert "Intake, version 1" in events.nth(2).inner_text()
    assessment_path = urlsplit(assessment_url).path
    assert page.locator(f'.timeline a[href="{assessment_path}"]').count() == 1
    shot(page, "07-timeline")


def test_search_is_live_and_the_keyboard_reaches_everything(page: Any) -> None:
    sign_in(page, "alice")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    search = page.get_by_label("Search by name, phone or email")
    search.press_sequentially("bloo", delay=20)
    page.locator("#patient-count", has_text="bloo").wait_for()
    assert page.locator("#patient-results tbody tr").count() == 1
    assert "Bloom, Nadia" in page.locator("#patient-results").inner_text()
    assert "q=bloo" in page.url  # the search is in the address, to share or reload


def test_the_front_desk_sees_demographics_but_no_clinical_record(page: Any) -> None:
    sign_in(page, "fran")
    page.get_by_role("link", name="Ayres, Ellen").click()
    assert page.get_by_role("heading", name="Ellen Ayres").is_visible()
    main = page.locator("main").inner_text()
    assert "Timeline" not in main and "New intake" not in main
    assert "shown to practitioners only" in main
    intake = page.url + "/intake"
    response = page.goto(intake)
    assert response is not None and response.status == 403
    shot(page, "08-front-desk-refused")


def test_desktop_layout_of_an_assessment(browser: Any, live_url: str) -> None:
    seen = Requests()
    context = browser.new_context(viewport=DESKTOP, base_url=live_url)
    context.on("request", seen.record)
    page = context.new_page()
    sign_in(page, "alice")
    page.get_by_role("link", name="Ayres, Ellen").click()
    page.get_by_role("link", name=re.compile("Assessment")).first.click()
    assert page.locator("#urgency-banner").is_visible()
    box_chart = page.locator("figure.chart").bounding_box()
    box_points = page.locator("ol.points").bounding_box()
    assert box_chart and box_points and box_chart["x"] < box_points["x"]  # side by side
    shot(page, "09-assessment-desktop")
    context.close()
    assert seen.foreign() == []
