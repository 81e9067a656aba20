"""FHIR export in the JSON API (mounted by ``web.api``): ``GET /patients/{id}/fhir`` answers the
patient's record as a FHIR R4 Bundle (``application/fhir+json``), from
``clinic.fhir_export.export_patient``."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from crampcare import services
from crampcare.clinic import fhir_export
from crampcare.clinic.schemas import ErrorOut
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {code: ErrorOut for code in (401, 403, 404, 422)}
FHIR_JSON = "application/fhir+json"

router = Router(tags=["fhir"])


@router.get(
    "/patients/{patient_id}/fhir",
    response={200: dict[str, Any], **ERRORS},
    openapi_extra={"responses": {200: {"content": {FHIR_JSON: {}}}}},
)
def export_fhir(request: HttpRequest, patient_id: uuid.UUID, letter: bool = True) -> HttpResponse:
    """The patient's record as a FHIR R4 Bundle (type collection): Patient, Conditions,
    MedicationStatements, laboratory Observations, Devices, a Procedure per closed or signed
    session with its points, pain and range-of-motion Observations, the weekly cramp
    frequency, the course's CarePlan, the letter to the physician as a PDF
    (``letter=false`` leaves it out) and a Provenance. Practitioners only; audited."""
    found = fhir_export.export_patient(
        actor_of(request), patient_id, services.knowledge_base(), with_letter=letter
    )
    body = json.dumps(found, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type=f"{FHIR_JSON}; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
