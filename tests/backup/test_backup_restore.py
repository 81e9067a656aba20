"""A backup taken while the clinic runs restores whole: every row, the audit chains verified
against the restored checkpoints; on SQLite and PostgreSQL, and across them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.backup.conftest import POSTGRES, Place, place

COUNTS = """
from crampcare.backup import snapshot
import json
print(json.dumps(snapshot.counts()))
"""


def manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def test_restore_into_an_empty_place_brings_every_row_and_the_audit_verifies(
    source: Place, target: Place, tmp_path: Path
) -> None:
    made = source.run("backup", str(tmp_path / "b.ccbackup"))
    assert made.returncode == 0, made.stderr
    assert "backup written and checked" in made.stdout
    taken = manifest(tmp_path / "b.ccbackup")
    assert taken["database"] == ("postgresql" if source.url else "sqlite")
    assert taken["tables"]["records_patient"] >= 25

    done = target.run("restore", str(tmp_path / "b.ccbackup"))
    assert done.returncode == 0, done.stderr
    assert f"taken {taken['created_at']}" in done.stdout
    assert "the same as the running crampcare's" in done.stdout
    assert "audit log OK" in done.stdout
    restored = json.loads(target.python(COUNTS))
    assert {t: n for t, n in restored.items() if t != "records_auditentry"} == {
        t: n for t, n in taken["tables"].items() if t != "records_auditentry"
    }
    assert restored["records_auditentry"] == taken["tables"]["records_auditentry"] + 1  # restore
    verified = target.run("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "checkpoints hold" in verified.stdout and " 0 checkpoints" not in verified.stdout


def test_a_place_that_holds_records_is_refused_unless_forced(source: Place, tmp_path: Path) -> None:
    backup = tmp_path / "b.ccbackup"
    assert source.run("backup", str(backup)).returncode == 0
    refused = source.run("restore", str(backup))
    assert refused.returncode == 2
    assert "the target is not empty" in refused.stderr and "records_patient" in refused.stderr
    assert "nothing was restored" in refused.stderr

    forced = source.run("restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    kept = forced.stdout.split("the database that was here is kept in ", 1)[1].split("\n")[0]
    assert Path(kept).is_file() and "audit log OK" in forced.stdout


WRITER = """
import sys, time
from django.db import transaction
from crampcare.clinic import patients
from crampcare.records.models import User
alice = User.objects.filter(role="practitioner", is_active=True).order_by("pk").first()
end = time.monotonic() + float(sys.argv[1])
n = 0
while time.monotonic() < end:
    with transaction.atomic():
        patients.create_patient(alice, {"given_name": f"Writer{n}", "family_name": "Test",
            "birth_date": "1970-01-01", "sex": "female", "consent_treatment": True,
            "consent_data_processing": True})
    n += 1
    print(n, flush=True)
"""

ORPHANS = """
from crampcare.records.models import AuditEntry, Patient
made = {e.record_id for e in AuditEntry.objects.filter(action="create", record_type="patient")}
writers = Patient.objects.filter(given_name__startswith="Writer")
print(writers.count(), sum(1 for p in writers if str(p.id) not in made))
"""


def test_a_backup_during_writes_is_a_consistent_snapshot(
    source: Place, target: Place, tmp_path: Path
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", "from crampcare.web import boot; boot.setup()\n" + WRITER, "8"],
        env=source.environ(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    while int(writer.stdout.readline() or 0) < 5:  # writing has begun
        pass
    made = source.run("backup", str(tmp_path / "b.ccbackup"))
    writer.communicate(timeout=60)
    assert made.returncode == 0, made.stderr

    done = target.run("restore", str(tmp_path / "b.ccbackup"))
    assert done.returncode == 0, done.stderr
    assert "audit log OK" in done.stdout
    writers, orphans = map(int, target.python(ORPHANS).split())
    total_written = int(
        source.python(
            "from crampcare.records.models import Patient\n"
            "print(Patient.objects.filter(given_name__startswith="
            "'Writer').count())"
        )
    )
    assert 5 <= writers < total_written  # taken mid-way, not before or after the writing
    assert orphans == 0  # every patient with its audit entry: no half-written request


@pytest.mark.skipif(not POSTGRES, reason="needs DATABASE_URL naming a PostgreSQL server")
@pytest.mark.parametrize("start, end", [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_backup_restores_across_databases(
    start: str, end: str, demo_backup: Path, tmp_path: Path
) -> None:
    first = place(tmp_path, "src", start)
    assert first.run("restore", str(demo_backup)).returncode == 0
    backup = tmp_path / "b.ccbackup"
    assert first.run("backup", str(backup)).returncode == 0
    assert manifest(backup)["database"] == start

    second = place(tmp_path, "dst", end)
    done = second.run("restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert "audit log OK" in done.stdout
    assert second.run("audit", "verify").returncode == 0
    # new rows get new ids after the restored ones (PostgreSQL's sequences were moved on)
    second.python(
        "from crampcare.clinic import accounts\n"
        "accounts.first_admin('Later', {'username': 'later', 'password': 'a long pass phrase 9'})"
    )
    assert second.run("audit", "verify").returncode == 0


def test_an_encrypted_backup_restores_with_its_passphrase(
    source: Place, target: Place, tmp_path: Path
) -> None:
    secret = tmp_path / "passphrase"
    secret.write_text("correct horse battery staple\n")
    backup = tmp_path / "b.ccbackup"
    made = source.run("backup", str(backup), "--passphrase-file", str(secret))
    assert made.returncode == 0 and "encrypted" in made.stdout
    assert b"Writer" not in backup.read_bytes() and not zipfile.is_zipfile(backup)
    done = target.run(
        "restore", str(backup), CRAMPCARE_BACKUP_PASSPHRASE="correct horse battery staple"
    )
    assert done.returncode == 0, done.stderr
    assert "audit log OK" in done.stdout


def test_kill_during_a_backup_leaves_the_previous_one_and_nothing_that_looks_whole(
    source: Place, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    assert source.run("backup", f"{folder}/").returncode == 0
    (previous,) = folder.glob("*.ccbackup")
    before = previous.read_bytes()
    time.sleep(1.1)  # the next backup's name differs by its second
    slow = source.environ(CRAMPCARE_BACKUP_TEST_SLOW_SECONDS="3")
    backup = subprocess.Popen(
        [sys.executable, "-m", "crampcare", "backup", f"{folder}/"], env=slow, cwd=tmp_path
    )
    deadline = time.monotonic() + 60
    while not list(folder.glob(".*.partial-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    backup.kill()  # SIGKILL
    backup.wait()
    assert [p.name for p in folder.glob("*.ccbackup")] == [previous.name]
    assert previous.read_bytes() == before
    # the next backup clears what the killed one left, and the previous one still restores
    assert source.run("backup", f"{folder}/").returncode == 0
    assert not list(folder.glob(".*")) and len(list(folder.glob("*.ccbackup"))) == 2


def test_a_scheduled_run_writes_a_backup_that_restores(
    source: Place, target: Place, tmp_path: Path
) -> None:
    """What the schedule's thread does at each tick (crampcare.backup.schedule.run_once): a
    backup in CRAMPCARE_BACKUP_DIR, checked, that restores."""
    folder = tmp_path / "scheduled"
    source.env["CRAMPCARE_BACKUP_DIR"] = str(folder)
    source.python("from crampcare.backup import schedule\nschedule.run_once(None)\n")
    [made] = sorted(folder.glob("crampcare-*.ccbackup"))
    done = target.run("restore", str(made))
    assert done.returncode == 0, done.stderr
    assert "audit log OK" in done.stdout
