"""The cramp diary's pages: the patient's page at /diary/<token> and the practitioner's Diary
panel on the patient page. Both call the use cases in ``crampcare.clinic.diary`` only.

The patient's page has no account behind it: the token in the path is the credential. Its form
is protected by Django's CSRF check like every other form. A ``POST`` whose body is
``application/json`` (for apps) is exempt from that check: a cross-site page cannot send that
content type without a CORS preflight, which is never granted, and the request carries no cookie
that would authorise it; the token in its path must be right (docs/design.md). Every bad token
(unknown, malformed, expired, revoked) gets the same 404 page, or the same JSON error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare import services
from crampcare.clinic import diary
from crampcare.clinic.errors import ClinicError, Invalid, NotFound, Throttled
from crampcare.web import session_forms
from crampcare.web.actor import actor_of
from crampcare.web.errors import error_response
from crampcare.web.workbench import page

SCALE = range(11)
NUMBERS = ("cramps", "worst_severity", "typical_duration_minutes", "sleep_disturbance")
PANEL_ROWS = 60  # entries shown on the patient page, newest first


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def regions() -> list[dict[str, str]]:
    names = services.knowledge_base().vocab_names.get("regions", {})
    return [{"id": ident, "name": name} for ident, name in names.items()]


def entry_from_form(post: Any, *, with_date: bool = True) -> dict[str, Any]:
    """A form's fields as the use case's document: numbers as numbers, empty as None."""
    data: dict[str, Any] = {name: session_forms.number(post.get(name, "")) for name in NUMBERS}
    data["regions"] = post.getlist("regions")
    if with_date:
        data["date"] = post.get("date", "").strip()
    return data


# --- the patient's page ----------------------------------------------------------------------


LABELS = {
    "date": "Day",
    "cramps": "Cramps",
    "worst_severity": "Worst cramp",
    "typical_duration_minutes": "Minutes",
    "sleep_disturbance": "Sleep",
    "regions": "Where",
}


def form_errors(exc: ClinicError, prefix: str = "f-") -> dict[str, Any]:
    """A use case's errors by the form field they name (``regions[1]`` is the regions field),
    and the summary at the top of the form, each line linking to its field."""
    errs: dict[str, list[str]] = {}
    for path, message in exc.errors:
        errs.setdefault(path.split("[")[0].split(".")[0], []).append(message)
    summary = [
        {"href": f"#{prefix}{name}" if name else "", "label": LABELS.get(name, name), "message": m}
        for name, messages in errs.items()
        for m in messages
    ]
    return {"errs": errs, "summary": summary}


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = services.knowledge_base().vocab_names.get("regions", {})
    return [{**e, "region_names": [names.get(r, r) for r in e["regions"]]} for e in rows]


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "crampcare/diary_missing.html", status=404)


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = render(
        request, "crampcare/diary_missing.html", {"throttled": exc.retry_after}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def _form_context(request: HttpRequest, token: str, today: dt.date) -> dict[str, Any]:
    view = diary.patient_view(token, client_ip(request), today)
    chosen = request.POST if request.method == "POST" else None
    return {
        **view,
        "entries": _named(view["entries"]),
        "scale": SCALE,
        "regions": regions(),
        "form": {
            "date": chosen.get("date", "") if chosen else today.isoformat(),
            **{name: chosen.get(name, "") if chosen else "" for name in NUMBERS},
            "regions": chosen.getlist("regions") if chosen else [],
        },
        "saved": request.GET.get("saved", ""),
        "replaced": request.GET.get("replaced") == "1",
        "window_days": diary.PATIENT_WINDOW_DAYS,
    }


@csrf_protect
def _patient_form(request: HttpRequest, token: str) -> HttpResponse:
    today = timezone.localdate()
    try:
        if request.method == "POST":
            try:
                made = diary.patient_entry(
                    token, entry_from_form(request.POST), today, client_ip(request)
                )
            except Invalid as exc:
                context = {**_form_context(request, token, today), **form_errors(exc)}
                return render(request, "crampcare/diary.html", context, status=422)
            day = made["entry"]["date"].isoformat()
            again = "&replaced=1" if made["replaced"] else ""
            return HttpResponseRedirect(f"{request.path}?saved={day}{again}#saved")
        return render(request, "crampcare/diary.html", _form_context(request, token, today))
    except NotFound:
        return _missing(request)
    except Throttled as exc:
        return _throttled(request, exc)


def _patient_json(request: HttpRequest, token: str) -> HttpResponse:
    from crampcare.web.api import StrictJSON

    try:
        data = StrictJSON().parse_body(request)
        made = diary.patient_entry(token, data, timezone.localdate(), client_ip(request))
    except NotFound:
        return error_response(404, [("", diary.MISSING)])
    except Throttled as exc:
        return error_response(429, exc.errors, {"Retry-After": str(exc.retry_after)})
    except ClinicError as exc:
        return error_response(exc.status, exc.errors)
    body = {"entry": made["entry"], "replaced": made["replaced"]}
    return JsonResponse(body, status=200 if made["replaced"] else 201)


@csrf_exempt  # only the JSON body below is exempt; the form goes through csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def patient_diary(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and request.content_type == "application/json":
        return _patient_json(request, token)
    return _patient_form(request, token)


# --- the practitioner's panel on the patient page --------------------------------------------


def _values(source: Any) -> dict[str, Any]:
    return {name: source.get(name) for name in ("date", *NUMBERS, "regions")}


def panel(user: Any, patient_id: Any) -> dict[str, Any]:
    """The Diary panel's content: the working links and the entries (each read audited)."""
    rows = _named(diary.entries(user, patient_id)[:PANEL_ROWS])
    for e in rows:
        e.update(values=_values(e), prefix=f"c-{e['id']}-", errs={})
    today = timezone.localdate()
    return {
        "links": [x for x in diary.list_links(user, patient_id) if x["state"] == "active"],
        "entries": rows,
        "regions": regions(),
        "today": today,
        "default_days": settings.DIARY_LINK_DAYS,
        "add_values": {"date": today.isoformat(), "cramps": 0, "regions": []},
        "add_errs": {},
    }


