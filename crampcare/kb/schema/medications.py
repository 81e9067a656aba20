"""Medications: ingredients and the classes they belong to."""

from __future__ import annotations

from typing import Literal

from crampcare.kb.schema.base import Certainty, Cited, Code


class Medication(Cited):
    id: str
    name: str
    kind: Literal["class", "ingredient"]
    member_of: tuple[str, ...] = ()  # class ids
    codes: tuple[Code, ...] = ()  # ATC, RxNorm ingredient and product codes
    brands: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()  # other names and common misspellings
    effects: tuple[Literal["cramp", "bleeding_risk", "statin"], ...] = ()
    cramp_association: str | None = None  # what is known, in our words
    certainty: Certainty | None = None
