"""The practice view in the JSON API (mounted by ``web.api``): the clinic's outcome and safety
figures (``clinic.practice``), as JSON and as a CSV file."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import BaseModel

from crampcare.clinic import practice
from crampcare.clinic.schemas import ErrorOut
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)
}
CSV_FILENAME = "practice-outcomes.csv"

router = Router(tags=["practice"])


class Share(BaseModel):
    n: int
    count: int
    percent: float | None
    small: bool
    note: str


class ResponderRow(BaseModel):
    group: str
    patients: int
    n: int
    not_evaluable: int
    responder_25: Share
    responder_50: Share
    small: bool
    note: str


class Responders(BaseModel):
    overall: ResponderRow
    by_presentation: list[ResponderRow]
    by_protocol: list[ResponderRow]


class SessionsPerCourse(BaseModel):
    courses: str
    n: int
    median: float | None
    min: int | None
    max: int | None
    small: bool
    note: str


class AdverseRate(BaseModel):
    sessions: int
    events: int
    serious: int
    per_100_sessions: float | None
    serious_per_100_sessions: float | None
    small: bool
    note: str


class FollowUp(BaseModel):
    patient_id: uuid.UUID
    name: str
    last_session: dt.date


class PracticeOut(BaseModel):
    clinic_id: int
    as_of: dt.date
    active_days: int
    diary_days: int
    small_n: int
    patients: int
    responders: Responders
    sessions_per_course: list[SessionsPerCourse]
    adverse_events: AdverseRate
    diary_adherence: Share
    names_shown: bool
    without_recent_diary: list[FollowUp] | None


@router.get("/practice/outcomes", response={200: PracticeOut, **ERRORS})
def outcomes(request: HttpRequest) -> dict[str, Any]:
    """Your clinic's responder rates (25 % and 50 %) overall, by presentation and by point
    protocol; sessions per course; adverse events per 100 sessions; diary adherence. Each with
    its n, and ``small`` where n is below ``small_n``. Practitioners and clinic admins; only
    practitioners get ``without_recent_diary`` (null for an admin)."""
    return practice.practice_outcomes(actor_of(request))


@router.get(
    "/practice/outcomes.csv",
    response={200: str, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def outcomes_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV: section, group, measure, n, count, value, small_n, note. No
    patient is named in it."""
    response = HttpResponse(practice.practice_csv(actor_of(request)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
    response["Cache-Control"] = "no-store"
    return response
