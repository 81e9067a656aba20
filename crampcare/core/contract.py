"""The assessment contract ``crampcare.assessment/1`` as typed dictionaries.

The engine builds plain dictionaries of these shapes (fast, and they serialise as they are); the
JSON Schema in ``docs/`` is generated from these definitions.
"""

from __future__ import annotations

from typing import Final, Literal

from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12 for the schema

SCHEMA_ID: Final = "crampcare.assessment/1"

UrgencyId = Literal["none", "routine", "soon", "urgent", "emergency"]
CertaintyId = Literal["high", "moderate", "low", "very_low", "traditional", "expert_opinion"]
VerificationId = Literal["primary", "secondary", "traditional", "expert_opinion", "unverified"]
SideId = Literal["left", "right", "both", "midline"]
PositionId = Literal["prone", "supine", "side_lying", "seated"]


class SourceRef(TypedDict):
    id: str
    citation: str  # "Authors (year). Title"
    url: str | None


class Referral(TypedDict):
    urgency: UrgencyId
    reasons: list[str]


class Needling(TypedDict):
    allowed: bool
    reason: str


class RedFlagOut(TypedDict):
    id: str
    name: str
    urgency: UrgencyId
    summary: str
    action: str
    because: list[str]
    stops_needling: bool
    stops_electroacupuncture: bool
    verification: VerificationId
    sources: list[SourceRef]


# the range a result was judged by, in the unit the value was given in; "from": the reporting
# laboratory's range, crampcare's default, or none known ("from" is a Python keyword, hence the
# functional form)
LabRangeOut = TypedDict(
    "LabRangeOut",
    {
        "low": float | None,
        "high": float | None,
        "from": Literal["laboratory", "default", "none"],
    },
)


class LabResultOut(TypedDict):
    test: str
    name: str
    value: str  # as given: "6.8 mmol/L"
    date: str | None  # ISO date of the sample, None when undated
    # current: the result that counts; earlier: an older one within the window; stale: too old
    status: Literal["current", "earlier", "stale"]
    range: LabRangeOut
    judgement: Literal["low", "high", "normal", "cannot_judge"]
    tier: str | None  # the severity tier this value reaches (None for stale results)
    note: str


class FactorOut(TypedDict):
    id: str
    kind: Literal["medication", "condition", "lab", "lifestyle", "trigger"]
    matched: list[str]
    summary: str
    certainty: CertaintyId
    verification: VerificationId
    sources: list[SourceRef]


class CodeOut(TypedDict):
    system: str
    code: str
    display: str | None


class PresentationOut(TypedDict):
    id: str
    name: str
    codes: list[CodeOut]
    because: list[str]
    sources: list[SourceRef]


class PatternOut(TypedDict):
    id: str
    name: str
    icd11: str | None
    score: int
    because: list[str]
    verification: VerificationId
    sources: list[SourceRef]


class PointOut(TypedDict):
    code: str
    name: str
    side: SideId
    role: Literal["local", "distal", "pattern"]
    region: str | None  # ASHI points: the body region to palpate
    because: list[str]
    cautions: list[str]
    certainty: CertaintyId
    positions: list[PositionId]
    sources: list[SourceRef]


class AvoidOut(TypedDict):
    code: str
    reason: str
    sources: list[SourceRef]


class CautionOut(TypedDict):
    id: str
    name: str
    summary: str
    because: list[str]
    verification: VerificationId
    sources: list[SourceRef]


class Electro(TypedDict):
    allowed: bool
    reason: str


class Range(TypedDict):
    min: int
    max: int


class NeedleCount(TypedDict):
    min: int
    max: int
    planned: int


class Session(TypedDict):
    positions: list[PositionId]
    needle_count: NeedleCount
    retention_minutes: Range
    stimulation: list[Literal["manual", "electrical"]]
    deferred: bool  # needling is deferred: nothing is planned for a session
    note: str  # why fewer needles than the minimum, or why nothing is planned; else ""


class Course(TypedDict):
    sessions: Range
    review_at: list[int]
    starts: Literal["now", "after_medical_clearance"]


class AdviceOut(TypedDict):
    id: str
    text: str
    certainty: CertaintyId
    sources: list[SourceRef]


class Unrecognised(TypedDict):
    medications: list[str]
    conditions: list[str]


class Assessment(TypedDict):
    schema: Literal["crampcare.assessment/1"]
    kb_version: str
    assessed_on: str
    referral: Referral
    needling: Needling
    red_flags: list[RedFlagOut]
    lab_results: list[LabResultOut]
    contributing_factors: list[FactorOut]
    conditions: list[PresentationOut]
    patterns: list[PatternOut]
    points: list[PointOut]
    avoid_points: list[AvoidOut]
    cautions: list[CautionOut]
    electroacupuncture: Electro
    session: Session
    course: Course
    advice: list[str]
    advice_details: list[AdviceOut]
    evidence: str
    evidence_sources: list[SourceRef]
    unrecognised: Unrecognised
    disclaimer: str
