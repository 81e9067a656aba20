"""The patient's documents as PDFs in the JSON API (mounted by ``web.api``): one operation,
``GET /patients/{id}/documents/{kind}.pdf``, calling ``clinic.documents.download``."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from crampcare.clinic import documents
from crampcare.clinic.actor import Actor
from crampcare.clinic.schemas import ErrorOut
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {code: ErrorOut for code in (401, 403, 404, 409, 422)}

router = Router(tags=["documents"])


def pdf_response(actor: Actor, patient_id: object, kind: str) -> HttpResponse:
    """The PDF as a download (the patient page's buttons answer with it too)."""
    name, body = documents.download(actor, patient_id, kind)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/patients/{patient_id}/documents/{kind}.pdf",
    response={200: bytes, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def get_document(
    request: HttpRequest,
    patient_id: uuid.UUID,
    kind: Literal["physician-letter", "handout", "superbill"],
) -> HttpResponse:
    """The letter to the patient's physician, the patient handout or the superbill, as a PDF.
    Practitioners only; every download is audited. 409 when the record cannot make it yet (no
    assessment for the letter and the handout; no closed session for the superbill)."""
    return pdf_response(actor_of(request), patient_id, kind)
