"""Laboratory tests: codes, units, default ranges, staleness and severity tiers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from crampcare.kb.schema.base import Cited, Entry, Term, Urgency, Verification


class LabCode(Entry):
    loinc: str
    display: str
    unit: str  # the unit this code is reported in
    verification: Verification


class LabTier(Cited):
    """One severity tier of a laboratory test. It holds when the value lies beyond its threshold
    in its direction; exactly one kind of threshold is given:

    - ``threshold``: an absolute value in the lab's canonical unit;
    - ``times_upper_limit``: a multiple of the upper reference limit in use (direction high);
    - ``outside_range: true``: below the low limit (direction low) or above the high limit.

    Strictly beyond the threshold by default; ``inclusive: true`` makes the threshold itself count
    (for sources that say "6.5 or more")."""

    id: str
    name: str
    direction: Literal["low", "high"]
    threshold: float | None = None
    times_upper_limit: float | None = Field(default=None, gt=0)
    outside_range: bool = False
    inclusive: bool = False
    urgency: Urgency
    stops_needling: bool
    stops_electroacupuncture: bool
    summary: str
    action: str = Field(min_length=10)

    @model_validator(mode="after")
    def _consistent(self) -> LabTier:
        kinds = [
            k
            for k, on in (
                ("threshold", self.threshold is not None),
                ("times_upper_limit", self.times_upper_limit is not None),
                ("outside_range", self.outside_range),
            )
            if on
        ]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one of threshold, times_upper_limit, outside_range; "
                f"found {kinds or 'none'}"
            )
        if self.times_upper_limit is not None and self.direction != "high":
            raise ValueError("times_upper_limit needs direction high")
        if self.urgency is Urgency.none:
            raise ValueError("a tier needs an urgency other than none")
        if self.urgency.rank >= Urgency.urgent.rank and not self.stops_needling:
            raise ValueError("an urgent or emergency tier must stop needling")
        if self.stops_needling and not self.stops_electroacupuncture:
            raise ValueError("a tier that stops needling also stops electroacupuncture")
        return self


class Lab(Term):
    unit: str  # canonical unit
    codes: tuple[LabCode, ...] = Field(min_length=1)
    # factor to multiply a value in unit X by, to get the canonical unit
    conversions: dict[str, float]
    low: float | None = None
    high: float | None = None
    range_verification: Verification
    sources: tuple[str, ...] = Field(min_length=1)
    # a dated result older than this many days is stale: shown, but not counted as current
    stale_after_days: int = Field(ge=1, le=3650)
    stale_sources: tuple[str, ...] = Field(min_length=1)
    tiers: tuple[LabTier, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _tiers_unique(self) -> Lab:
        ids = [t.id for t in self.tiers]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate tier ids in {self.id}: {ids}")
        return self
