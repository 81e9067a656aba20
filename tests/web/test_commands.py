"""The clinic's commands: serve (a real server in a subprocess), demo, audit verify, openapi."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from crampcare.cli import main
from crampcare.records.models import Assessment
from tests.world import World

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_importing_the_cli_loads_no_django() -> None:
    code = (
        "import sys, crampcare.cli as c; c.build_parser(); "
        "assert not [m for m in sys.modules if m.startswith('django')], 'django imported'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def test_audit_verify_passes_then_names_a_changed_entry(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and out.startswith("audit log OK")
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER records_auditentry_no_update")
        else:
            cur.execute("ALTER TABLE records_auditentry DISABLE TRIGGER USER")
        cur.execute("UPDATE records_auditentry SET detail = '{}' WHERE seq = 3")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1
    assert "entry 3 was changed" in err


def test_openapi_prints_the_description(db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "openapi")
    assert code == 0 and "/api/v1/patients" in json.loads(out)["paths"]


def test_reassess_with_nothing_stale(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reassess")
    assert code == 0 and "re-assessed 0 of 0" in out


def test_the_demo_covers_every_red_flag_and_caution(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crampcare import services

    monkeypatch.setenv("CRAMPCARE_DATA_DIR", str(tmp_path))
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    from crampcare.clinic.demo import PEOPLE

    assert "demo-practitioner" in out and f"{len(PEOPLE)} patients" in out
    kb = services.knowledge_base()
    flags, cautions = set(), set()
    for a in Assessment.objects.all():
        flags |= {f["id"] for f in a.result["red_flags"]}
        cautions |= {c["id"] for c in a.result["cautions"]}
    assert set(kb.red_flags) - flags == set()
    assert set(kb.cautions) - cautions == set()
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "exists already" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CRAMPCARE_SECRET_KEY"}
    }
    return {**env, "CRAMPCARE_DATA_DIR": str(tmp_path / "data")}


def test_serve_without_a_terminal_or_users_refuses_to_guess_an_admin(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crampcare", "serve", "--port", str(_free_port())],
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "no users yet" in done.stderr
    assert f"data directory {tmp_path / 'data'}" in done.stdout


def test_serve_demo_runs_a_real_server(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampcare", "serve", "--demo", "--port", str(port)],
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "serving on" in line:
                break
        text = "".join(lines)
        assert f"serving on http://127.0.0.1:{port}/" in text, text
        password = next(ln.split()[1] for ln in lines if ln.strip().startswith("demo-practitioner"))
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/login", timeout=10) as page:
            assert page.status == 200 and page.headers["Server"] == "crampcare"
        request = urllib.request.Request(
            f"{base}/api/v1/auth/token",
            data=json.dumps({"username": "demo-practitioner", "password": password}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            token = json.load(r)["token"]
        listing = urllib.request.Request(
            f"{base}/api/v1/patients", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(listing, timeout=10) as r:
            listed = json.load(r)
        from crampcare.clinic.demo import PEOPLE

        assert listed["count"] == len(PEOPLE)
        urgencies = {p["latest_assessment"]["urgency"] for p in listed["items"]}
        assert {"emergency", "urgent"} <= urgencies  # every demo patient is assessed
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}/api/v1/patients", timeout=10)
        assert err.value.code == 401
        err.value.close()
        assert (tmp_path / "data" / "crampcare.sqlite3").exists()
        assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