def _patient_page(
    request: HttpRequest, patient_id: Any, status: int
) -> tuple[dict[str, Any], Callable[[], HttpResponse]]:
    from crampcare.web import patient_pages  # the patient page includes this panel

    context = patient_pages._context(request, patient_id)  # noqa: SLF001
    return context, lambda: render(request, "crampcare/patient.html", context, status=status)


def _refused(request: HttpRequest, patient_id: Any, exc: ClinicError) -> HttpResponse:
    """The patient page again, the refused form open with what was typed and each problem
    beside its field (nothing was saved)."""
    post, action = request.POST, request.POST.get("action", "")
    typed = {**_values(post), "regions": post.getlist("regions")}
    context, respond = _patient_page(request, patient_id, exc.status)
    panel_ = context["diary"]
    prefix = "f-"
    if action == "add_entry":
        panel_.update(add_values=typed, failed=action)
    for e in panel_["entries"]:
        if action == "correct_entry" and str(e["id"]) == post.get("entry_id"):
            prefix = e["prefix"]
            e["values"] = {**typed, "date": e["date"]}
    shown = form_errors(exc, prefix)
    if action == "add_entry":
        panel_["add_errs"] = shown["errs"]
    for e in panel_["entries"]:
        if e["prefix"] == prefix:
            e["errs"] = shown["errs"]
    panel_["summary"] = shown["summary"]
    return respond()


@page
@csrf_protect
@require_POST
def patient_diary_action(request: HttpRequest, patient_id: Any) -> HttpResponse:
    """The panel's forms: create or stop a link, add or correct an entry."""
    user, action = actor_of(request), request.POST.get("action", "")
    if action == "create_link":
        base = request.build_absolute_uri("/").rstrip("/")
        made = diary.create_link(user, patient_id, base_url=base)
        context, respond = _patient_page(request, patient_id, 200)
        context["diary"]["new_link"] = made  # shown once: never stored, never redirected to
        return respond()
    try:
        if action == "revoke_link":
            diary.revoke_link(user, request.POST.get("link_id", ""))
        elif action == "add_entry":
            diary.add_entry(user, patient_id, entry_from_form(request.POST))
        elif action == "correct_entry":
            data = entry_from_form(request.POST, with_date=False)
            diary.correct_entry(user, request.POST.get("entry_id", ""), data)
        else:
            raise Invalid([("action", "choose what to do: create_link, revoke_link, ...")])
    except ClinicError as exc:
        if exc.status in {403, 404}:
            raise
        return _refused(request, patient_id, exc)
    return HttpResponseRedirect(f"/patients/{patient_id}#diary")
