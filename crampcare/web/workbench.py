"""The practitioner's workbench pages: patients, intake, assessment, plan, timeline.

Like the JSON API, every page calls the record use cases in ``crampcare.clinic`` and nothing
else: no SQL and no clinical rules here. Forms are mapped to the use cases' documents by
``crampcare.web.forms``; a use case's errors come back as (field path, message) pairs and are
shown next to the fields they name. A failed request stores nothing: the use cases are atomic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare import services
from crampcare.clinic import assessments, input_limits, patients, plans
from crampcare.clinic.access import Can, may
from crampcare.clinic.errors import ClinicError, Invalid
from crampcare.clinic.intake_check import check_intake
from crampcare.reports.bodychart import ChartPoint, body_chart_svg
from crampcare.web import danger, forms, intake_fields, intake_render, plan_form
from crampcare.web.actor import actor_of

PAGE_SIZE = 25
MAX_PAGE = 100_000
PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "consent_treatment",
    "consent_data_processing",
)
CONSENTS = ("consent_treatment", "consent_data_processing")

View = Callable[..., HttpResponse]


def page(view: View) -> View:
    """Signed-in users only (others go to the sign-in page); a use case's refusal becomes the
    error page with its status (403, 404, 409 ...)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except ClinicError as exc:
            message = "; ".join(m for _, m in exc.errors) or str(exc)
            return render(
                request,
                "crampcare/error.html",
                {"status": exc.status, "message": message},
                status=exc.status,
            )

    return never_cache(wrapped)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _kb() -> Any:
    return services.knowledge_base()


# --- patients ------------------------------------------------------------------------------


