"""The scheduled backup while ``crampcare serve`` runs: off unless CRAMPCARE_BACKUP_SCHEDULE is
``daily HH:MM`` (the clinic's time zone) or a number of minutes; each run writes a backup to
CRAMPCARE_BACKUP_DIR (sealed with CRAMPCARE_BACKUP_PASSPHRASE or the file named by
CRAMPCARE_BACKUP_PASSPHRASE_FILE, when set) and prunes the folder to the KEEP settings."""

from __future__ import annotations

import logging
import os
import re
import threading
from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger("crampcare.backup")
SETTING = "CRAMPCARE_BACKUP_SCHEDULE"


def parse(text: str) -> time | int | None:
    """None (off), a daily time, or minutes between backups; ImproperlyConfigured if neither."""
    text = text.strip().lower()
    if not text or text in {"off", "0"}:
        return None
    if text.isdigit() and 1 <= int(text) <= 7 * 24 * 60:
        return int(text)
    found = re.fullmatch(r"daily\s+(\d{1,2}):(\d{2})", text)
    if found and int(found[1]) < 24 and int(found[2]) < 60:
        return time(int(found[1]), int(found[2]))
    raise ImproperlyConfigured(
        f"{SETTING}={text!r}: use 'daily HH:MM' (e.g. 'daily 02:00'), a number of minutes "
        "(1 to 10080), or leave it empty for no scheduled backup"
    )


def next_run(now: datetime, when: time | int) -> datetime:
    if isinstance(when, int):
        return now + timedelta(minutes=when)
    at = now.replace(hour=when.hour, minute=when.minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def passphrase() -> str | None:
    """CRAMPCARE_BACKUP_PASSPHRASE, else the first line of CRAMPCARE_BACKUP_PASSPHRASE_FILE."""
    given = os.environ.get("CRAMPCARE_BACKUP_PASSPHRASE")
    if given:
        return given
    name = os.environ.get("CRAMPCARE_BACKUP_PASSPHRASE_FILE")
    if not name:
        return None
    try:
        lines = Path(name).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"CRAMPCARE_BACKUP_PASSPHRASE_FILE={name!r}: cannot read ({exc.strerror})"
        ) from None
    if not lines or not lines[0]:
        raise ImproperlyConfigured(f"CRAMPCARE_BACKUP_PASSPHRASE_FILE={name!r} is empty")
    return lines[0]


def run_once(secret: str | None) -> None:
    from django.conf import settings

    from crampcare.backup import make, retention

    made = make.take(None, secret)
    pruned = retention.prune(
        made.path.parent, settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY, secret
    )
    log.info("backup: wrote %s, removed %d older", made.path, len(pruned.removed))


def start() -> threading.Event | None:
    """Start the schedule in a thread of this (serve's main) process; the event stops it."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    when = parse(settings.BACKUP_SCHEDULE)
    if when is None:
        return None
    secret = passphrase()
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(
            (next_run(timezone.localtime(), when) - timezone.localtime()).total_seconds()
        ):
            try:
                run_once(secret)
            except Exception:  # noqa: BLE001 - a failed backup is logged; the next one runs
                log.exception("backup: the scheduled backup failed")
            finally:
                connection.close()

    threading.Thread(target=loop, name="backups", daemon=True).start()
    return stop
