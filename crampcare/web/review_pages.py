"""The course review on the patient page: "Improving: continue" records the decision
(``clinic.outcomes.decide_review``, audited) and returns to the patient page. Reassess and refer
are links (the intake page, the draft letter to the physician) in ``_review.html``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from crampcare.clinic import outcomes
from crampcare.web.actor import actor_of
from crampcare.web.workbench import page


@page
@csrf_protect
@require_POST
def decide(request: HttpRequest, patient_id: Any) -> HttpResponse:
    """Record "continue" for the review due; a review no longer due (decided meanwhile) is
    refused with the error page naming it."""
    outcomes.decide_review(
        actor_of(request),
        patient_id,
        {"key": request.POST.get("key", ""), "decision": request.POST.get("decision", "")},
    )
    return HttpResponseRedirect(f"/patients/{patient_id}#course")
