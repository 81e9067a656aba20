"""Laboratory tests: codes, units, default ranges."""

from __future__ import annotations

from pydantic import Field

from crampcare.kb.schema.base import Entry, Term, Verification


class LabCode(Entry):
    loinc: str
    display: str
    unit: str  # the unit this code is reported in
    verification: Verification


class Lab(Term):
    unit: str  # canonical unit
    codes: tuple[LabCode, ...] = Field(min_length=1)
    # factor to multiply a value in unit X by, to get the canonical unit
    conversions: dict[str, float]
    low: float | None = None
    high: float | None = None
    range_verification: Verification
    sources: tuple[str, ...] = Field(min_length=1)
