"""FHIR import in the JSON API (mounted by ``web.api``): ``POST /fhir/import`` takes a Bundle,
a single resource or an NDJSON export, as the body (``application/fhir+json``,
``application/json`` or ``application/fhir+ndjson``) or as files of a multipart form (field
``file``, repeatable), and calls ``clinic.fhir_import`` for each."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import BaseModel

from crampcare import services
from crampcare.clinic import fhir_import
from crampcare.clinic.access import Can, require
from crampcare.clinic.errors import Invalid
from crampcare.clinic.schemas import ErrorOut
from crampcare.web.actor import actor_of

ERRORS: dict[int, type[Schema] | Any] = {code: ErrorOut for code in (401, 403, 422)}
MAX_BYTES = 200 * 1024 * 1024  # a patient's record is a few MB; a bulk export may be larger
CHUNK = 1024 * 1024
JSON_TYPES = ("application/fhir+json", "application/json")
NDJSON_TYPES = ("application/fhir+ndjson", "application/x-ndjson", "application/ndjson")

router = Router(tags=["fhir"])


class IssueOut(BaseModel):
    severity: str
    code: str
    diagnostics: str
    expression: list[str]


class ReportOut(BaseModel):
    file: str
    patient_id: str | None
    patient_ids: list[str]
    counts: dict[str, int]
    issues: list[IssueOut]


class ImportOut(BaseModel):
    reports: list[ReportOut]


def spool(request: HttpRequest) -> IO[bytes]:
    """The request body in a temporary file (in memory while small), read in chunks."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 - returned open
    size = 0
    while chunk := request.read(CHUNK):
        size += len(chunk)
        if size > MAX_BYTES:
            out.close()
            raise Invalid([("(body)", f"larger than {MAX_BYTES // CHUNK} MB: split the export")])
        out.write(chunk)
    out.seek(0)
    return out


def uploads(request: HttpRequest) -> list[tuple[str, IO[bytes]]]:
    """(name, stream) of each file sent: the multipart form's ``file`` fields, or the body."""
    kind = (request.content_type or "").lower()
    if kind == "multipart/form-data":
        files = request.FILES.getlist("file")
        if not files:
            raise Invalid([("file", "attach one or more FHIR files in the field 'file'")])
        return [(f.name or "upload.json", f) for f in files]
    if kind in JSON_TYPES:
        return [("body.json", spool(request))]
    if kind in NDJSON_TYPES:
        return [("body.ndjson", spool(request))]
    accepted = ", ".join(("multipart/form-data", *JSON_TYPES, *NDJSON_TYPES))
    raise Invalid([("Content-Type", f"{kind or 'none'} is not accepted; send {accepted}")])


@router.post("/fhir/import", response={200: ImportOut, **ERRORS})
def import_fhir(request: HttpRequest, consent: bool = False) -> dict[str, Any]:
    """Import patients' FHIR R4 records: each patient is created, or updated when their record
    was imported before (no duplicate), and their next intake is pre-filled from the record.
    ``consent=true`` says the patients consented to the processing of their health data;
    without it, a patient who has not consented gets their details imported and not their
    clinical record (an issue says so). Practitioners only; audited. One report per file with
    OperationOutcome-style issues: what was skipped and why."""
    require(actor_of(request), Can.CLINICAL, "fhir_import")
    kb = services.knowledge_base()
    reports = []
    for name, stream in uploads(request):
        try:
            reports.append(fhir_import.import_upload(actor_of(request), name, stream, kb, consent))
        finally:
            stream.close()
    return {"reports": reports}
