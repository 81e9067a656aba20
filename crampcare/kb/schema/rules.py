"""Rules: a tiny boolean language over the intake."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from crampcare.kb.schema.base import Entry


class Rule(Entry):
    """A condition over an intake. Exactly one key is set.

    all / any / not combine rules; the others test one fact of the intake. The loader checks
    that every id a rule names exists in the vocabularies or the medication list.
    """

    all: tuple[Rule, ...] | None = None
    any: tuple[Rule, ...] | None = None
    not_: Rule | None = Field(default=None, alias="not")
    finding: str | None = None
    trigger: str | None = None
    tcm_sign: str | None = None
    device: str | None = None
    device_electronic: bool | None = None
    region: str | None = None
    complaint_kind: str | None = None
    nocturnal: bool | None = None
    pregnant: bool | None = None
    bleeding_disorder: bool | None = None
    first_acupuncture: bool | None = None
    needle_phobia: bool | None = None
    medication_effect: Literal["cramp", "bleeding_risk", "statin"] | None = None
    medication: str | None = None  # a medication entry id (ingredient or class)
    condition: str | None = None  # a condition group id (see conditions.yaml, kind: history)
    lab_below: LabBound | None = None
    lab_above: LabBound | None = None
    lab_outside_range: str | None = None
    lab_below_range: str | None = None  # below the lab's own range, else the kb's default
    lab_above_range: str | None = None
    at_least: FieldBound | None = None
    age_at_least: int | None = Field(default=None, ge=0, le=130)
    age_below: int | None = Field(default=None, ge=1, le=130)
    # pregnant and in this trimester; with the weeks unrecorded, every trimester holds
    pregnancy_trimester: Literal[1, 2, 3] | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one(self) -> Rule:
        set_keys = [k for k, v in self if v is not None]
        if len(set_keys) != 1:
            raise ValueError(f"a rule has exactly one key, found {set_keys or 'none'}")
        return self


class LabBound(Entry):
    test: str
    value: float
    unit: str
    # value is a multiple of the upper reference limit (e.g. CK 10 x ULN)
    relative_to_upper_limit: bool = False


class FieldBound(Entry):
    field: Literal[
        "episodes_per_week", "worst_severity", "typical_duration_minutes", "weeks_since_onset"
    ]
    value: float


Rule.model_rebuild()
