"""Input and output shapes of the treatment-session use cases (pydantic), as in ``schemas``.

The point, measure and note blocks are checked in depth by the session contract itself
(``crampcare.core.session.parse_session``), so that the page, the API and ``crampcare bill``
give the same message for the same mistake; here they are typed only as far as the OpenAPI
description needs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crampcare.clinic.schemas import CLEAN, Input, Reason, Stamp, bounds
from crampcare.core.session import AdverseKind, Position, Severity

PointReason = Annotated[str, bounds(1, 200), CLEAN]
Lot = Annotated[str, bounds(1, 80), CLEAN]
AddendumText = Annotated[str, bounds(1, 4000), CLEAN]
EventText = Annotated[str, bounds(0, 2000), CLEAN]
Clock = Annotated[str, bounds(5, 5, r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), CLEAN]
PointId = Annotated[str, bounds(1, 40), CLEAN]
EventAction = Annotated[str, bounds(1, 2000), CLEAN]


class SessionStart(Input):
    patient_id: uuid.UUID
    plan_id: uuid.UUID | None = Field(
        default=None,
        description="the plan to follow; by default the latest plan of the "
        "patient's current assessment",
    )
    date: dt.date | None = Field(default=None, description="the session's date; today if left out")


class Omission(Input):
    point: PointId = Field(description="a plan point: its code, or ASHI@region")
    reason: PointReason


class SessionPatch(Input):
    """The parts of a session the page changes; each given part replaces the stored one."""

    points: list[dict[str, Any]] | None = Field(
        default=None,
        max_length=60,
        description="crampcare.session/1 points: {code, side, region (ASHI), depth_mm, "
        "stimulation, electrical, reason}; a point not in the plan needs a reason",
    )
    omitted: list[Omission] | None = Field(
        default=None, max_length=60, description="plan points left out, each with the reason"
    )
    positions: list[Position] | None = Field(default=None, max_length=4)
    lot: Lot | None = Field(default=None, description="the needle lot number")
    measures: dict[str, Any] | None = Field(
        default=None, description="{pain_before, pain_after, global_change, range_of_motion}"
    )
    note: dict[str, Any] | None = Field(
        default=None, description="the SOAP note: {subjective, objective, assessment, plan}"
    )


class NeedleCount(Input):
    which: Literal["inserted", "removed"]
    delta: Literal[1, -1] = 1


class RetentionAction(Input):
    action: Literal["start", "end"]


class ContactAction(Input):
    action: Literal["enter", "leave"]
    electrical: bool = Field(default=False, description="electrical stimulation in this interval")
    reinsertion: bool = Field(default=False, description="needles re-inserted in this interval")


class AdverseEventIn(Input):
    kind: AdverseKind
    severity: Severity
    action: EventAction = Field(description="what was done")
    description: EventText = Field(default="", description="required when kind is other")
    at: Clock | None = Field(default=None, description="local time HH:MM; now if left out")


class AddendumIn(Input):
    reason: Reason
    text: AddendumText


# --- output --------------------------------------------------------------------------------


class Permission(BaseModel):
    allowed: bool
    reason: str


class Window(BaseModel):
    min: int | None
    max: int | None


class RetentionOut(BaseModel):
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    window: Window = Field(description="minutes, from the assessment's session.retention_minutes")
    ends_earliest: dt.datetime | None
    ends_latest: dt.datetime | None


class OpenContact(BaseModel):
    start: str
    started_at: dt.datetime
    electrical: bool
    reinsertion: bool


class ContactOut(BaseModel):
    open: OpenContact | None
    intervals: list[dict[str, Any]]


class NeedlesOut(BaseModel):
    inserted: int
    removed: int
    lot: str | None


class PointInfo(BaseModel):
    code: str
    display_code: str
    pinyin: str | None
    hanzi: str | None
    english: str | None
    meridian: str | None
    in_kb: bool = Field(description="whether the knowledge base holds the point's clinical detail")
    note: str


class PlanChange(BaseModel):
    point: str
    change: Literal["added", "left_out"]
    reason: str | None


class OmissionOut(BaseModel):
    point: str
    reason: str


class AdverseEventOut(BaseModel):
    id: int
    kind: str
    severity: str
    serious: bool
    action: str
    description: str
    at: str
    recorded_at: dt.datetime
    recorded_by: str | None


class AddendumOut(BaseModel):
    id: int
    author: str
    at: dt.datetime
    reason: str
    text: str


class SessionOut(Stamp):
    id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: uuid.UUID
    assessment_id: uuid.UUID
    status: Literal["open", "closed", "locked"]
    date: dt.date
    document: dict[str, Any] = Field(description="the crampcare.session/1 document")
    needles: NeedlesOut
    retention: RetentionOut
    contact: ContactOut
    electroacupuncture: Permission
    needling: Permission
    positions_allowed: list[str]
    points_info: list[PointInfo]
    changes_from_plan: list[PlanChange]
    omitted: list[OmissionOut]
    adverse_events: list[AdverseEventOut]
    addenda: list[AddendumOut]
    signed_by: str | None
    signed_at: dt.datetime | None


class BillingOut(BaseModel):
    """The codes of every closed session of the patient on the session's date."""

    model_config = ConfigDict(extra="allow")

    date: dt.date
    patient_id: uuid.UUID
    sessions: list[uuid.UUID]
    lines: list[dict[str, Any]] = Field(description="{date, code, units, because}")
    total_units: int
    issues: list[Any]
    diagnoses: list[Any]
