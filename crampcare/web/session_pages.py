"""The treatment session page: tablet first, used beside the treatment table.

Every view calls the session use cases in ``crampcare.clinic.sessions`` and nothing else. Each
action is a plain form that works without JavaScript (post, then back to the page);
``static/crampcare/session.js`` takes over the needle counter, the retention timer and the
contact toggle and calls the JSON API instead, without reloading. The page is always drawn from
the stored session, so a reload shows the truth: the timer counts from the start the server
stored, not from anything kept in the browser.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare import services
from crampcare.clinic import assessments, patients, plans, sessions
from crampcare.clinic.errors import ClinicError
from crampcare.web import danger, session_forms
from crampcare.web.actor import actor_of
from crampcare.web.intake_fields import field_id
from crampcare.web.live_view import balance, timer
from crampcare.web.workbench import page

SPARE_POINT_ROWS = 1


def _kb() -> Any:
    return services.knowledge_base()


def point_name(kb: Any, code: str) -> dict[str, Any]:
    """A point's names from the catalogue (every kb point is in it), and whether the kb carries
    its clinical detail (cautions)."""
    key = code.upper().replace("-", "")
    if key == "ASHI":
        return {"label": "Ashi (tender point)", "in_kb": True, "known": True}
    entry = kb.catalogue.get(key)
    if entry is None:
        return {"label": "", "in_kb": False, "known": False}
    label = f"{entry.display_code} {entry.pinyin} {entry.hanzi} ({entry.english})"
    return {"label": label, "in_kb": key in kb.points, "known": True}


def _point_rows(
    kb: Any, points: list[dict[str, Any]], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The form's point rows: the points needled, the plan points left out (ticked "not
    needled", with their reason), and a spare row to add a point."""
    rows = []
    for i, p in enumerate([*points, *({} for _ in range(SPARE_POINT_ROWS))]):
        parts = [*session_forms.POINT_PARTS, "drop"]
        parts += [f"electrical.{e}" for e in session_forms.ELECTRICAL_PARTS]
        ids = {part.replace("electrical.", "e_"): field_id(f"points[{i}].{part}") for part in parts}
        rows.append(
            {
                "i": i,
                "p": p,
                "e": p.get("electrical") or {},
                "ids": ids,
                "errors": {k: errors.get(v, []) for k, v in ids.items()},
                "name": point_name(kb, str(p["code"])) if p.get("code") else None,
                "spare": not p,
            }
        )
    return rows


