"""`crampcare bill`: codes for session documents, formats, exit codes, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from crampcare.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
MANUAL = str(EXAMPLES / "session-manual-30-minutes.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, changes: dict[str, Any]) -> str:
    doc = yaml.safe_load(Path(MANUAL).read_text(encoding="utf-8"))
    doc.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return str(path)


def test_json_output_has_the_design_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "bill", MANUAL, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data)[:3] == ["lines", "total_units", "issues"]
    assert [(line["code"], line["units"]) for line in data["lines"]] == [
        ("97810", 1),
        ("97811", 1),
    ]
    assert {"date", "code", "units", "because"} <= set(data["lines"][0])
    assert data["total_units"] == 2


def test_text_output_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bill", MANUAL)
    assert code == 0
    assert "97810 x1" in out and "97811 x1" in out and "total units: 2" in out
    assert "re-insertion at 10:15" in out
    assert "UNVERIFIED" in out  # payer limits are named
    assert "\033[" not in out  # no colour when piped


def test_several_files_are_billed_together(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("session-same-day*.yaml"))
    code, out, _ = run(capsys, "bill", *files, "--format", "json")
    assert code == 0
    assert [line["code"] for line in json.loads(out)["lines"]] == ["97813", "97814"]


def test_an_invalid_document_is_exit_2_naming_file_and_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        {"points": [{"code": "XX9", "side": "left"}], "contact": [{"start": "10:00", "end": "9"}]},
    )
    code, out, err = run(capsys, "bill", MANUAL, bad)
    assert code == 2 and out == ""
    assert f"{bad}: points[0].code: unknown point code 'XX9'" in err
    assert f"{bad}: contact[0].end: must be a time" in err
    assert "Traceback" not in err


def test_mismatched_needles_without_an_incident_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    short = write(tmp_path, "short.yaml", {"needles": {"inserted": 6, "removed": 5, "lot": "L"}})
    code, out, err = run(capsys, "bill", short, "--format", "json")
    assert code == 2 and out == ""
    assert f"{short}: needles: 6 inserted, 5 removed: record a retained or lost needle" in err


def test_mismatched_needles_with_a_retained_needle_incident_are_billed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    retained = write(
        tmp_path,
        "retained.yaml",
        {
            "needles": {"inserted": 6, "removed": 5, "lot": "L"},
            "adverse_events": [
                {"kind": "retained_needle", "severity": "moderate", "action": "found, removed"}
            ],
        },
    )
    code, _, err = run(capsys, "bill", retained)
    assert code == 0, err


def test_unreadable_and_missing_files_are_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("points: [unclosed", encoding="utf-8")
    assert run(capsys, "bill", str(broken))[0] == 2
    code, _, err = run(capsys, "bill", str(tmp_path / "nothing.yaml"))
    assert code == 2 and "cannot read" in err


def test_assessment_gives_icd10cm_diagnoses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    intake = str(EXAMPLES / "nocturnal-calf-cramps.yaml")
    code, assessed, _ = run(capsys, "assess", intake, "--format", "json", "--today", "2026-11-27")
    assert code == 0
    assessment = tmp_path / "assessment.json"
    assessment.write_text(assessed, encoding="utf-8")
    code, out, err = run(
        capsys, "bill", MANUAL, "--assessment", str(assessment), "--format", "json"
    )
    assert code == 0, err
    primary = [(d["role"], d["code"]) for d in json.loads(out)["diagnoses"]]
    assert ("primary", "G47.62") in primary and ("primary", "R25.2") in primary


def test_an_intake_is_not_an_assessment(capsys: pytest.CaptureFixture[str]) -> None:
    intake = str(EXAMPLES / "nocturnal-calf-cramps.yaml")
    code, _, err = run(capsys, "bill", MANUAL, "--assessment", intake)
    assert code == 2 and "not a crampcare.assessment/1 document" in err


def test_schema_session(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "session")
    assert code == 0 and json.loads(out)["title"] == "crampcare.session/1"
