"""The base of every knowledge-base entry: grades, codes, sources.

Every model forbids unknown keys, so a misspelt field in a data file is an error, not a silent
default. The loader (``loader.py``) validates each entry against these models and then checks the
references between files.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

POINT_CODE = re.compile(r"^(LU|LI|ST|SP|HT|SI|BL|KI|PC|TE|GB|LR|GV|CV)([1-9][0-9]?)$|^ASHI$")
ID = re.compile(r"^[a-z][a-z0-9_]*$")

CODE_FORMATS: dict[str, re.Pattern[str]] = {
    "http://hl7.org/fhir/sid/icd-10-cm": re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?-?$"),
    "http://id.who.int/icd/release/11/mms": re.compile(r"^[0-9A-Z]{4}(\.[0-9A-Z]{1,3})?$"),
    "http://snomed.info/sct": re.compile(r"^[1-9][0-9]{5,17}$"),
    "http://www.nlm.nih.gov/research/umls/rxnorm": re.compile(r"^[1-9][0-9]{0,8}$"),
    "http://www.whocc.no/atc": re.compile(r"^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$"),
    "http://loinc.org": re.compile(r"^[0-9]{1,7}-[0-9]$"),
}
SYSTEM_NAMES = {
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://id.who.int/icd/release/11/mms": "ICD-11",
    "http://snomed.info/sct": "SNOMED CT",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://www.whocc.no/atc": "ATC",
    "http://loinc.org": "LOINC",
}


class Verification(StrEnum):
    """How well a fact is checked (the V / S / UNVERIFIED marks of the reference files)."""

    primary = "primary"  # read in a primary or official source
    secondary = "secondary"  # secondary sources only
    traditional = "traditional"  # traditional teaching, not tested
    expert_opinion = "expert_opinion"  # a judgement of crampcare's authors or of experts
    unverified = "unverified"  # not checked against any good source: shown as such


class Certainty(StrEnum):
    """GRADE-style certainty of a recommendation, plus the non-GRADE kinds."""

    high = "high"
    moderate = "moderate"
    low = "low"
    very_low = "very_low"
    traditional = "traditional"
    expert_opinion = "expert_opinion"


class Urgency(StrEnum):
    none = "none"
    routine = "routine"
    soon = "soon"
    urgent = "urgent"
    emergency = "emergency"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)


Position = Literal["prone", "supine", "side_lying", "seated"]
PointRole = Literal["local", "distal", "pattern"]


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Cited(Entry):
    """Anything that states a fact: it names its sources and how well it is verified."""

    sources: tuple[str, ...] = Field(min_length=1)
    verification: Verification


# --- bibliography --------------------------------------------------------------------------


class Source(Entry):
    id: str
    authors: str
    title: str
    year: int | None = Field(default=None, ge=1000, le=2100)
    kind: Literal[
        "guideline",
        "systematic_review",
        "review",
        "trial",
        "cohort",
        "standard",
        "code_system",
        "textbook",
        "reference_website",
        "seed_article",
        "data_set",
        "project_decision",
    ]
    url: str | None = None
    doi: str | None = None
    isbn: str | None = None
    pmid: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if self.kind != "seed_article" and not (self.url or self.doi or self.isbn or self.pmid):
            raise ValueError(
                "a source needs a url, doi, isbn or pmid (only seed articles may have none)"
            )
        return self


# --- codes ---------------------------------------------------------------------------------


class Code(Entry):
    system: str
    code: str
    display: str | None = None
    verification: Verification

    @model_validator(mode="after")
    def _well_formed(self) -> Code:
        pattern = CODE_FORMATS.get(self.system)
        if pattern is None:
            raise ValueError(f"unknown code system {self.system!r}; valid: {sorted(CODE_FORMATS)}")
        if not pattern.match(self.code):
            name = SYSTEM_NAMES[self.system]
            raise ValueError(f"malformed {name} code {self.code!r}")
        return self


class Term(Entry):
    id: str
    name: str
    note: str | None = None
