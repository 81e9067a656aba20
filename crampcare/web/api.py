"""The JSON API under /api/v1, with its OpenAPI description at /api/v1/openapi.json.

Each operation calls one record use case in ``crampcare.clinic`` (the same ones the pages and
the CLI call) and returns what it returns. Errors all have the shape in ``web.errors``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from crampcare import services
from crampcare.clinic import accounts, assessments, input_limits, patients, plans
from crampcare.clinic.errors import ClinicError, Invalid, Throttled, from_pydantic
from crampcare.clinic.schemas import (
    AssessmentIn,
    AssessmentOut,
    ErrorOut,
    IntakeIn,
    IntakeOut,
    PatientIn,
    PatientOut,
    PatientPage,
    PatientPatch,
    PlanIn,
    PlanOut,
)
from crampcare.web.actor import actor_of
from crampcare.web.api_accounts import auth as auth_router
from crampcare.web.api_accounts import users as users_router
from crampcare.web.api_course import router as course_router
from crampcare.web.api_diary import router as diary_router
from crampcare.web.api_documents import router as documents_router
from crampcare.web.api_fhir import router as fhir_router
from crampcare.web.api_fhir_export import router as fhir_export_router
from crampcare.web.api_outcomes import router as outcomes_router
from crampcare.web.api_practice import router as practice_router
from crampcare.web.api_privacy import router as privacy_router
from crampcare.web.api_sessions import patient_sessions
from crampcare.web.api_sessions import router as session_router
from crampcare.web.errors import error_response

DESCRIPTION = """\
Clinic records and assessments of crampcare. Authenticate with a bearer token from
`POST /api/v1/auth/token`, or with the session cookie of a signed-in browser (then send the
CSRF token in `X-CSRFToken` on unsafe methods). Every error has one shape:
`{"ok": false, "status": 422, "error": "...", "errors": [{"field": "...", "message": "..."}]}`.
Decision support for licensed practitioners, not a diagnosis.
"""


class StrictJSON(Parser):
    """JSON bodies only, within the bounds of ``clinic.input_limits``: NaN, Infinity and 1e309
    refused, whole numbers bounded, nesting limited, strings checked for NUL and bad Unicode."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = input_limits.load_json(request.body or b"null", "(body)")
        if not isinstance(data, dict):
            raise Invalid([("(body)", "must be a JSON object")])
        return data


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = accounts.token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="crampcare API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,
    auth=[TokenAuth(), SessionAuth()],
    parser=StrictJSON(),
)

ERRORS: dict[int, type[Schema] | Any] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)
}


# --- errors --------------------------------------------------------------------------------


@api.exception_handler(ClinicError)
def _clinic_error(request: HttpRequest, exc: ClinicError) -> HttpResponse:
    headers = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="crampcare"'
    return error_response(exc.status, exc.errors, headers)


@api.exception_handler(services.InvalidIntake)
def _invalid_intake(request: HttpRequest, exc: services.InvalidIntake) -> HttpResponse:
    return error_response(422, exc.errors)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = []
    for err in exc.errors:
        loc = list(err.get("loc", ()))
        # ("body", "payload", "given_name") -> "given_name"; ("query", "limit") -> "limit"
        if loc and loc[0] in {"body", "query", "path", "header", "cookie", "form"}:
            where = loc.pop(0)
            if where == "body" and loc:
                loc.pop(0)
        items.append({**err, "loc": loc})
    return error_response(422, from_pydantic(items).errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401,
        [("", "sign in first: send 'Authorization: Bearer <token>' or a session cookie")],
        {"WWW-Authenticate": 'Bearer realm="crampcare"'},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ClinicError):  # raised by StrictJSON while parsing the body
        return _clinic_error(request, exc.__cause__)
    message = str(exc)
    if exc.status_code == 403 and "CSRF" in message:
        message = "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken"
    return error_response(exc.status_code, [("", message)])


# --- patients ------------------------------------------------------------------------------

patient_router = Router(tags=["patients"])


class PatientQuery(Schema):
    q: str = ""
    limit: int = 50
    offset: int = 0


@patient_router.get("", response={200: PatientPage, **ERRORS})
def list_patients(request: HttpRequest, filters: Query[PatientQuery]) -> dict[str, Any]:
    """Your clinic's patients; ``q`` searches names, phone and email."""
    return patients.list_patients(actor_of(request), filters.q, filters.limit, filters.offset)


