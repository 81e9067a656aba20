"""The vocabularies of the intake contract."""

from __future__ import annotations

from crampcare.kb.schema.base import Certainty, Entry, Term, Verification
from crampcare.kb.schema.labs import Lab
from crampcare.kb.schema.points import PointUse


class Region(Term):
    points: tuple[PointUse, ...] = ()


class Device(Term):
    electronic: bool


class Trigger(Term):
    lifestyle: bool = False  # reported as a lifestyle contributing factor
    factor_summary: str | None = None
    certainty: Certainty | None = None
    verification: Verification | None = None
    sources: tuple[str, ...] = ()


class Vocabularies(Entry):
    complaint_kinds: tuple[Term, ...]
    regions: tuple[Region, ...]
    sides: tuple[Term, ...]
    findings: tuple[Term, ...]
    triggers: tuple[Trigger, ...]
    tcm_signs: tuple[Term, ...]
    tongue: tuple[Term, ...]
    pulse: tuple[Term, ...]
    devices: tuple[Device, ...]
    labs: tuple[Lab, ...]
    positions: tuple[Term, ...]
    sexes: tuple[Term, ...]
