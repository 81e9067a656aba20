"""The crampcare command: output, formats, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crampcare.cli import main
from tests.factories import make_intake

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kb_check_reports_counts_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "kb", "check")
    assert code == 0, err
    assert "kb_version" in out and "points" in out and "red_flags" in out


def test_kb_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "check", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["missing_required"] == {}
    assert data["counts"]["points"] >= 19


@pytest.mark.parametrize("name", ["GB34", "GB-34", "gb34", "Yanglingquan", "yánglíngquán"])
def test_kb_show_finds_a_point_by_any_spelling(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, _ = run(capsys, "kb", "show", name, "--format", "json")
    assert code == 0
    assert json.loads(out)["code"] == "GB34"


def test_kb_show_gb34_card_has_location_depth_positions_cautions_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "kb", "show", "GB34")
    assert code == 0
    for heading in ("location:", "depth:", "positions:", "cautions:", "sources:"):
        assert heading in out
    assert "cun" in out and "Yánglíngquán" in out


def test_kb_show_unknown_is_exit_1_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "kb", "show", "XX99")
    assert code == 1 and out == ""
    assert "no point, condition" in err


def test_kb_search_finds_nifedipine_with_its_atc_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "search", "nifedipine")
    assert code == 0
    assert "nifedipine" in out and "C08CA05" in out


def test_kb_search_by_brand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "search", "zocor", "--format", "json")
    assert code == 0
    assert any(row["id"] == "simvastatin" for row in json.loads(out))


def test_kb_search_nothing_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "kb", "search", "zzzzqqq")
    assert code == 1 and "nothing matches" in err


def test_assess_json_and_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(make_intake()), encoding="utf-8")
    code, out, _ = run(capsys, "assess", str(path), "--format", "json", "--today", "2026-11-27")
    assert code == 0
    assert json.loads(out)["schema"] == "crampcare.assessment/1"
    code, out, _ = run(capsys, "assess", str(path), "--today", "2026-11-27")
    assert code == 0
    assert out.startswith(" REFERRAL: ")
    assert "\033[" not in out  # plain when not a terminal


def test_assess_invalid_is_exit_2_naming_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = make_intake(complaint={"regions": ["calves"], "worst_severity": 14})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(capsys, "assess", str(path))
    assert code == 2 and out == ""
    assert "complaint.regions[0]" in err and "complaint.worst_severity" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "/no/such/file.yaml"],
        ["assess", "-", "--today", "27/11/2026"],
    ],
)
def test_assess_bad_arguments_are_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith("crampcare: ")


def test_errors_never_show_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema: [unclosed\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "crampcare", "assess", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not valid JSON or YAML" in proc.stderr
