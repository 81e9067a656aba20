"""The patient record export, the clinic's retention period and report, and erasure in the JSON
API (mounted by ``web.api``), from ``clinic.patient_export``, ``clinic.retention`` and
``clinic.erasure`` (docs/privacy.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from crampcare import services
from crampcare.clinic import erasure, patient_export, retention
from crampcare.clinic.actor import Actor
from crampcare.clinic.schemas import ErrorOut
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {code: ErrorOut for code in (401, 403, 404, 409, 422)}

router = Router(tags=["privacy"])


class ClinicPatch(Schema):
    retention_years: Any = None  # a whole number of years (1 to 100), or null: not set


class EraseIn(Schema):
    reason: Any = None  # patient_request, retention_expired, consent_withdrawn, ...
    confirm: Any = None  # "ERASE"


def zip_response(actor: Actor, patient_id: object) -> HttpResponse:
    """The record as a download (the patient page's button answers with it too)."""
    name, body = patient_export.export_zip(actor, patient_id, services.knowledge_base())
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/patients/{patient_id}/export.zip",
    response={200: bytes, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}}}},
)
def export_patient(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The patient's whole record as a ZIP: index.html, the FHIR R4 Bundle, every row held
    about the patient (JSON), the letter, handout and superbill as PDFs where they can be
    made, sessions.csv and diary.csv. Practitioners only; audited."""
    return zip_response(actor_of(request), patient_id)


@router.get("/clinic", response={200: dict[str, Any], **ERRORS})
def get_clinic(request: HttpRequest) -> dict[str, Any]:
    """The clinic's settings: its name and retention period. Clinic admins only."""
    return retention.settings(actor_of(request))


@router.patch("/clinic", response={200: dict[str, Any], **ERRORS})
def patch_clinic(request: HttpRequest, payload: ClinicPatch) -> dict[str, Any]:
    """Set how many years a record is kept after the patient's last visit
    (``{"retention_years": 10}``; null: not set). Clinic admins only; audited."""
    return retention.set_retention(actor_of(request), payload.model_dump(exclude_unset=True))


@router.get("/clinic/retention", response={200: dict[str, Any], **ERRORS})
def retention_report(request: HttpRequest) -> dict[str, Any]:
    """The patients whose record is kept past the retention period, with their last visit and
    the last day it was to be kept. Clinic admins only; audited."""
    return retention.report(actor_of(request))


@router.post("/patients/{patient_id}/erase", response={200: dict[str, Any], **ERRORS})
def erase_patient(request: HttpRequest, patient_id: uuid.UUID, payload: EraseIn) -> dict[str, Any]:
    """Erase the patient's record (every row of their data; the audit log is kept): the body
    names the ground (``reason``) and confirms it is lawful (``"confirm": "ERASE"``). Clinic
    admins only; audited. 409 while the patient has an open session. Afterwards the patient is
    not found (404)."""
    return erasure.erase(actor_of(request), patient_id, payload.model_dump(exclude_unset=True))