def _left_out(omitted: list[dict[str, Any]], plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan points left out as form rows (code, side and region from the plan)."""
    by_id = {p["point"]: p for p in plan["points"]}
    rows = []
    for o in omitted:
        planned = by_id.get(o["point"], {})
        code, _, region = o["point"].partition("@")
        rows.append(
            {
                "code": code,
                "side": planned.get("side", "both"),
                "region": region or None,
                "reason": o.get("reason", ""),
                "drop": True,
            }
        )
    return rows


def _change(change: dict[str, Any]) -> str:
    """One change from the plan in words."""
    what = "added" if change["change"] == "added" else "left out"
    reason = change.get("reason") or "no reason given yet"
    return f"{change['point']} {what}: {reason}"


def _rom_regions(user: Any, a: dict[str, Any]) -> list[str]:
    """The neck or back regions the assessed complaint concerns (range of motion is asked
    there only)."""
    for intake in assessments.list_intakes(user, a["patient_id"]):
        if intake["id"] == a["intake_id"]:
            regions = (intake["document"].get("complaint") or {}).get("regions") or []
            return [r for r in regions if r in session_forms.ROM_REGIONS]
    return []


def _context(
    request: HttpRequest,
    s: dict[str, Any],
    form: dict[str, Any] | None = None,
    errors: list[tuple[str, str]] | None = None,
    refusal: str = "",
) -> dict[str, Any]:
    """The page's context: the stored session, or the form as submitted (``form``) with the
    use case's errors next to the fields they name."""
    kb = _kb()
    a = assessments.get_assessment(actor_of(request), s["assessment_id"], kb)
    patient = patients.get_patient(actor_of(request), s["patient_id"])
    plan = plans.get_plan(actor_of(request), s["plan_id"])
    doc = {**s["document"], **(form or {})}
    omitted = (form or {}).get("omitted", s["omitted"])
    needled = len(doc.get("points") or [])
    by_id = session_forms.error_ids(session_forms.omitted_to_rows(errors or [], needled))
    measures = doc.get("measures") or {}
    rom = list(measures.get("range_of_motion") or [])
    rom_regions = _rom_regions(request.user, a)
    rom_rows = [*rom, *({} for _ in range(2 if rom_regions else 0))]
    name = f"{patient['given_name']} {patient['family_name']}"
    return {
        "s": s,
        "doc": doc,
        "a": a,
        "d": danger.danger_first(a["result"], kb, a["kb_version"]),
        "patient": patient,
        "timer": timer(s, name),
        "balance": balance(s["needles"]["inserted"], s["needles"]["removed"]),
        "point_rows": _point_rows(kb, [*doc.get("points", []), *_left_out(omitted, plan)], by_id),
        "catalogue": sorted(
            (c.display_code, f"{c.pinyin} ({c.english})") for c in kb.catalogue.values()
        ),
        "positions": {  # those the assessment allows, and any already recorded
            k: v
            for k, v in kb.vocab_names["positions"].items()
            if k in s["positions_allowed"] or k in (doc.get("positions") or [])
        },
        "sides": dict(kb.vocab_names["sides"]),
        "regions": dict(kb.vocab_names["regions"]),
        "stimulations": session_forms.STIMULATIONS,
        "waveforms": session_forms.WAVEFORMS,
        "global_change": session_forms.GLOBAL_CHANGE,
        "global_change_label": session_forms.GLOBAL_CHANGE.get(measures.get("global_change", "")),
        "adverse_kinds": session_forms.ADVERSE_KINDS,
        "severities": session_forms.SEVERITIES,
        "rom_regions": {r: session_forms.ROM_REGIONS[r] for r in rom_regions}
        or session_forms.ROM_REGIONS,
        "rom_asked": bool(rom_regions or rom),
        "rom_rows": [{"i": i, "r": r} for i, r in enumerate(rom_rows)],
        "movements": session_forms.MOVEMENTS,
        "pain_scale": range(11),
        "pain_fields": [
            {
                "name": key,
                "label": label,
                "id": field_id(f"measures.{key}"),
                "value": measures.get(key),
                "errors": by_id.get(field_id(f"measures.{key}"), []),
            }
            for key, label in (("pain_before", "Pain before"), ("pain_after", "Pain after"))
        ],
        "note_parts": [
            {"part": part, "label": label, "value": (doc.get("note") or {}).get(part) or ""}
            for part, label in session_forms.NOTE_PARTS.items()
        ],
        "positions_errors": [m for k, v in by_id.items() if k.startswith("f-positions") for m in v],
        "changes": [_change(c) for c in s.get("changes_from_plan") or []],
        "errors": by_id,
        "summary": session_forms.summary(by_id),
        "refusal": refusal,
    }


def _show(
    request: HttpRequest,
    s: dict[str, Any],
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(request, "crampcare/session.html", _context(request, s, **extra), status=status)


def _back(session_id: Any, anchor: str = "") -> HttpResponse:
    return HttpResponseRedirect(f"/sessions/{session_id}{anchor}")


@page
@csrf_protect
@require_POST
def session_start(request: HttpRequest) -> HttpResponse:
    """Start a session from the patient's current plan ("Start session" on the plan and the
    patient page). A refusal (needling deferred, no consent, no plan, a session already open)
    is shown with its reason, each problem naming its field."""
    data = {"patient_id": request.POST.get("patient_id", "")}
    if request.POST.get("plan_id"):
        data["plan_id"] = request.POST["plan_id"]
    try:
        made = sessions.start_session(actor_of(request), data, _kb())
    except ClinicError as exc:
        context = {"status": exc.status, "message": refusal_text(exc)}
        return render(request, "crampcare/error.html", context, status=exc.status)
    return _back(made["id"])


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, session_id: Any) -> HttpResponse:
    """The session. POST saves the record form (points, positions, measures, SOAP note); with
    ``action=add_point`` it only draws one more point row, storing nothing."""
    kb = _kb()
    s = sessions.get_session(actor_of(request), session_id, kb)
    if request.method == "GET":
        return _show(request, s)
    planned = [p["point"] for p in plans.get_plan(actor_of(request), s["plan_id"])["points"]]
    form = session_forms.record_from_post(request.POST, planned, live=s["status"] == "open")
    if request.POST.get("action") == "add_point":
        return _show(request, s, form=form)  # the spare row is drawn again, empty
    try:
        sessions.update_session(actor_of(request), session_id, form, kb)
    except ClinicError as exc:
        return _show(request, s, status=exc.status, form=form, errors=exc.errors)
    return _back(session_id, "#record")


def refusal_text(exc: ClinicError) -> str:
    """A refusal in words, each problem naming its field."""
    return "; ".join(f"{f}: {m}" if f else m for f, m in exc.errors) or str(exc)


def _act(request: HttpRequest, session_id: Any, call: Any, anchor: str) -> HttpResponse:
    """Run one action; its refusal is drawn on the page, naming why (nothing was stored)."""
    try:
        call()
    except ClinicError as exc:
        if exc.status in {403, 404}:
            raise
        s = sessions.get_session(actor_of(request), session_id, _kb())
        return _show(request, s, status=exc.status, refusal=refusal_text(exc))
    return _back(session_id, anchor)


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in {"on", "true", "1"}


@page
@csrf_protect
@require_POST
def session_needles(request: HttpRequest, session_id: Any) -> HttpResponse:
    data = {
        "which": request.POST.get("which", ""),
        "delta": session_forms.number(request.POST.get("delta", "")),
    }
    return _act(
        request,
        session_id,
        lambda: sessions.count_needles(actor_of(request), session_id, data),
        "#needles",
    )


@page
@csrf_protect
@require_POST
def session_lot(request: HttpRequest, session_id: Any) -> HttpResponse:
    data = {"lot": request.POST.get("lot", "")}
    return _act(
        request,
        session_id,
        lambda: sessions.update_session(actor_of(request), session_id, data, _kb()),
        "#needles",
    )


@page
@csrf_protect
@require_POST
def session_retention(request: HttpRequest, session_id: Any) -> HttpResponse:
    data = {"action": request.POST.get("action", "")}
    return _act(
        request,
        session_id,
        lambda: sessions.retention(actor_of(request), session_id, data),
        "#timer",
    )


@page
@csrf_protect
@require_POST
def session_contact(request: HttpRequest, session_id: Any) -> HttpResponse:
    data = {
        "action": request.POST.get("action", ""),
        "electrical": _flag(request, "electrical"),
        "reinsertion": _flag(request, "reinsertion"),
    }
    return _act(
        request,
        session_id,
        lambda: sessions.contact(actor_of(request), session_id, data),
        "#contact",
    )


@page
@csrf_protect
@require_POST
def session_adverse_event(request: HttpRequest, session_id: Any) -> HttpResponse:
    data = {
        k: request.POST.get(k, "").strip()
        for k in ("kind", "severity", "action", "description", "at")
    }
    data = {k: v for k, v in data.items() if v or k in {"kind", "severity", "action"}}
    return _act(
        request,
        session_id,
        lambda: sessions.add_adverse_event(actor_of(request), session_id, data),
        "#adverse",
    )


@page
@csrf_protect
@require_POST
def session_close(request: HttpRequest, session_id: Any) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda: sessions.close_session(actor_of(request), session_id, _kb()),
        "#finish",
    )


@page
@csrf_protect
@require_POST
def session_sign(request: HttpRequest, session_id: Any) -> HttpResponse:
    return _act(
        request, session_id, lambda: sessions.sign_session(actor_of(request), session_id), "#finish"
    )


@page
@csrf_protect
@require_POST
def session_addendum(request: HttpRequest, session_id: Any) -> HttpResponse:
    data = {"reason": request.POST.get("reason", ""), "text": request.POST.get("text", "")}
    return _act(
        request,
        session_id,
        lambda: sessions.add_addendum(actor_of(request), session_id, data),
        "#addenda",
    )
