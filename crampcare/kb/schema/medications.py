"""Medications: ingredients and the classes they belong to."""

from __future__ import annotations

from typing import Literal

from crampcare.kb.schema.base import Certainty, Cited, Code


class Medication(Cited):
    id: str
    name: str
    kind: Literal["class", "ingredient"]
    member_of: tuple[str, ...] = ()  # class ids (a class may itself belong to a wider class)
    codes: tuple[Code, ...] = ()  # ATC, RxNorm ingredient and product codes
    brands: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()  # other names and common misspellings
    # names of other drugs, not in the kb, that look like this one (a look-alike list): they are
    # never read as this medication, and a word close to one of them is not guessed at
    lookalikes: tuple[str, ...] = ()
    effects: tuple[Literal["cramp", "bleeding_risk", "statin"], ...] = ()
    cramp_association: str | None = None  # what is known, in our words
    certainty: Certainty | None = None
