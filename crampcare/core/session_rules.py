"""The rules of ``crampcare.session/1`` that go beyond one field's type and range.

Each rule returns ``(field, message)`` problems relative to the part it checks; ``raise_if`` hands
them to pydantic as one error (``RuleProblems``) that ``session._errors`` expands into full field
paths, so that every problem of a document is reported at once, structural ones and these alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from crampcare.core.session import SessionPoint
    from crampcare.kb.loader import KnowledgeBase

Problems = list[tuple[str, str]]

ASHI: Final = "ASHI"
CLOCK: Final = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class RuleProblems(ValueError):
    """Several problems of one part of the document, each with its field relative to the part."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in problems))


def raise_if(problems: Problems) -> None:
    if problems:
        raise RuleProblems(problems)


def clock(value: Any) -> Any:
    """A local clock time "HH:MM"; YAML reads an unquoted 10:05 as the number 605."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        hint = f"{value // 60}:{value % 60:02d}"
        raise ValueError(
            f'put the time in quotes, "{hint}" (YAML reads {hint} unquoted as {value})'
        )
    if not isinstance(value, str) or not CLOCK.fullmatch(value.strip()):
        raise ValueError('must be a time "HH:MM" from 00:00 to 23:59')
    return value.strip()


def minutes(value: str) -> int:
    """Minutes after midnight of a valid "HH:MM"."""
    hours, mins = value.split(":")
    return int(hours) * 60 + int(mins)


def iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date YYYY-MM-DD, without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("must be a date YYYY-MM-DD")


def normalise_code(value: Any) -> Any:
    """Point codes in any case, with or without a hyphen or spaces: "gb-34" is GB34."""
    if isinstance(value, str):
        return re.sub(r"[\s\-]", "", value).upper()
    return value


def code_problem(code: str, kb: KnowledgeBase) -> str | None:
    """Why a point code cannot be recorded, or None: ASHI, a kb point or a catalogued point."""
    if not code:
        return "required: a WHO standard code (LI4, GB34), an extra point (EXHN3) or ASHI"
    if code == ASHI or code in kb.points or code in kb.catalogue:
        return None
    return (
        f"unknown point code {code!r}; give a WHO standard code (LI4, GB34), "
        "a catalogued extra point (EXHN3) or ASHI"
    )


def point_problems(point: SessionPoint) -> Problems:
    problems: Problems = []
    if point.code == ASHI and point.region is None:
        problems.append(
            ("region", "required for an ASHI point: the body region where it was found")
        )
    elif point.code != ASHI and point.region is not None:
        problems.append(("region", f"only for ASHI points; {point.code} has a fixed location"))
    if point.stimulation == "electrical" and point.electrical is None:
        problems.append(
            (
                "electrical",
                "required with electrical stimulation: frequency_hz, intensity_ma, minutes, "
                "waveform",
            )
        )
    elif point.stimulation == "manual" and point.electrical is not None:
        problems.append(("electrical", "only with stimulation: electrical (this point is manual)"))
    return problems


def retention_problems(start: str | None, end: str | None) -> Problems:
    if end is not None and start is None:
        return [("start", "required when end is given")]
    if start is not None and end is not None and minutes(end) <= minutes(start):
        return [("end", f"must be after start ({start})")]
    return []


def contact_problems(intervals: list[tuple[str, str]]) -> Problems:
    """Contact intervals are listed in time order and do not overlap (one may end as the next
    starts)."""
    problems: Problems = []
    for i in range(1, len(intervals)):
        (prev_start, prev_end), (start, _) = intervals[i - 1], intervals[i]
        if minutes(start) < minutes(prev_start):
            problems.append(
                (f"[{i}].start", f"before contact[{i - 1}] ({prev_start}): list in time order")
            )
        elif minutes(start) < minutes(prev_end):
            problems.append(
                (
                    f"[{i}].start",
                    f"overlaps contact[{i - 1}] ({prev_start}-{prev_end}): intervals must not "
                    "overlap",
                )
            )
    return problems
