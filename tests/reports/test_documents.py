"""The documents as real PDFs: the text pdftotext reads back holds what each document promises
(the patient, the red flags and their urgency, the medications of concern, the points with their
Chinese characters, the CPT codes with units, the ICD-10-CM codes, the licence number), and a
page drawn as an image has ink on it. Made from a real assessment, session documents and outcomes,
without a database. Laying out a PDF costs about a second, so each kind is laid out once."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from crampcare.clinic.session_view import point_info
from crampcare.core.billing import bill
from crampcare.core.outcomes import DiaryDay, SessionPoint, outcomes
from crampcare.core.session import parse_session
from crampcare.kb.loader import KnowledgeBase
from crampcare.reports.documents import Record, handout, letter, render, superbill
from tests.factories import run

FIRST = dt.date(2026, 3, 2)
TODAY = FIRST + dt.timedelta(days=27)
POPPLER = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdffonts", "fc-list")),
    reason="poppler-utils missing: scripts/test installs it",
)
PATIENT = {
    "given_name": "Ellen",
    "family_name": "Ayres",
    "birth_date": dt.date(1961, 4, 12),
    "sex": "female",
    "address": "1 Willow Lane",
}
POINTS = [("GB34", "right"), ("BL57", "both")]


def session_doc(day: dt.date, pain: tuple[int, int], electrical: bool) -> dict[str, Any]:
    stim: dict[str, Any] = (
        {
            "stimulation": "electrical",
            "electrical": {
                "frequency_hz": 2,
                "intensity_ma": 3,
                "minutes": 20,
                "waveform": "dense_disperse",
            },
        }
        if electrical
        else {}
    )
    return {
        "schema": "crampcare.session/1",
        "date": day.isoformat(),
        "patient": "ellen",
        "points": [{"code": c, "side": s, **(stim if c == "GB34" else {})} for c, s in POINTS],
        "needles": {"inserted": 3, "removed": 3, "lot": "HW-1"},
        "contact": [
            {"start": "10:00", "end": "10:16", "electrical": electrical},
            {"start": "10:25", "end": "10:40", "reinsertion": True, "electrical": electrical},
        ],
        "measures": {"pain_before": pain[0], "pain_after": pain[1]},
    }


def session_dict(doc: dict[str, Any], kb: KnowledgeBase, events: int = 0) -> dict[str, Any]:
    """A session as ``clinic.session_view.session_dict`` gives it (the parts documents read)."""
    return {
        "date": dt.date.fromisoformat(doc["date"]),
        "status": "locked",
        "document": doc,
        "points_info": [point_info(p["code"], kb) for p in doc["points"]],
        "needles": doc["needles"],
        "adverse_events": [
            {"kind": "bruising", "severity": "mild", "serious": False, "action": "pressure"}
        ]
        * events,
    }


@pytest.fixture(scope="module")
def made(kb: KnowledgeBase) -> dict[str, Any]:
    assessment = run(
        kb,
        complaint={"episodes_per_week": 4, "worst_severity": 8},
        history={"medications": ["hydrochlorothiazide 25 mg"]},
    )
    docs = [
        session_doc(FIRST, (7, 4), electrical=False),
        session_doc(FIRST + dt.timedelta(days=14), (4, 2), electrical=True),
    ]
    diary = [
        DiaryDay(FIRST + dt.timedelta(days=d), cramps=1 if d < 0 or d % 3 == 0 else 0)
        for d in range(-14, 28)
        if not 7 <= d < 14  # the second week missing
    ]
    result = outcomes(
        diary,
        [SessionPoint(dt.date.fromisoformat(d["date"]), *d["measures"].values()) for d in docs],
        4,
        TODAY,
    )
    record = Record(
        clinic="Willow Clinic",
        practitioner={"name": "Alice Moss", "licence_number": "LAc-0042"},
        patient=PATIENT,
        today=TODAY,
        assessment=dict(assessment),
        sessions=[session_dict(docs[0], kb, events=1), session_dict(docs[1], kb)],
        outcomes=result,
        diary_link={"expires_at": dt.datetime(2026, 6, 1, tzinfo=dt.UTC)},
    )
    billed = bill([parse_session(d, kb) for d in docs], assessment)
    practitioners = [{"name": "Alice Moss", "licence_number": "LAc-0042"}]
    return {
        "record": record,
        "assessment": assessment,
        "bill": billed,
        "letter": letter.context(record, kb),
        "handout": handout.context(record, kb),
        "superbill": superbill.context(record, billed, practitioners),
    }


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def drawn_with_a_font_that_has(pdf: bytes, chars: str, tmp_path: Path) -> bool:
    """Whether the PDF embeds a font that has every one of ``chars``. pdftotext reads characters
    back even when no font could draw them (an empty box), so the text alone proves nothing."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    charset = " ".join(f"{ord(c):x}" for c in chars)
    listed = subprocess.run(
        ["fc-list", f":charset={charset}", "family"], capture_output=True, check=True, text=True
    ).stdout
    families = {f.split(",")[0].strip().replace(" ", "") for f in listed.splitlines() if f}
    embedded = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    names = {
        line.split()[0].split("+")[-1].replace("-", "") for line in embedded.stdout.splitlines()[2:]
    }
    return any(name.startswith(family) for name in names for family in families)


