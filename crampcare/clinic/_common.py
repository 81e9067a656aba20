"""Small helpers shared by the record use cases."""

from __future__ import annotations

from typing import Any

from crampcare.records.models import Tracked


def stamp(record: Tracked) -> dict[str, Any]:
    return {
        "created_at": record.created_at,
        "created_by": _name(record.created_by),
        "updated_at": record.updated_at,
        "updated_by": _name(record.updated_by),
    }


def _name(user: Any) -> str | None:
    return None if user is None else str(user.get_username())
