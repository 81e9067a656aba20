"""Red flags, cautions, advice and the plan defaults."""

from __future__ import annotations

from pydantic import Field, field_validator

from crampcare.kb.schema.base import Certainty, Cited, Entry, Position, Urgency
from crampcare.kb.schema.points import PointCautionKind
from crampcare.kb.schema.rules import Rule


class RedFlag(Cited):
    id: str
    name: str
    urgency: Urgency
    when: Rule
    summary: str
    action: str = Field(min_length=10)
    # urgent and emergency flags always stop needling; these make a lesser flag stop it too
    stops_needling: bool = False
    stops_electroacupuncture: bool = False
    # a flag that combines a laboratory value with findings replaces the plain tier flag of
    # these tests (lab ids) and these red flags, so that one cause shows one action
    supersedes_lab_tiers: tuple[str, ...] = ()
    supersedes_flags: tuple[str, ...] = ()

    @field_validator("urgency")
    @classmethod
    def _not_none(cls, v: Urgency) -> Urgency:
        if v is Urgency.none:
            raise ValueError("a red flag needs an urgency other than none")
        return v


class CautionEffects(Entry):
    avoid_point_cautions: tuple[
        PointCautionKind, ...
    ] = ()  # point caution kinds whose points are avoided
    no_electroacupuncture: bool = False
    lying_only: bool = False
    no_bleeding_technique: bool = False
    superficial_near_vessels: bool = False
    no_needling_at_site: bool = False
    needling_not_allowed: bool = False
    positions_allowed: tuple[Position, ...] = ()  # when set, only these positions are planned
    needle_count_max: int | None = Field(default=None, ge=1)  # a lower ceiling than the plan's
    retention_max_minutes: int | None = Field(default=None, ge=1)


class Caution(Cited):
    id: str
    name: str
    when: Rule
    summary: str
    effects: CautionEffects


class Advice(Cited):
    id: str
    text: str  # patient-facing, plain words
    certainty: Certainty
    when: Rule | None = None  # None: always given
    after_needling: bool = False  # aftercare: given only when needling may go ahead
    # self-care for ordinary cramps (stretching, fluids): withheld while needling is deferred,
    # because the cramp may then have a medical cause that such care could worsen (a clot)
    self_care: bool = False


class PresentationEvidence(Cited):
    """The evidence paragraph for one presentation (leg cramps, low back pain, ...)."""

    presentation: str  # a condition id of kind presentation
    statement: str
    certainty: Certainty


class PlanDefaults(Cited):
    needle_count_min: int = Field(ge=1)
    needle_count_max: int = Field(ge=1)
    retention_min: int = Field(ge=1)
    retention_max: int = Field(ge=1)
    sessions_min: int = Field(ge=1)
    sessions_max: int = Field(ge=1)
    review_at: tuple[int, ...]
    evidence_statement: str
    evidence_sources: tuple[str, ...] = Field(min_length=1)
    presentation_evidence: tuple[PresentationEvidence, ...] = ()