@patient_router.post("", response={201: PatientOut, **ERRORS})
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[dict[str, Any]]:
    return Status(201, patients.create_patient(actor_of(request), payload))


@patient_router.get("/{patient_id}", response={200: PatientOut, **ERRORS})
def get_patient(request: HttpRequest, patient_id: uuid.UUID) -> dict[str, Any]:
    return patients.get_patient(actor_of(request), patient_id)


@patient_router.patch("/{patient_id}", response={200: PatientOut, **ERRORS})
def update_patient(
    request: HttpRequest, patient_id: uuid.UUID, payload: PatientPatch
) -> dict[str, Any]:
    """Change some fields. Giving or withdrawing a consent records when."""
    return patients.update_patient(
        actor_of(request), patient_id, payload.model_dump(exclude_unset=True)
    )


@patient_router.get("/{patient_id}/intakes", response={200: list[IntakeOut], **ERRORS})
def list_intakes(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    return assessments.list_intakes(actor_of(request), patient_id)


@patient_router.post("/{patient_id}/intakes", response={201: IntakeOut, **ERRORS})
def create_intake(
    request: HttpRequest, patient_id: uuid.UUID, payload: IntakeIn
) -> Status[dict[str, Any]]:
    """Store the patient's next intake version (validated against crampcare.intake/1)."""
    made = assessments.create_intake(
        actor_of(request), patient_id, payload, services.knowledge_base()
    )
    return Status(201, made)


@patient_router.get("/{patient_id}/assessments", response={200: list[AssessmentOut], **ERRORS})
def list_assessments(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    return assessments.list_assessments(actor_of(request), patient_id, services.knowledge_base())


@patient_router.get("/{patient_id}/plans", response={200: list[PlanOut], **ERRORS})
def list_plans(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    return plans.list_plans(actor_of(request), patient_id)


# --- intakes, assessments, plans -----------------------------------------------------------

clinical = Router(tags=["clinical"])


@clinical.get("/intakes/{intake_id}", response={200: IntakeOut, **ERRORS})
def get_intake(request: HttpRequest, intake_id: uuid.UUID) -> dict[str, Any]:
    return assessments.get_intake(actor_of(request), intake_id)


@clinical.post("/assessments", response={201: AssessmentOut, **ERRORS})
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[dict[str, Any]]:
    """Assess a stored intake (``intake_id``), or store ``intake`` as the next version for
    ``patient_id`` and assess it. The response holds the crampcare.assessment/1 document."""
    made = assessments.create_assessment(actor_of(request), payload, services.knowledge_base())
    return Status(201, made)


@clinical.get("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def get_assessment(request: HttpRequest, assessment_id: uuid.UUID) -> dict[str, Any]:
    return assessments.get_assessment(actor_of(request), assessment_id, services.knowledge_base())


@clinical.post(
    "/assessments/{assessment_id}/reassess",
    response={200: AssessmentOut, 201: AssessmentOut, **ERRORS},
)
def reassess(request: HttpRequest, assessment_id: uuid.UUID) -> Status[dict[str, Any]]:
    """Assess the intake again under the current knowledge base: 201 with the new assessment,
    or 200 with the current one when it already uses the current knowledge base."""
    result, made = assessments.reassess(actor_of(request), assessment_id, services.knowledge_base())
    return Status(201 if made else 200, result)


@clinical.post("/assessments/{assessment_id}/plans", response={201: PlanOut, **ERRORS})
def create_plan(
    request: HttpRequest, assessment_id: uuid.UUID, payload: PlanIn
) -> Status[dict[str, Any]]:
    """Record the accepted prescription: every suggested point accepted or removed, points
    added; each removal and addition with a reason."""
    made = plans.create_plan(actor_of(request), assessment_id, payload, services.knowledge_base())
    return Status(201, made)


@clinical.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def get_plan(request: HttpRequest, plan_id: uuid.UUID) -> dict[str, Any]:
    return plans.get_plan(actor_of(request), plan_id)


api.add_router("/auth", auth_router)
api.add_router("/users", users_router)
api.add_router("/patients", patient_router)
api.add_router("", clinical)
api.add_router("", course_router)
api.add_router("", documents_router)
api.add_router("/sessions", session_router)
api.add_router("", patient_sessions)
api.add_router("", diary_router)
api.add_router("", outcomes_router)
api.add_router("", practice_router)
api.add_router("", fhir_router)
api.add_router("", fhir_export_router)
api.add_router("", privacy_router)
