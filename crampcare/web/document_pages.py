"""The patient page's outcomes chart (with its table) and the document downloads.

``outcomes_panel`` draws the chart from the outcomes the page already has (``clinic.outcomes``)
and the sessions it lists; ``document_download`` answers a download button with the PDF of
``clinic.documents`` (a refusal becomes the error page with its status and reason).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from crampcare.reports.charts import chart_table, weekly_chart
from crampcare.reports.documents.letter import session_points
from crampcare.web.actor import actor_of
from crampcare.web.api_documents import pdf_response
from crampcare.web.workbench import page

DOCUMENTS = (
    ("physician-letter", "Letter to the physician", "referral, treatment and outcomes"),
    ("handout", "Patient handout", "what to expect, aftercare, self-care, when to get help"),
    ("superbill", "Superbill", "CPT codes with units and ICD-10-CM codes of the sessions"),
)


def outcomes_panel(outcomes: dict[str, Any], sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart (SVG) and its table, from the page's outcomes and sessions (newest first)."""
    oldest_first = sorted(sessions, key=lambda s: s["date"])
    svg = weekly_chart(
        outcomes,
        "Cramps per week, worst severity and pain across the course",
        session_points(oldest_first),
        chart_id="patient-outcomes-chart",
    )
    return {
        "svg": mark_safe(svg),  # noqa: S308 (charts.py escapes every text it writes)
        "table": chart_table(outcomes),
        "documents": [{"kind": k, "title": t, "holds": h} for k, t, h in DOCUMENTS],
    }


@page
@require_http_methods(["GET"])
def document_download(request: HttpRequest, patient_id: Any, kind: str) -> HttpResponse:
    return pdf_response(actor_of(request), patient_id, kind)
