"""Input and output shapes of the record use cases (pydantic). The services validate with them,
and the JSON API publishes them in its OpenAPI description, so both give the same messages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from crampcare.clinic.errors import from_pydantic
from crampcare.clinic.input_limits import document_problems, text_problem


def _text_ok(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# Problems anywhere inside a JSON document (nesting, numbers out of bounds, NUL, lone
# surrogates), by path: one iterative walk, shared with the API's body parser.
check_text = document_problems


Text = Annotated[str, AfterValidator(_text_ok)]


def bounds(
    min_length: int = 0, max_length: int = 200, pattern: str | None = None, strip: bool = True
) -> StringConstraints:
    """A string type's bounds: whitespace stripped, length and pattern checked. Used as
    ``Annotated[str, bounds(1, 100), CLEAN]`` (a type alias mypy can read), where ``CLEAN``
    then refuses NUL and invalid Unicode."""
    return StringConstraints(
        strip_whitespace=strip, min_length=min_length, max_length=max_length, pattern=pattern
    )


CLEAN = AfterValidator(_text_ok)


Name = Annotated[str, bounds(1, 100), CLEAN]
Reason = Annotated[str, bounds(3, 500), CLEAN]
Address = Annotated[str, bounds(0, 500), CLEAN]
Note = Annotated[str, bounds(0, 2000), CLEAN]
Password = Annotated[str, bounds(1, 200, strip=False), CLEAN]
PersonName = Annotated[str, bounds(0, 150), CLEAN]
Licence = Annotated[str, bounds(0, 60), CLEAN]
PHONE = re.compile(r"^[0-9+()\-. ]{0,40}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
Sex = Literal["female", "male", "other", "unknown"]
Role = Literal["practitioner", "front_desk", "clinic_admin"]
Side = Literal["left", "right", "both", "midline"]


def _phone(value: str) -> str:
    if not PHONE.match(value):
        raise ValueError("use digits, spaces and + ( ) - . only (at most 40)")
    return value


def _email(value: str) -> str:
    if value and (len(value) > 254 or not EMAIL.match(value)):
        raise ValueError("is not an email address")
    return value


def _birth_date(value: dt.date) -> dt.date:
    if value < dt.date(1900, 1, 1):
        raise ValueError("must be on or after 1900-01-01")
    if value > dt.date.today():
        raise ValueError("must not be in the future")
    return value


Phone = Annotated[str, bounds(0, 40), CLEAN, AfterValidator(_phone)]
Email = Annotated[str, bounds(0, 254), CLEAN, AfterValidator(_email)]
BirthDate = Annotated[dt.date, AfterValidator(_birth_date)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def parse(model: type[Input], data: Any, prefix: str = "") -> Any:
    """Validate ``data`` into ``model`` or raise ``Invalid`` naming every field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(exc.errors(), prefix) from None


# --- patients ------------------------------------------------------------------------------


class PatientIn(Input):
    given_name: Name
    family_name: Name
    birth_date: BirthDate
    sex: Sex
    phone: Phone = ""
    email: Email = ""
    address: Address = ""
    consent_treatment: bool = False
    consent_data_processing: bool = False


class PatientPatch(Input):
    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: BirthDate | None = None
    sex: Sex | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    consent_treatment: bool | None = None
    consent_data_processing: bool | None = None


class Stamp(BaseModel):
    created_at: dt.datetime
    created_by: str | None
    updated_at: dt.datetime
    updated_by: str | None


class PatientOut(Stamp):
    id: uuid.UUID
    clinic_id: int
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: Sex
    phone: str
    email: str
    address: str
    consent_treatment: bool
    consent_treatment_at: dt.datetime | None
    consent_data_processing: bool
    consent_data_processing_at: dt.datetime | None
    deceased: bool = False  # marked from the patient's FHIR record: no treatment is offered
    deceased_on: dt.date | None = None


