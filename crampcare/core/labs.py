"""Laboratory results of an intake in the knowledge base's canonical units, with the range that
judges them: the reporting laboratory's own when given, else the knowledge base's default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crampcare.core.intake import Intake, LabResult
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Lab


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


def _lab_value(lab: Lab, value: float, raw: LabResult) -> LabValue:
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
    )


def current_labs(intake: Intake, kb: KnowledgeBase) -> Mapping[str, LabValue]:
    """One result per test (the last given)."""
    labs_by_id = {lab.id: lab for lab in kb.vocab.labs}
    return {test: _lab_value(labs_by_id[test], value, raw) for test, value, raw in intake.labs}
