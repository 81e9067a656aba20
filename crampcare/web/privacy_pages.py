"""The privacy pages: the patient record export's download (the patient page's button), the
clinic admin's retention page (the clinic's retention period and the records kept past it), and
the erasure page of a patient (what would go, the ground, the confirmation). Each calls
``crampcare.clinic`` (patient_export, retention, erasure), which refuses anyone else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from crampcare.clinic import erasure, retention
from crampcare.clinic.errors import Conflict, Invalid
from crampcare.web.actor import actor_of
from crampcare.web.api_privacy import zip_response
from crampcare.web.workbench import page

RETENTION = "/admin/retention"


@page
@require_http_methods(["GET"])
def export_download(request: HttpRequest, patient_id: Any) -> HttpResponse:
    return zip_response(actor_of(request), patient_id)


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def retention_view(request: HttpRequest) -> HttpResponse:
    """The retention period (POST changes it) and the report of records kept past it."""
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        years = request.POST.get("retention_years", "")[:10]
        try:
            retention.set_retention(actor_of(request), {"retention_years": years})
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            return HttpResponseRedirect(f"{RETENTION}?done=saved")
    context = {
        "report": retention.report(actor_of(request)),
        "errors": errors,
        "done": request.GET.get("done", "")[:10],
        "typed": request.POST.get("retention_years", "")[:10],
    }
    return render(request, "crampcare/admin_retention.html", context, status=status)


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def erase_view(request: HttpRequest, patient_id: Any) -> HttpResponse:
    """What erasing the patient would remove, the ground and the confirmation; POST erases."""
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        data = {
            "reason": request.POST.get("reason", "")[:40],
            "confirm": request.POST.get("confirm", "")[:10],
        }
        try:
            erasure.erase(actor_of(request), patient_id, data)
        except (Invalid, Conflict) as exc:
            errors, status = exc.errors, exc.status
        else:
            return HttpResponseRedirect(f"{RETENTION}?done=erased")
    context = {
        **erasure.preview(actor_of(request), patient_id),
        "errors": errors,
        "chosen": request.POST.get("reason", ""),
        "confirmation": erasure.CONFIRMATION,
    }
    return render(request, "crampcare/patient_erase.html", context, status=status)
