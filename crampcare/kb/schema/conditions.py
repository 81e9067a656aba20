"""Conditions (presentations and history) and TCM patterns."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from crampcare.kb.schema.base import Certainty, Cited, Code, Entry
from crampcare.kb.schema.points import PointUse
from crampcare.kb.schema.rules import Rule


class Condition(Cited):
    """A presentation crampcare treats (kind: presentation) or a medical condition in the
    history that feeds cramps or changes care (kind: history)."""

    id: str
    name: str
    kind: Literal["presentation", "history"]
    summary: str
    codes: tuple[Code, ...] = ()
    match_text: tuple[str, ...] = ()  # lower-case words or phrases seen in records
    regions: tuple[str, ...] = ()
    applies_when: Rule | None = None  # presentations: when the complaint is this condition
    points: tuple[PointUse, ...] = ()
    contributes: bool = False  # history: feeds cramps
    certainty: Certainty | None = None  # strength of the link to cramps (history)
    pregnancy: bool = False  # a coded pregnancy counts as pregnant


class PatternEvidence(Entry):
    kind: Literal["trigger", "tcm_sign", "tongue", "pulse", "finding"]
    id: str
    weight: int = Field(ge=1, le=3)


class Pattern(Cited):
    id: str
    name: str
    summary: str
    codes: tuple[Code, ...] = ()
    evidence: tuple[PatternEvidence, ...] = Field(min_length=2)
    threshold: int = Field(ge=1)
    points: tuple[PointUse, ...] = Field(min_length=1)
