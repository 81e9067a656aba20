"""Retention keeps the newest backup of each of the last N days and M weeks, and removes only
files that check whole as backups; the schedule setting's forms and the next run it gives."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crampcare.backup import archive, retention, schedule

MON = datetime(2026, 11, 30, 2, 0)  # a Monday


def fake_backup(folder: Path, created: datetime) -> Path:
    """A small but whole backup file (manifest and hashed member), dated ``created``."""
    member = folder / "note.txt"
    member.write_text("x")
    path = folder / f"crampcare-{created:%Y%m%d-%H%M%S}{archive.SUFFIX}"
    manifest = {"format": archive.FORMAT, "created_at": created.isoformat(), "tables": {}}
    archive.write_zip(path, {"note.txt": member}, manifest)
    member.unlink()
    return path


@pytest.mark.parametrize(
    "daily, weekly, kept_days_ago",
    [
        pytest.param(3, 0, [0, 1, 2], id="3 daily: the last three days"),
        # Monday's backup is this week's newest; Sunday's (a day ago) last week's, and so on
        pytest.param(2, 2, [0, 1], id="2 daily + 2 weekly: Monday and Sunday cover both"),
        pytest.param(1, 4, [0, 1, 8, 15], id="1 daily + 4 weekly: the Sundays before"),
        pytest.param(7, 0, [0, 1, 2, 3, 4, 5, 6], id="7 daily"),
    ],
)
def test_retention_keeps_n_daily_and_m_weekly(
    daily: int, weekly: int, kept_days_ago: list[int], tmp_path: Path
) -> None:
    # one backup a day for 30 days, and a second, earlier one on the newest day
    made = {days: fake_backup(tmp_path, MON - timedelta(days=days)) for days in range(30)}
    earlier_today = fake_backup(tmp_path, MON - timedelta(hours=1))
    junk = tmp_path / "not-a-backup.ccbackup"
    junk.write_bytes(b"hello")

    pruned = retention.prune(tmp_path, daily, weekly, None)

    kept = {days for days, path in made.items() if path.exists()}
    assert kept == set(kept_days_ago)
    assert not earlier_today.exists()  # the newest of its day is kept, not the earlier one
    assert junk.exists() and [p for p, _ in pruned.skipped] == [junk]
    assert len(pruned.removed) == 31 - len(kept_days_ago)


@pytest.mark.parametrize(
    "text, parsed",
    [
        pytest.param("", None, id="empty: off"),
        pytest.param("off", None, id="off"),
        pytest.param("daily 02:00", time(2, 0), id="daily at 02:00"),
        pytest.param("Daily 23:59", time(23, 59), id="letter case"),
        pytest.param("90", 90, id="every 90 minutes"),
    ],
)
def test_schedule_setting(text: str, parsed: object) -> None:
    assert schedule.parse(text) == parsed


@pytest.mark.parametrize("text", ["daily 24:00", "daily 2", "weekly 02:00", "-5", "99999999"])
def test_a_bad_schedule_names_the_setting(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="CRAMPCARE_BACKUP_SCHEDULE"):
        schedule.parse(text)


@pytest.mark.parametrize(
    "now, when, expected",
    [
        pytest.param(MON.replace(hour=1), time(2, 0), MON, id="later today"),
        pytest.param(MON, time(2, 0), MON + timedelta(days=1), id="now: tomorrow"),
        pytest.param(MON, 30, MON + timedelta(minutes=30), id="every 30 minutes"),
    ],
)
def test_next_scheduled_backup(now: datetime, when: time | int, expected: datetime) -> None:
    assert schedule.next_run(now, when) == expected
