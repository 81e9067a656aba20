"""A patient's outcomes and the course review in the JSON API (mounted by ``web.api``). Each
operation calls one use case of ``clinic.outcomes``; docs/outcomes.md explains the metrics."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import BaseModel, Field

from crampcare.clinic import outcomes
from crampcare.clinic.outcomes import ReviewIn
from crampcare.clinic.schemas import ErrorOut
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)
}

router = Router(tags=["outcomes"])


class BaselineOut(BaseModel):
    weekly_frequency: float | None = Field(description="cramps per 7 days")
    source: Literal["diary", "intake", "none"]
    days: int = Field(description="diary days logged in the baseline (0 unless from the diary)")
    from_: dt.date | None = Field(alias="from")
    to: dt.date | None
    note: str


class WeekOut(BaseModel):
    week: int = Field(
        description="1 = the week that starts on the first session; 0 and below: before"
    )
    start: dt.date
    end: dt.date
    days_logged: int
    cramps: int | None
    frequency: float | None = Field(description="cramps per 7 logged days; None under 3 days")
    worst_severity: int | None
    sleep_disturbance: float | None
    typical_duration_minutes: float | None
    sessions: int
    note: str


class PainOut(BaseModel):
    baseline: int | None = Field(description="NRS 0-10 before the first session")
    latest: int | None = Field(description="NRS 0-10 before the latest later session")
    latest_date: dt.date | None
    change: int | None
    change_percent: float | None
    clinically_important: bool | None
    worse: bool | None
    rule: str
    note: str


class ReviewPrompt(BaseModel):
    due: bool
    reason: Literal["review_session", "worsening"] | None
    key: str | None = Field(description="what to send to POST .../reviews to record 'continue'")
    session_number: int | None
    why: str
    question: str


class OutcomesOut(BaseModel):
    patient_id: uuid.UUID
    plan_id: uuid.UUID | None
    today: dt.date
    baseline: BaselineOut
    weeks: list[WeekOut]
    current_weekly_frequency: float | None
    current_from: str
    change_percent: float | None
    responder_25: bool | None
    responder_50: bool | None
    pain: PainOut
    missing: list[str]
    sources: list[str]
    review: ReviewPrompt | None


class ReviewOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: uuid.UUID
    key: str
    session_number: int | None
    decision: str
    note: str
    created_at: dt.datetime
    created_by: str


@router.get(
    "/patients/{patient_id}/outcomes",
    response={200: OutcomesOut, **ERRORS},
    by_alias=True,
)
def get_outcomes(request: HttpRequest, patient_id: uuid.UUID) -> dict[str, Any]:
    """Baseline (diary before the first session, else the intake; says which), weeks, current
    weekly frequency, change, responders (25 % and 50 %), pain change (2 points or 30 %),
    what is missing, the kb sources, and the review prompt of the current course."""
    return outcomes.outcomes(actor_of(request), patient_id)


@router.post("/patients/{patient_id}/reviews", response={201: ReviewOut, **ERRORS})
def decide_review(request: HttpRequest, patient_id: uuid.UUID, payload: ReviewIn) -> Status[Any]:
    """Record "continue" for the review due now (its ``key`` from the outcomes' review prompt).
    409 when that review is not due or is already decided."""
    return Status(201, outcomes.decide_review(actor_of(request), patient_id, payload))