class LatestAssessment(BaseModel):
    """A patient's newest assessment, in brief: how urgent, and whether needling may go ahead."""

    id: uuid.UUID
    assessed_on: dt.date
    urgency: Literal["none", "routine", "soon", "urgent", "emergency"]
    needling_allowed: bool


class PatientRow(PatientOut):
    latest_assessment: LatestAssessment | None = Field(
        description="the newest assessment's urgency and needling decision; null when the "
        "patient has none yet, and always null for a role that may not see clinical records"
    )


class PatientPage(BaseModel):
    count: int
    items: list[PatientRow]


# --- intakes and assessments ---------------------------------------------------------------


class IntakeIn(Input):
    document: dict[str, Any] = Field(
        description="a crampcare.intake/1 document (see docs/schemas/intake-1.schema.json)"
    )


class AssessmentIn(Input):
    """Either an intake already stored (``intake_id``), or a patient and a new intake document,
    stored as the patient's next intake version and assessed."""

    intake_id: uuid.UUID | None = None
    patient_id: uuid.UUID | None = None
    intake: dict[str, Any] | None = Field(default=None, description="a crampcare.intake/1 document")


class IntakeOut(Stamp):
    id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    schema_id: str = Field(alias="schema")
    taken_on: dt.date
    document: dict[str, Any]

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class AssessmentOut(Stamp):
    id: uuid.UUID
    patient_id: uuid.UUID
    intake_id: uuid.UUID
    intake_version: int
    kb_version: str
    assessed_on: dt.date
    urgency: str
    needling_allowed: bool
    supersedes: uuid.UUID | None
    superseded_by: uuid.UUID | None
    stale: bool = Field(description="assessed with a knowledge base other than the current one")
    result: dict[str, Any] = Field(description="the crampcare.assessment/1 document")


# --- plans ---------------------------------------------------------------------------------

PointId = Annotated[str, bounds(1, 40), CLEAN]
PointCode = Annotated[str, bounds(1, 10), CLEAN]
Region = Annotated[str, bounds(0, 20), CLEAN]


class Removal(Input):
    point: PointId = Field(description="a suggested point: its code, or ASHI@region")
    reason: Reason


class Addition(Input):
    code: PointCode
    side: Side
    region: Region | None = Field(default=None, description="for ASHI points: the body region")
    reason: Reason


class PlanIn(Input):
    accepted: Annotated[list[PointId], Field(max_length=60)] = []
    removed: Annotated[list[Removal], Field(max_length=60)] = []
    added: Annotated[list[Addition], Field(max_length=30)] = []
    note: Note = ""


class PlanPointOut(BaseModel):
    point: str
    code: str
    side: str
    region: str | None
    decision: Literal["accepted", "removed", "added"]
    reason: str | None


class PlanOut(Stamp):
    id: uuid.UUID
    patient_id: uuid.UUID
    assessment_id: uuid.UUID
    note: str
    points: list[PlanPointOut]
    feedback: list[dict[str, Any]] = Field(
        description="the decisions as CDS Hooks feedback (one entry per suggestion card)"
    )


# --- accounts ------------------------------------------------------------------------------

Username = Annotated[str, bounds(3, 150, r"^[\w.@+-]+$"), CLEAN]


class UserIn(Input):
    username: Username
    password: Password
    role: Role
    first_name: PersonName = ""
    last_name: PersonName = ""
    email: Email = ""
    licence_number: Licence = ""


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    clinic_id: int
    clinic: str
    first_name: str
    last_name: str
    email: str
    licence_number: str
    is_active: bool


TokenName = Annotated[str, bounds(0, 100), CLEAN]
LoginName = Annotated[str, bounds(1, 150), CLEAN]


class Credentials(Input):
    username: LoginName
    password: Password
    name: TokenName = ""


class TokenOut(BaseModel):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; shown only once")
    expires_at: dt.datetime
    user: UserOut


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    ok: Literal[False]
    status: int
    error: str
    errors: list[ErrorItem]
