"""The FHIR import page: the patient list's "Import FHIR" form posts files here
(``POST /patients/import-fhir``); each is imported by ``clinic.fhir_import`` and the reports
are shown: who was created or updated, what was imported, what was skipped and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from crampcare import services
from crampcare.clinic import fhir_import
from crampcare.clinic.access import Can, require
from crampcare.records.models import Patient
from crampcare.web.actor import actor_of
from crampcare.web.workbench import page

CHECKED = {"on", "true", "1"}


@page
@require_http_methods(["POST"])
def import_fhir(request: HttpRequest) -> HttpResponse:
    require(actor_of(request), Can.CLINICAL, "fhir_import")
    files = request.FILES.getlist("file")
    if not files:
        context = {"reports": [], "problem": "choose one or more FHIR files (JSON or NDJSON)"}
        return render(request, "crampcare/fhir_import.html", context, status=422)
    consent = request.POST.get("consent") in CHECKED
    kb = services.knowledge_base()
    reports = []
    for upload in files:
        reports.append(
            fhir_import.import_upload(
                actor_of(request), upload.name or "upload", upload, kb, consent
            )
        )
    ids = {pid for r in reports for pid in r["patient_ids"]}
    names = {
        str(p.id): f"{p.family_name}, {p.given_name}"
        for p in Patient.objects.filter(clinic_id=actor_of(request).clinic_id, pk__in=ids)
    }
    for report in reports:
        report["patients"] = [(pid, names.get(pid, pid)) for pid in report["patient_ids"]]
    return render(request, "crampcare/fhir_import.html", {"reports": reports, "problem": ""})
