"""The practice page (/practice) and its CSV file (/practice.csv): the clinic's outcome and
safety figures from ``crampcare.clinic.practice``, for practitioners and clinic admins. Each
figure shows its n, and "n is small" where it is; the admin's page names no patient."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from crampcare.clinic import practice
from crampcare.web.actor import actor_of
from crampcare.web.api_practice import CSV_FILENAME
from crampcare.web.workbench import page


@page
@require_http_methods(["GET"])
def practice_view(request: HttpRequest) -> HttpResponse:
    report = practice.practice_outcomes(actor_of(request))
    responders = report["responders"]
    tables = [
        ("by-presentation", "By presentation", responders["by_presentation"]),
        ("by-protocol", "By point protocol", responders["by_protocol"]),
    ]
    return render(request, "crampcare/practice.html", {"report": report, "tables": tables})


@page
@require_http_methods(["GET"])
def practice_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(practice.practice_csv(actor_of(request)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
    return response
