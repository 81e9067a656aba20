"""Taking a backup: the audit files, then a snapshot of the database, packed with a manifest,
maybe sealed, written under a temporary name, checked, and only then given its real name.

A backup killed at any moment leaves the previous backups as they were and no file with a
backup's name: the work happens under ``.<name>.partial-<pid>`` (removed by the next backup)
and the final ``rename`` is atomic. A full disk stops it with a message naming the folder and
about how much room it needs, and leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crampcare.backup import archive, crypto, snapshot

PREFIX = "crampcare-"
# tests only: seconds to wait with the partial file written but not yet checked and renamed,
# so that a test can kill a backup there
SLOW_ENV = "CRAMPCARE_BACKUP_TEST_SLOW_SECONDS"


class BackupError(Exception):
    """The backup could not be made; nothing was left behind."""


@dataclass
class Made:
    path: Path
    manifest: dict[str, Any]


def default_name(now: datetime) -> str:
    return f"{PREFIX}{now.astimezone(UTC):%Y%m%d-%H%M%S}{archive.SUFFIX}"


def target_path(given: str | None, now: datetime) -> Path:
    """FILE as given; a folder (or nothing: the backup folder) gets a dated name inside."""
    from django.conf import settings

    path = Path(given or settings.BACKUP_DIR).expanduser()
    if not given or path.is_dir() or given.endswith(("/", os.sep)):
        return path / default_name(now)
    return path


def take(given: str | None = None, passphrase: str | None = None) -> Made:
    """Make one backup at ``given`` (a file, a folder, or the backup folder); return it."""
    now = datetime.now(UTC)
    target = target_path(given, now).absolute()
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"{folder}: cannot create ({exc.strerror})") from None
    _remove_stale(folder)
    need = _estimate()
    for place in dict.fromkeys([folder, _work_parent()]):
        if shutil.disk_usage(place).free < need:
            raise BackupError(_no_space(place, need))
    partial = folder / f".{target.name}.partial-{os.getpid()}"
    place = _work_parent()
    try:
        prefix = f".backup-work-{os.getpid()}-"
        with tempfile.TemporaryDirectory(prefix=prefix, dir=place) as work:
            manifest = _pack(Path(work), now, target.name)
            place = folder
            _write(Path(work) / "backup.zip", partial, passphrase)
        with archive.opened(partial, passphrase) as check:
            if check.manifest["tables"] != manifest["tables"]:
                raise BackupError(f"{target}: the written backup does not read back the same")
        os.replace(partial, target)
        _fsync_folder(folder)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise BackupError(_no_space(place, need)) from None
        raise BackupError(f"{exc.filename or place}: cannot write ({exc.strerror})") from None
    except (archive.BadBackup, snapshot.SnapshotError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed its check and was not kept: {exc}") from None
    return Made(target, manifest)


def _pack(work: Path, now: datetime, name: str) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    from crampcare import __version__, services
    from crampcare.records import audit

    members: dict[str, Path] = {}
    # the audit files first: every checkpoint in them signs a head the snapshot then holds
    key = Path(settings.AUDIT_KEY_FILE)
    sources = {
        "audit_checkpoints.jsonl": Path(settings.AUDIT_CHECKPOINT_FILE),
        "audit_key.pem": key,
        "audit_key.pem.pub": key.with_name(key.name + ".pub"),
    }
    for member, source in sources.items():
        if source.is_file():
            members[member] = work / member
            shutil.copyfile(source, members[member])
    audit.append(None, "backup", "database", name, detail={"file": name})
    if connection.vendor == "sqlite":
        members[snapshot.SQLITE_MEMBER] = work / snapshot.SQLITE_MEMBER
        snapshot.sqlite_snapshot(members[snapshot.SQLITE_MEMBER])
        facts = snapshot.sqlite_facts(members[snapshot.SQLITE_MEMBER])
    else:
        members[snapshot.JSONL_MEMBER] = work / snapshot.JSONL_MEMBER
        facts = snapshot.jsonl_dump(members[snapshot.JSONL_MEMBER])
    manifest = {
        "format": archive.FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "database": connection.vendor,
        "kb_version": services.knowledge_base().version,
        "crampcare_version": __version__,
        **facts,
    }
    archive.write_zip(work / "backup.zip", members, manifest)
    return manifest


def _write(plain: Path, partial: Path, passphrase: str | None) -> None:
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        if passphrase:
            crypto.encrypt(plain, out, passphrase)
        else:
            with plain.open("rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
        out.flush()
        time.sleep(float(os.environ.get(SLOW_ENV) or 0))
        os.fsync(out.fileno())


def _work_parent() -> Path:
    """Where the plain snapshot is made: beside the database (no new copy of it elsewhere)."""
    from django.conf import settings

    data = Path(settings.DATA_DIR)
    return data if data.is_dir() else Path(tempfile.gettempdir())


def _estimate() -> int:
    """About the bytes a backup needs: the database's size (compression only helps)."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        files = [name, name.with_name(name.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.is_file())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def _no_space(place: Path, need: int) -> str:
    return f"not enough space in {place}: need ~{max(1, round(need / 1e6))} MB"


def _remove_stale(folder: Path) -> None:
    """Partial files and work folders of backups that were killed (their process is gone)."""
    partials = [(p, p.name.rsplit("-", 1)[-1]) for p in folder.glob(".*.partial-*")]
    works = [(p, p.name.split("-")[2]) for p in _work_parent().glob(".backup-work-*-*")]
    for leftover, pid in partials + works:
        if pid.isdigit() and _alive(int(pid)):
            continue
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
