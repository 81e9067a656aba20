"""Conditions (presentations and history) and TCM patterns.

A condition is recognised in a record by its codes, and by code hierarchy:
- ICD-10-CM and ICD-11 ``codes`` count with every code below them; a trailing ``-`` marks a
  family the kb means whole (``E11-`` takes E11.65; ``E1`` is not below ``E11``);
- ``code_ranges`` are runs of ICD-10-CM categories or ICD-11 stem codes, first and last included
  (``O10``-``O48``), compared character by character on the category;
- ``value_set`` lists SNOMED CT descendants that count, each naming the kb concept it falls under
  (``under``: one of the condition's own SNOMED CT codes), since SNOMED CT codes carry no
  hierarchy in their digits.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from crampcare.kb.schema.base import CODE_FORMATS, Certainty, Cited, Code, Entry, Verification
from crampcare.kb.schema.points import PointUse
from crampcare.kb.schema.rules import Rule

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"
SNOMED = "http://snomed.info/sct"
_CATEGORY = {ICD10CM: re.compile(r"^[A-Z][0-9][0-9A-Z]$"), ICD11: re.compile(r"^[0-9A-Z]{4}$")}


class CodeRange(Entry):
    """ICD-10-CM categories (3 characters) or ICD-11 stems (4 characters), first to last."""

    system: Literal["http://hl7.org/fhir/sid/icd-10-cm", "http://id.who.int/icd/release/11/mms"]
    first: str
    last: str
    display: str
    verification: Verification

    @model_validator(mode="after")
    def _ordered(self) -> CodeRange:
        pattern = _CATEGORY[self.system]
        for end in (self.first, self.last):
            if not pattern.match(end):
                raise ValueError(f"range end {end!r} is not a category of {self.system}")
        if self.first > self.last:
            raise ValueError(f"range {self.first}-{self.last} runs backwards")
        return self


class ValueSetMember(Entry):
    """A SNOMED CT concept that counts as the condition, below one of the condition's codes."""

    code: str
    display: str
    under: str  # the condition's own SNOMED CT code this concept falls under
    verification: Verification

    @model_validator(mode="after")
    def _well_formed(self) -> ValueSetMember:
        for code in (self.code, self.under):
            if not CODE_FORMATS[SNOMED].match(code):
                raise ValueError(f"malformed SNOMED CT code {code!r}")
        return self


class Condition(Cited):
    """A presentation crampcare treats (kind: presentation) or a medical condition in the
    history that feeds cramps or changes care (kind: history)."""

    id: str
    name: str
    kind: Literal["presentation", "history"]
    summary: str
    codes: tuple[Code, ...] = ()
    code_ranges: tuple[CodeRange, ...] = ()
    value_set: tuple[ValueSetMember, ...] = ()
    # false: the codes are written for this presentation but do not identify it in a record
    # (a generic symptom code such as R25.2 is recognised as the generic presentation only)
    recognised_by_code: bool = True
    match_text: tuple[str, ...] = ()  # lower-case words or phrases seen in records
    current_only: bool = False  # free text that dates it in the past ("previous ...") is not it
    regions: tuple[str, ...] = ()
    applies_when: Rule | None = None  # presentations: when the complaint is this condition
    points: tuple[PointUse, ...] = ()
    contributes: bool = False  # history: feeds cramps
    certainty: Certainty | None = None  # strength of the link to cramps (history)
    pregnancy: bool = False  # recognised (by code or current text) means pregnant now

    @model_validator(mode="after")
    def _value_set_under_own_codes(self) -> Condition:
        own = {c.code for c in self.codes if c.system == SNOMED}
        for member in self.value_set:
            if member.under not in own:
                raise ValueError(
                    f"value_set member {member.code} is under {member.under}, which is not "
                    "one of this condition's SNOMED CT codes"
                )
        for code in self.codes:
            if code.code.endswith("-") and code.system not in (ICD10CM, ICD11):
                raise ValueError(f"only ICD-10-CM and ICD-11 codes form families: {code.code}")
        return self


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
