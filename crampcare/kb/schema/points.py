"""Acupuncture points and how regions, presentations and patterns use them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from crampcare.kb.schema.base import (
    POINT_CODE,
    Certainty,
    Cited,
    Entry,
    PointRole,
    Position,
    Verification,
)


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


PointCautionKind = Literal[
    "pregnancy",
    "pneumothorax",
    "deep_vessel",
    "deep_nerve",
    "kidney",
    "medulla",
    "fainting",
    "bleeding_technique",
    "strong_sensation",
    # regions WHO 1999 (section 2.1) names for pregnancy: lower abdomen (first trimester),
    # upper abdomen (after the third month), lumbosacral region (throughout)
    "lumbosacral",
    "lower_abdominal",
    "upper_abdominal",
]


class PointCaution(Cited):
    kind: PointCautionKind
    summary: str


# Caution kinds that matter only in pregnancy: their notes are shown to pregnant patients only.
PREGNANCY_KINDS = frozenset({"pregnancy", "lumbosacral", "lower_abdominal", "upper_abdominal"})


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


class PointUse(Entry):
    code: str
    role: PointRole
    certainty: Certainty
    sources: tuple[str, ...] = Field(min_length=1)
    note: str | None = None