def first_page_ink(pdf: bytes, tmp_path: Path) -> float:
    """The share of dark pixels on page 1, drawn at 50 dpi."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    dark = sum(image.histogram()[:128])
    return dark / (image.width * image.height)


@POPPLER
def test_the_letter_to_the_physician(made: dict[str, Any], tmp_path: Path) -> None:
    pdf = render.render(letter.TEMPLATE, made["letter"])
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Re: Ellen Ayres, born 12 April 1961" in text
    assert "not a diagnosis" in text
    flags = made["assessment"]["red_flags"]
    assert "frequent_severe_cramps" in {f["id"] for f in flags}
    for flag in flags:
        assert flag["name"] in text
    assert "ROUTINE" in text  # the urgency
    assert "hydrochlorothiazide" in text.lower()  # a medication of concern, with its certainty
    assert "Certainty: low certainty" in text or "Certainty: moderate" in text
    assert "陽陵泉" in text  # GB34's Chinese name ...
    assert drawn_with_a_font_that_has(pdf, "陽陵泉", tmp_path)  # ... drawn, not empty boxes
    assert "electrical, 2 Hz, 3 mA, 20 min" in text  # the stimulation given
    assert "bruising (mild)" in text  # the adverse event
    assert "Baseline: 7 cramps a week (cramp diary" in text
    assert "no diary entries" in text  # the missing week is said, not drawn as zero
    assert "LAc-0042" in text and "Alice Moss" in text
    assert first_page_ink(pdf, tmp_path) > 0.005


@POPPLER
def test_the_patient_handout(made: dict[str, Any], tmp_path: Path) -> None:
    pdf = render.render(handout.TEMPLATE, made["handout"])
    text = pdf_text(pdf, tmp_path)
    assert "For Ellen Ayres" in text
    assert "What to expect at a session" in text and "After your session" in text
    assert "What you can do yourself" in text  # self-care ...
    assert "Research on this is limited" in text  # ... with its certainty in plain words
    assert "Frequent, severe cramps. Mention it to your doctor at your next visit." in text
    # told to every patient, from the knowledge base's emergency red flag
    assert (
        "At any time: Chest pain or breathlessness. Call emergency services or go to an "
        "emergency department now." in " ".join(text.split())
    )
    assert "Use the private link your clinic sent you" in text and "1 June 2026" in text
    assert first_page_ink(pdf, tmp_path) > 0.005


@POPPLER
def test_the_superbill(made: dict[str, Any], tmp_path: Path) -> None:
    lines = made["bill"]["lines"]
    assert [(ln["code"], ln["units"]) for ln in lines] == [
        ("97810", 1),
        ("97811", 1),
        ("97813", 1),
        ("97814", 1),
    ]
    pdf = render.render(superbill.TEMPLATE, made["superbill"])
    text = pdf_text(pdf, tmp_path)
    assert "Willow Clinic" in text and "Alice Moss, licence number LAc-0042" in text
    assert "Ellen Ayres" in text and "12 April 1961" in text
    assert "Dates of service 2 March 2026, 16 March 2026" in text
    for code in ("97810", "97811", "97813", "97814"):
        assert code in text
    assert "Total units 4" in text
    codes = [d["code"] for d in made["bill"]["diagnoses"] if d["code"]]
    assert codes and all(c in text for c in codes)  # the ICD-10-CM codes
    assert "UNVERIFIED rule: payer limits" in text
    assert first_page_ink(pdf, tmp_path) > 0.005


def test_the_letter_says_what_is_missing_without_outcomes(
    made: dict[str, Any], kb: KnowledgeBase
) -> None:
    from dataclasses import replace

    record = replace(made["record"], outcomes=None, sessions=[], assessment=None)
    html = render.html(letter.TEMPLATE, letter.context(record, kb))
    assert "There is no assessment on record." in html
    assert "No session has been completed yet." in html
    assert "No outcomes are recorded yet." in html


def test_the_warning_advice_the_handout_names_is_in_the_knowledge_base(kb: KnowledgeBase) -> None:
    assert set(kb.advice) >= handout.WARNINGS
    assert kb.red_flags[handout.ALWAYS_TOLD].urgency.value == "emergency"


def test_text_from_the_records_is_escaped(made: dict[str, Any], kb: KnowledgeBase) -> None:
    from dataclasses import replace

    patient = {**PATIENT, "family_name": "<script>x</script>"}
    html = render.html(
        handout.TEMPLATE, handout.context(replace(made["record"], patient=patient), kb)
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
