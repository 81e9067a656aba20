"""Laboratory results of an intake in the knowledge base's canonical units, with the range that
judges them (the reporting laboratory's own when given, else the knowledge base's default), their
date and whether they count as current.

A dated result older than its test's ``stale_after_days`` is stale: shown, never counted. Of the
results within the window, the most recent dated one counts (else the last undated one); the
others are ``earlier`` but still within the window, so a dangerous one is never hidden.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from crampcare.core.intake import Intake, LabResult
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Lab

Status = Literal["current", "earlier", "stale"]


@dataclass(frozen=True)
class LabValue:
    test: str
    value: float  # canonical unit
    unit: str  # canonical unit
    as_given: str  # "3.1 mmol/L"
    lab: Lab
    low: float | None  # reference range in the canonical unit: the lab's own, else the kb's
    high: float | None
    range_from_report: bool
    raw: LabResult
    position: int  # index in the intake's history.labs
    date: dt.date | None
    status: Status = "current"

    @property
    def when(self) -> str:
        return self.date.isoformat() if self.date is not None else "undated"

    @property
    def described(self) -> str:
        """'potassium 6.8 mmol/L (2026-11-20)': the value with its date, for reasons."""
        return f"{self.test} {self.as_given} ({self.when})"


@dataclass(frozen=True)
class TestResults:
    """Every result of one test: ``counted`` is the one that counts as current (None when all
    are stale); ``window`` the results within the staleness window, counted first."""

    lab: Lab
    counted: LabValue | None
    window: tuple[LabValue, ...]
    given: tuple[LabValue, ...]  # in the order given, with their status


def _lab_value(lab: Lab, value: float, raw: LabResult, position: int) -> LabValue:
    factor = lab.conversions[raw.unit]
    low = raw.reference_low * factor if raw.reference_low is not None else lab.low
    high = raw.reference_high * factor if raw.reference_high is not None else lab.high
    return LabValue(
        test=lab.id,
        value=value,
        unit=lab.unit,
        as_given=f"{raw.value:g} {raw.unit}",
        lab=lab,
        low=low,
        high=high,
        range_from_report=raw.reference_low is not None or raw.reference_high is not None,
        raw=raw,
        position=position,
        date=raw.date,
    )


def _is_stale(value: LabValue, today: dt.date) -> bool:
    return value.date is not None and (today - value.date).days > value.lab.stale_after_days


def _recency(value: LabValue) -> tuple[int, int, int]:
    """Most recent first: dated results by date, then undated by the order given (later first)."""
    if value.date is None:
        return (0, 0, value.position)
    return (1, value.date.toordinal(), value.position)


def _group(lab: Lab, values: list[LabValue], today: dt.date) -> TestResults:
    window = sorted((v for v in values if not _is_stale(v, today)), key=_recency, reverse=True)
    counted = window[0] if window else None
    with_status = tuple(_with_status(v, _status(v, counted, today)) for v in values)
    by_position = {v.position: v for v in with_status}
    return TestResults(
        lab=lab,
        counted=by_position[counted.position] if counted is not None else None,
        window=tuple(by_position[v.position] for v in window),
        given=with_status,
    )


def _status(value: LabValue, counted: LabValue | None, today: dt.date) -> Status:
    if _is_stale(value, today):
        return "stale"
    return "current" if value is counted else "earlier"


def _with_status(value: LabValue, status: Status) -> LabValue:
    return dataclasses.replace(value, status=status)


def lab_results(intake: Intake, kb: KnowledgeBase) -> Mapping[str, TestResults]:
    """Every test's results, grouped, dated and with their status."""
    labs_by_id = {lab.id: lab for lab in kb.vocab.labs}
    grouped: dict[str, list[LabValue]] = {}
    for position, (test, value, raw) in enumerate(intake.labs):
        grouped.setdefault(test, []).append(_lab_value(labs_by_id[test], value, raw, position))
    today = intake.today
    return {test: _group(labs_by_id[test], values, today) for test, values in grouped.items()}


def current_labs(results: Mapping[str, TestResults]) -> Mapping[str, LabValue]:
    """The result that counts for each test; tests whose results are all stale are left out."""
    return {test: r.counted for test, r in results.items() if r.counted is not None}
