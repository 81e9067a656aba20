"""The errors of the record use cases. Each shell (API, pages, CLI) turns them into its own
message once; ``status`` is the HTTP status the API uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class ClinicError(Exception):
    status = 400

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.errors: list[tuple[str, str]] = [(field, message)]


class Invalid(ClinicError):
    """Bad input. ``errors`` lists (field path, message) pairs, one per problem."""

    status = 422

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        items = list(errors)
        lines = "; ".join(f"{f}: {m}" if f else m for f, m in items)
        Exception.__init__(self, lines)
        self.errors = items


class Unreadable(ClinicError):
    """The request body is not a JSON document (a syntax error, or NaN and the like)."""

    status = 400


class Unauthenticated(ClinicError):
    status = 401


class Forbidden(ClinicError):
    status = 403


class NotFound(ClinicError):
    """No such record, or none this user may know of (another clinic's records are 'not found',
    so that their existence does not leak)."""

    status = 404


class Conflict(ClinicError):
    """The request is well formed but the records' state does not allow it."""

    status = 409


class Throttled(ClinicError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def from_pydantic(errors: Iterable[Mapping[str, Any]], prefix: str = "") -> Invalid:
    """A pydantic ``ValidationError.errors()`` list as ``Invalid`` with dotted field paths."""
    items = []
    for err in errors:
        path = prefix
        for part in err.get("loc", ()):
            if isinstance(part, int):
                path += f"[{part}]"
            elif str(part):
                path += f".{part}" if path else str(part)
        message = str(err.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        items.append((path, message))
    return Invalid(items)
