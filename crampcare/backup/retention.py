"""Which backups a folder keeps: the newest of each of the last N days that have one, and the
newest of each of the last M weeks (ISO weeks). Only files that open and check whole as
backups are counted or removed; anything else in the folder is left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crampcare.backup import archive


@dataclass
class Pruned:
    kept: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # not verified: left alone


def chosen(dated: list[tuple[datetime, Path]], daily: int, weekly: int) -> set[Path]:
    """The paths to keep among (created, path)."""
    keep: set[Path] = set()
    days: set[object] = set()
    weeks: set[object] = set()
    for created, path in sorted(dated, reverse=True):
        day, week = created.date(), created.isocalendar()[:2]
        if day not in days and len(days) < daily:
            days.add(day)
            keep.add(path)
        if week not in weeks and len(weeks) < weekly:
            weeks.add(week)
            keep.add(path)
    return keep


def prune(folder: Path, daily: int, weekly: int, passphrase: str | None) -> Pruned:
    result = Pruned()
    dated: list[tuple[datetime, Path]] = []
    for path in sorted(folder.glob(f"*{archive.SUFFIX}")):
        try:
            with archive.opened(path, passphrase) as backup:
                dated.append((datetime.fromisoformat(backup.manifest["created_at"]), path))
        except (archive.BadBackup, KeyError, TypeError, ValueError) as exc:
            result.skipped.append((path, str(exc)))
    keep = chosen(dated, daily, weekly)
    for _, path in sorted(dated):
        if path in keep:
            result.kept.append(path)
        else:
            path.unlink(missing_ok=True)
            result.removed.append(path)
    return result
