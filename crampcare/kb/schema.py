"""Typed, immutable entries of the knowledge base.

Every model forbids unknown keys, so a misspelt field in a data file is an error, not a silent
default. The loader (``loader.py``) validates each entry against these models and then checks the
references between files.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    model_config = ConfigDict(frozen=True, extra="forbid")


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


# --- rules: a tiny boolean language over the intake ----------------------------------------


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


# --- points --------------------------------------------------------------------------------


class DepthRange(Entry):
    min_cun: float = Field(ge=0, le=5)
    max_cun: float = Field(ge=0, le=5)
    angle: Literal["perpendicular", "oblique", "transverse", "varies"]
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DepthRange:
        if self.min_cun > self.max_cun:
            raise ValueError("min_cun is greater than max_cun")
        return self


class PointCaution(Cited):
    kind: Literal[
        "pregnancy",
        "pneumothorax",
        "deep_vessel",
        "deep_nerve",
        "kidney",
        "medulla",
        "fainting",
        "bleeding_technique",
        "strong_sensation",
    ]
    summary: str


class Indication(Cited):
    text: str


class ChartMark(Entry):
    """Where the point is drawn on the body chart (0-100 % of the figure; left = patient's left)."""

    view: Literal["front", "back", "side"]
    x: float = Field(ge=0, le=100)
    y: float = Field(ge=0, le=100)


class Point(Cited):
    code: str
    pinyin: str
    chinese_traditional: str
    chinese_simplified: str
    english: str
    meridian: str
    laterality: Literal["bilateral", "midline"] = "bilateral"
    body_region: str  # WHO regional description, e.g. "fibular aspect of the leg"
    location: str  # crampcare's own paraphrase
    location_note: str | None = None  # where sources disagree
    depths: tuple[DepthRange, ...] = Field(min_length=1)
    depth_note: str | None = None
    positions: tuple[Position, ...] = Field(min_length=1)
    positions_verification: Verification
    cautions: tuple[PointCaution, ...] = ()
    indications: tuple[Indication, ...] = Field(min_length=1)
    chart: tuple[ChartMark, ...] = ()

    @field_validator("code")
    @classmethod
    def _who_code(cls, v: str) -> str:
        if not POINT_CODE.match(v):
            raise ValueError(f"malformed WHO point code {v!r} (e.g. GB34, LI4, ASHI)")
        return v


# --- conditions, patterns ------------------------------------------------------------------


class PointUse(Entry):
    code: str
    role: PointRole
    certainty: Certainty
    sources: tuple[str, ...] = Field(min_length=1)
    note: str | None = None


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


# --- medications ---------------------------------------------------------------------------


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


# --- red flags, cautions, advice -----------------------------------------------------------


class RedFlag(Cited):
    id: str
    name: str
    urgency: Urgency
    when: Rule
    summary: str
    action: str = Field(min_length=10)

    @field_validator("urgency")
    @classmethod
    def _not_none(cls, v: Urgency) -> Urgency:
        if v is Urgency.none:
            raise ValueError("a red flag needs an urgency other than none")
        return v


class CautionEffects(Entry):
    avoid_point_cautions: tuple[str, ...] = ()  # point caution kinds whose points are avoided
    no_electroacupuncture: bool = False
    lying_only: bool = False
    no_bleeding_technique: bool = False
    superficial_near_vessels: bool = False
    no_needling_at_site: bool = False
    needling_not_allowed: bool = False


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


# --- vocabularies --------------------------------------------------------------------------


class Term(Entry):
    id: str
    name: str
    note: str | None = None


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


Rule.model_rebuild()
