"""What a backup refuses: a damaged, cut-short or wrongly-sealed file is named as such and
nothing is written; a full disk gets a message naming the folder and leaves no file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup.conftest import Place

PASSPHRASE = "correct horse battery staple"


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def damaged(data: bytes) -> bytes:
    return flip(data, len(data) // 2)


def header_damaged(data: bytes) -> bytes:
    return flip(data, 10)  # a ZIP header's time: no ZIP checksum covers it


def cut_short(data: bytes) -> bytes:
    return data[: len(data) - len(data) // 3]


@pytest.mark.parametrize(
    "sealed, change, message",
    [
        pytest.param(False, damaged, "damaged", id="one changed byte"),
        pytest.param(False, header_damaged, "damaged", id="one changed byte in a header"),
        pytest.param(False, cut_short, "damaged or cut short", id="cut short"),
        pytest.param(True, damaged, "is not a whole backup: it is damaged", id="sealed, one byte"),
        pytest.param(True, cut_short, "damaged or cut short", id="sealed, cut short"),
        pytest.param(True, None, "wrong passphrase (nothing was written)", id="wrong passphrase"),
    ],
)
def test_a_bad_backup_is_refused_with_a_message_and_nothing_is_written(
    sealed: bool, change, message: str, demo_backup: Path, tmp_path: Path
) -> None:
    source = Place(tmp_path / "src")
    assert source.run("restore", str(demo_backup)).returncode == 0
    backup = tmp_path / "b.ccbackup"
    secret = {"CRAMPCARE_BACKUP_PASSPHRASE": PASSPHRASE} if sealed else {}
    assert source.run("backup", str(backup), **secret).returncode == 0
    if change is not None:
        backup.write_bytes(change(backup.read_bytes()))
    else:
        secret = {"CRAMPCARE_BACKUP_PASSPHRASE": "not the passphrase"}

    target = Place(tmp_path / "dst")
    refused = target.run("restore", str(backup), **secret)
    assert refused.returncode in (1, 2)
    assert message in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (target.data / "audit_checkpoints.jsonl").exists()
    assert "no such table" in target.run("audit", "verify").stderr  # not even a schema


BOOM = """
import errno, sys
from crampcare.backup import make
def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")
make.{name} = full
from crampcare.cli import main
sys.exit(main(["backup", sys.argv[1]]))
"""


@pytest.mark.parametrize("name", ["_write", "_pack"])
def test_a_full_disk_stops_the_backup_with_a_message_and_no_file(
    name: str, demo_backup: Path, tmp_path: Path
) -> None:
    source = Place(tmp_path / "src")
    assert source.run("restore", str(demo_backup)).returncode == 0
    folder = tmp_path / "backups"
    done = subprocess.run(
        [sys.executable, "-c", BOOM.format(name=name), f"{folder}/"],
        env=source.environ(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "crampcare: backup: not enough space in " in done.stderr
    assert ": need ~" in done.stderr and " MB" in done.stderr
    assert list(folder.iterdir()) == []
    assert not list(source.data.glob(".backup-work-*"))


def test_too_little_free_space_is_said_before_anything_is_written(
    demo_backup: Path, tmp_path: Path
) -> None:
    source = Place(tmp_path / "src")
    assert source.run("restore", str(demo_backup)).returncode == 0
    code = (
        "import shutil, sys, collections\n"
        "shutil.disk_usage = lambda p: collections.namedtuple('u', 'total used free')(9, 9, 0)\n"
        "from crampcare.cli import main\nsys.exit(main(['backup', sys.argv[1]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "b.ccbackup")],
        env=source.environ(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"not enough space in {tmp_path}: need ~" in done.stderr
    assert not (tmp_path / "b.ccbackup").exists()
