"""A demo patient's whole course in a real browser at tablet size (820 x 1180), on the demo clinic
as ``crampcare demo`` builds it (``demo_url``): the demo practitioner opens Olivia Hartmann's
finished course (the plan, twelve signed sessions, the course panel, the outcomes chart with its
numbers beside it, her baseline and responder figures), downloads the letter to her physician,
her handout and the superbill with the page's buttons and reads each PDF with pdftotext; then
opens Peter Nakamura's course in progress, where the plan's review at session 4 is due, and
records "Improving: continue"."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TABLET, Requests, shot, watched_page
from tests.browser.test_workbench import sign_in

SIGNED = 12  # Olivia Hartmann's course: the plan's maximum, every session signed


@pytest.fixture
def tablet(browser: Any, demo_url: str) -> Iterator[Any]:
    with watched_page(browser, demo_url, Requests(), TABLET) as opened:
        yield opened


def _open_patient(page: Any, listed_as: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=listed_as).click()
    page.wait_for_url(re.compile(r"/patients/[0-9a-f-]{36}$"))


def _download(page: Any, kind: str, folder: Path) -> str:
    """Click the page's download button for ``kind``; the PDF's text (pdftotext)."""
    with page.expect_download() as info:
        page.locator(f"#download-{kind}").click()
    path = folder / f"{kind}.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF"), kind
    run = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(run.stdout.split())  # one space between words, whatever the layout


def test_a_finished_course_and_its_documents(tablet: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = tablet
    sign_in(page, "demo-practitioner")
    _open_patient(page, "Hartmann, Olivia")
    expect(page.locator("h1")).to_have_text("Olivia Hartmann")

    # the plan and its sessions
    sessions = page.locator("#sessions .session-list li")
    expect(sessions).to_have_count(SIGNED)
    expect(sessions.filter(has_text="Signed")).to_have_count(SIGNED)
    timeline = page.locator(".timeline")
    expect(timeline.locator(".event-plan")).to_have_count(1)

    # the course panel: the plan's maximum done, nothing left
    course = page.locator("#course")
    expect(course.locator("#course-done")).to_have_text(str(SIGNED))
    expect(course.locator("#course-left")).to_have_text("None: the course is complete")
    expect(course).to_contain_text("4, 8")  # the plan's review sessions
    # no further session on a finished course: the page says what to do instead
    expect(page.locator("#start-session")).to_have_count(0)
    expect(page.locator("#course-complete")).to_contain_text("reassess the patient")
    shot(page, "w01-finished-course")

    # the chart, with its title, and its numbers in the table beside it
    chart = page.locator("#outcomes-chart svg#patient-outcomes-chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 100
    expect(chart.locator("title").first).to_have_text(
        "Cramps per week, worst severity and pain across the course"
    )
    assert "Baseline 3.7 cramps per week (from the diary)" in chart.locator("desc").text_content()
    rows = page.locator("#outcomes-chart table tbody tr")
    assert rows.count() >= 13  # the baseline and the twelve weeks of the course
    expect(rows.first).to_contain_text("3.67")
    chart.scroll_into_view_if_needed()
    shot(page, "w02-outcomes-chart")

    # what the diary says: baseline, now, change, responders; and the pain
    figures = page.locator("#outcomes-summary")
    expect(figures).to_contain_text("3.67 a week (diary)")
    expect(figures).to_contain_text("0.5 a week")
    expect(figures).to_contain_text("-86.4 %")
    expect(figures).to_contain_text("50 % fewer: yes")
    expect(figures).to_contain_text("7 → 2")

    # the documents, through the page's buttons
    letter = _download(page, "physician-letter", tmp_path)
    handout = _download(page, "handout", tmp_path)
    superbill = _download(page, "superbill", tmp_path)
    for text in (letter, handout, superbill):
        assert "Olivia Hartmann" in text
    assert "OR-AC-004217" in letter  # the practitioner's licence number
    cpt = set(re.findall(r"\b97810|97811|97813|97814\b", superbill))
    assert "97810" in cpt, superbill[:2000]


def test_a_review_due_in_a_course_in_progress(tablet: Any) -> None:
    from playwright.sync_api import expect

    page = tablet
    sign_in(page, "demo-practitioner")
    _open_patient(page, "Nakamura, Peter")
    expect(page.locator("#course-done")).to_have_text("3")
    expect(page.locator("#course-next")).to_have_text("Session 4 (review)")
    review = page.locator("#review")
    expect(review).to_be_visible()
    expect(review.locator("h2")).to_have_text("Review at session 4")
    expect(review).to_contain_text("4.0 (intake)")
    shot(page, "w03-review-due")

    review.get_by_role("button", name="Improving: continue").click()
    page.wait_for_url(re.compile(r"/patients/[0-9a-f-]{36}#course$"))
    expect(page.locator("#review")).to_have_count(0)
    expect(page.locator(".timeline .event-review_decision").first).to_contain_text(
        "Review at session 4: continue"
    )
    shot(page, "w04-review-recorded")