@page
@require_http_methods(["GET"])
def patient_list(request: HttpRequest) -> HttpResponse:
    """The clinic's patients, searched by name, phone or email (live with htmx)."""
    query = request.GET.get("q", "")
    raw_page = request.GET.get("page", "1")
    errors: list[tuple[str, str]] = []
    try:
        number = input_limits.whole_number(raw_page, "page", low=1, high=MAX_PAGE)
    except Invalid as exc:
        errors += exc.errors
        number = 1
    result: dict[str, Any] = {"count": 0, "items": []}
    try:
        result = patients.list_patients(
            actor_of(request), query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
    except Invalid as exc:
        errors += exc.errors
    pages = max(1, -(-result["count"] // PAGE_SIZE))
    context = {
        "query": query,
        "clinical": may(actor_of(request), Can.CLINICAL),
        "result": result,
        "errors": errors,
        "page": number,
        "pages": pages,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < pages else None,
    }
    template = "crampcare/_patient_rows.html" if _htmx(request) else "crampcare/patients.html"
    return render(request, template, context, status=422 if errors else 200)


def _patient_form(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in PATIENT_FIELDS:
        if name in CONSENTS:
            data[name] = post.get(name) in {"on", "true", "1"}
        else:
            data[name] = post.get(name, "")
    return data


def _patient_context(values: dict[str, Any], errors: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": forms.by_field(errors),
        "summary": [
            {"href": f"#f-{f}" if f else "", "label": f.replace("_", " "), "message": m}
            for f, m in errors
        ],
        "sexes": intake_render.options(_kb(), "sexes"),
    }


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {"sex": ""}
    if request.method == "POST":
        values = _patient_form(request.POST)
        try:
            made = patients.create_patient(actor_of(request), values)
        except Invalid as exc:
            context = _patient_context(values, exc.errors)
            return render(request, "crampcare/patient_form.html", context, status=422)
        return HttpResponseRedirect(f"/patients/{made['id']}")
    return render(request, "crampcare/patient_form.html", _patient_context(values, []))


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: Any) -> HttpResponse:
    current = patients.get_patient(actor_of(request), patient_id)
    if request.method == "POST":
        values = _patient_form(request.POST)
        try:
            patients.update_patient(actor_of(request), patient_id, values)
        except Invalid as exc:
            context = {**_patient_context(values, exc.errors), "patient": current}
            return render(request, "crampcare/patient_form.html", context, status=422)
        return HttpResponseRedirect(f"/patients/{patient_id}")
    values = {name: current[name] for name in PATIENT_FIELDS}
    values["birth_date"] = current["birth_date"].isoformat()
    context = {**_patient_context(values, []), "patient": current}
    return render(request, "crampcare/patient_form.html", context)


# --- intake --------------------------------------------------------------------------------


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, patient_id: Any) -> HttpResponse:
    """The intake form: every key of crampcare.intake/1. A valid intake is stored as the
    patient's next version and assessed; an invalid one is shown again with its messages."""
    kb = _kb()
    previous = assessments.list_intakes(actor_of(request), patient_id)
    patient = patients.get_patient(actor_of(request), patient_id)
    status = 200
    extra_rows = 0
    if request.method == "POST":
        document, form, lab_rows = forms.intake_from_post(request.POST)
        if request.POST.get("action") == "add_lab":
            extra_rows = 1  # show one more laboratory row; nothing is checked or stored
        else:
            to_field = functools.partial(forms.intake_field, lab_rows=lab_rows)
            if form.errors:
                problems = check_intake(actor_of(request), patient_id, document, kb)
                form.errors = forms.attach(form.errors, problems, to_field)
            else:
                try:
                    made = assessments.create_assessment(
                        actor_of(request), {"patient_id": str(patient_id), "intake": document}, kb
                    )
                except ClinicError as exc:  # invalid, or no consent: nothing stored
                    form.errors = forms.attach([], exc.errors, to_field)
                    status = exc.status
                else:
                    return HttpResponseRedirect(f"/assessments/{made['id']}")
            if form.errors and status == 200:
                status = 422
    elif previous:
        form = forms.form_from_document(previous[0]["document"])
    else:
        form = forms.IntakeForm(
            values={
                "patient.birth_date": patient["birth_date"].isoformat(),
                "patient.sex": patient["sex"],
            }
        )
    context = {
        "patient": patient,
        "previous": previous[0] if previous else None,
        **intake_render.render_intake(form, kb, extra_rows),
    }
    return render(request, "crampcare/intake.html", context, status=status)


# --- assessment ----------------------------------------------------------------------------


def _chart(points: Sequence[ChartPoint], title: str) -> str:
    # our own SVG, in which every text from the assessment is escaped
    return mark_safe(body_chart_svg(points, _kb(), title=title))


@page
@require_http_methods(["GET"])
def assessment_detail(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    kb = _kb()
    a = assessments.get_assessment(actor_of(request), assessment_id, kb)
    patient = patients.get_patient(actor_of(request), a["patient_id"])
    result = a["result"]
    context = {
        "a": a,
        "r": result,
        "d": danger.danger_first(result, kb, a["kb_version"]),
        "patient": patient,
        "chart": _chart(result["points"], "Suggested points, front and back"),
        "regions": dict(kb.vocab_names["regions"]),
    }
    return render(request, "crampcare/assessment.html", context)


@page
@csrf_protect
@require_POST
def reassess(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    result, _ = assessments.reassess(actor_of(request), assessment_id, _kb())
    return HttpResponseRedirect(f"/assessments/{result['id']}")


# --- plan ----------------------------------------------------------------------------------


def _suggested(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**p, "pid": plans.point_id(p["code"], p.get("region"))} for p in result["points"]]


def _plan_context(
    a: dict[str, Any], patient: dict[str, Any], form: plan_form.PlanForm, extra: int
) -> dict[str, Any]:
    kb = _kb()
    errors = forms.by_field(form.errors)
    rows = list(form.added)
    while len(rows) < (len(form.added) + extra if form.added or extra else 1):
        rows.append({"code": "", "side": "both", "region": "", "reason": ""})
    suggested = [
        {
            **p,
            "decision": form.decisions.get(p["pid"], "accept"),
            "reason": form.reasons.get(p["pid"], ""),
            "decision_errors": errors.get(f"decision.{p['pid']}", []),
            "reason_errors": errors.get(f"reason.{p['pid']}", []),
            "decision_id": intake_fields.field_id(f"decision.{p['pid']}"),
            "reason_id": intake_fields.field_id(f"reason.{p['pid']}"),
        }
        for p in _suggested(a["result"])
    ]
    added = [
        {
            "index": i,
            "row": row,
            "id": intake_fields.field_id(f"added[{i}]"),
            "errors": {
                part: errors.get(f"added[{i}].{part}", []) for part in plan_form.ADDED_PARTS
            },
        }
        for i, row in enumerate(rows)
    ]
    avoid = {x["code"] for x in a["result"].get("avoid_points", [])}
    return {
        "a": a,
        "r": a["result"],
        "d": danger.danger_first(a["result"], kb, a["kb_version"]),
        "patient": patient,
        "suggested": suggested,
        "added": added,
        "note": form.note,
        "note_errors": errors.get("note", []),
        "summary": [
            {
                "href": f"#{intake_fields.field_id(f)}" if f else "",
                "message": m,
                "label": _plan_label(f),
            }
            for f, m in form.errors
        ],
        "points": [
            {"code": code, "name": f"{p.pinyin} ({p.english})", "avoid": code in avoid}
            for code, p in sorted(kb.points.items())
        ],
        "sides": intake_render.options(kb, "sides"),
        "regions": intake_render.options(kb, "regions"),
    }


def _plan_label(name: str) -> str:
    if name.startswith("reason."):
        return f"Reason for removing {name.removeprefix('reason.')}"
    if name.startswith("decision."):
        return f"Decision on {name.removeprefix('decision.')}"
    if name.startswith("added["):
        row, _, part = name.partition("].")
        return f"Added point {int(row.removeprefix('added[')) + 1}, {part}"
    return name.capitalize()


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    """Accept or remove each suggested point and add points; every removal and addition needs
    its reason. Stored through the plans use case, which checks every decision."""
    kb = _kb()
    a = assessments.get_assessment(actor_of(request), assessment_id, kb)
    patient = patients.get_patient(actor_of(request), a["patient_id"])
    form = plan_form.PlanForm()
    status, extra = 200, 0
    if request.method == "POST":
        pids = [p["pid"] for p in _suggested(a["result"])]
        body, form, removed_ids, added_rows = plan_form.plan_from_post(request.POST, pids)
        if request.POST.get("action") == "add_point":
            extra = 1
        elif form.errors:
            status = 422
        else:
            try:
                made = plans.create_plan(actor_of(request), assessment_id, body, kb)
            except ClinicError as exc:  # invalid, superseded, or no consent to treatment
                to_field = functools.partial(
                    plan_form.plan_field, removed_ids=removed_ids, added_rows=added_rows
                )
                form.errors = forms.attach([], exc.errors, to_field)
                status = exc.status
            else:
                return HttpResponseRedirect(f"/plans/{made['id']}")
    context = _plan_context(a, patient, form, extra)
    return render(request, "crampcare/plan_form.html", context, status=status)


@page
@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, plan_id: Any) -> HttpResponse:
    kb = _kb()
    plan = plans.get_plan(actor_of(request), plan_id)
    a = assessments.get_assessment(actor_of(request), plan["assessment_id"], kb)
    patient = patients.get_patient(actor_of(request), plan["patient_id"])
    roles = {plans.point_id(p["code"], p.get("region")): p for p in a["result"]["points"]}
    regions = dict(kb.vocab_names["regions"])
    used = []
    for p in plan["points"]:
        if p["decision"] == "removed":
            continue
        source = roles.get(p["point"], {})
        region = source.get("region") or regions.get(p["region"] or "", p["region"])
        used.append(
            {
                "code": p["code"],
                "side": p["side"],
                "role": source.get("role", "added"),
                "region": region,
            }
        )
    context = {
        "plan": plan,
        "a": a,
        "patient": patient,
        "chart": _chart(used, "Planned points, front and back"),
        "regions": regions,
    }
    return render(request, "crampcare/plan.html", context)
