"""What the session page and the treatment rooms draw for ``static/crampcare/session.js``: the
retention timer element (the start the server stored, the window, the server's clock now) and
the needle counts in words. The script computes every timer from these at each tick.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone


def minute_seconds() -> int:
    """How long one minute of the retention window lasts on the timer: 60, except in tests
    (``CRAMPCARE_TIMER_MINUTE_SECONDS``); the page says so whenever it is not 60."""
    return int(getattr(settings, "TIMER_MINUTE_SECONDS", 60))


def _moment(value: Any) -> dt.datetime | None:
    """A stored timestamp (a datetime, or its ISO text as the API gives it), or None."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _clock(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S") if moment else ""


def timer(s: dict[str, Any], label: str) -> dict[str, Any]:
    """What the timer element carries: the stored start (server clock), the window in seconds,
    and the server's clock now, so that the page can correct a tablet whose clock is off."""
    retention = s.get("retention") or {}
    window = retention.get("window") or {}
    scale = minute_seconds()
    started, ended = _moment(retention.get("started_at")), _moment(retention.get("ended_at"))
    low, high = int(window.get("min") or 0) * scale, int(window.get("max") or 0) * scale
    return {
        "session_id": s["id"],
        "label": label,
        "started_at": started.isoformat() if started else "",
        "ended_at": ended.isoformat() if ended else "",
        "min_minutes": window.get("min"),
        "max_minutes": window.get("max"),
        "min_seconds": low,
        "max_seconds": high,
        "minute_seconds": scale,
        "test_clock": scale != 60,
        "server_now": timezone.now(),
        "started_local": _clock(started),
        "ended_local": _clock(ended),
        "min_local": _clock(started + dt.timedelta(seconds=low)) if started else "",
        "max_local": _clock(started + dt.timedelta(seconds=high)) if started else "",
    }


def balance(inserted: int, removed: int) -> dict[str, Any]:
    """The needle counts in words (session.js says the same as it counts)."""
    if inserted == removed:
        return {"mismatch": False, "text": f"In and out match: {inserted} in, {removed} out."}
    if inserted > removed:
        left = inserted - removed
        return {"mismatch": True, "text": f"{left} needle{'s' if left != 1 else ''} still in."}
    return {"mismatch": True, "text": f"{removed - inserted} more out than in: check the count."}
