"""The clinic admin's pages: the users of their clinic (invite, deactivate and reactivate, change
a role, reset a password, sign out everywhere; the account changes from the audit log) and the
clinic's audit log with filters. Also each patient's access log ("who saw this record"), for the
clinic's practitioners and admins, and its printable version for the patient.

Every page calls ``crampcare.clinic`` (accounts, admin, audit_log), which refuses anyone else
(403; another clinic's user or patient is 404). A link that lets someone set a password is shown
once, on the page that made it, and never stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare.clinic import accounts, admin, audit_log
from crampcare.clinic.access import Can, require
from crampcare.clinic.errors import Invalid
from crampcare.records.models import Role
from crampcare.web.actor import actor_of
from crampcare.web.workbench import page

USERS = "/admin/users"
INVITE_FIELDS = ("username", "role", "first_name", "last_name", "email", "licence_number")
CHANGE_EVENTS = 50
DONE = {
    "deactivated": "The user is deactivated: their sessions and API tokens ended.",
    "reactivated": "The user is active again (their old API tokens stay revoked).",
    "role": "The role is changed; the user was signed out everywhere.",
    "signed_out": "The user is signed out everywhere: every session and API token ended.",
}


def _users_page(
    request: HttpRequest,
    *,
    errors: list[tuple[str, str]] | None = None,
    form: dict[str, str] | None = None,
    made: dict[str, Any] | None = None,
    made_for: str = "",
    status: int = 200,
) -> HttpResponse:
    user = actor_of(request)
    link = request.build_absolute_uri(made["invitation"]["path"]) if made else ""
    context = {
        "users": admin.users_table(user),
        "changes": admin.user_changes(user, CHANGE_EVENTS),
        "roles": Role.choices,
        "errors": errors or [],
        "error_fields": {field for field, _ in errors or []},
        "form": form or {},
        "made": made,
        "made_for": made_for,
        "link": link,
        "done": DONE.get(request.GET.get("done", "")),
    }
    return render(request, "crampcare/admin_users.html", context, status=status)


@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    """The users of the admin's clinic; POST invites one (the link is shown once)."""
    require(actor_of(request), Can.MANAGE_USERS, "user")
    if request.method == "GET":
        return _users_page(request)
    form = {name: request.POST.get(name, "")[:200] for name in INVITE_FIELDS}
    try:
        made = accounts.create_user(actor_of(request), form)
    except Invalid as exc:
        return _users_page(request, errors=exc.errors, form=form, status=422)
    return _users_page(request, made=made, made_for="invited")


def _user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    actor = actor_of(request)
    if action == "deactivate":
        accounts.deactivate_user(actor, user_id)
        return HttpResponseRedirect(f"{USERS}?done=deactivated")
    if action == "reactivate":
        admin.reactivate_user(actor, user_id)
        return HttpResponseRedirect(f"{USERS}?done=reactivated")
    if action == "sign-out-everywhere":
        accounts.sign_out_everywhere(actor, user_id)
        return HttpResponseRedirect(f"{USERS}?done=signed_out")
    if action == "reset-password":
        made = accounts.reset_password(actor, user_id)
        return _users_page(request, made=made, made_for="reset")
    data = {
        "role": request.POST.get("role", "")[:40],
        "licence_number": request.POST.get("licence_number", "")[:200],
    }
    try:
        changed = accounts.change_role(actor, user_id, data)
    except Invalid as exc:
        return _users_page(request, errors=exc.errors, status=422)
    if changed.get("invitation"):
        return _users_page(request, made=changed, made_for="role")
    return HttpResponseRedirect(f"{USERS}?done=role")


def _action_view(action: str) -> Any:
    @page
    @csrf_protect
    @require_POST
    def view(request: HttpRequest, user_id: int) -> HttpResponse:
        return _user_action(request, user_id, action)

    view.__name__ = f"user_{action.replace('-', '_')}"
    return view


deactivate = _action_view("deactivate")
reactivate = _action_view("reactivate")
change_role = _action_view("role")
reset_password = _action_view("reset-password")
sign_out_everywhere = _action_view("sign-out-everywhere")


# --- the audit log -------------------------------------------------------------------------


def _query(raw: dict[str, str], **changes: Any) -> str:
    """The page's query string with ``changes`` (for the newest and older page links)."""
    merged = {**{k: v for k, v in raw.items() if v}, **changes}
    return urlencode(merged)


@page
@require_http_methods(["GET"])
def audit_view(request: HttpRequest) -> HttpResponse:
    """The clinic's audit log, newest first, with filters; what each entry holds, nothing more."""
    raw = {name: request.GET.get(name, "")[:200] for name in audit_log.FILTERS}
    context: dict[str, Any] = {"raw": raw, "actions": audit_log.ACTIONS, "errors": []}
    try:
        log = audit_log.clinic_log(actor_of(request), raw, request.GET.get("before", "")[:30])
    except Invalid as exc:  # the filters (the role was checked first)
        context["errors"] = exc.errors
        context["error_fields"] = {field for field, _ in exc.errors}
        return render(request, "crampcare/admin_audit.html", context, status=422)
    context["log"] = log
    context["newest"] = _query(raw) if log["before"] else ""
    context["older"] = _query(raw, before=log["older"]) if log["older"] else ""
    return render(request, "crampcare/admin_audit.html", context)


# --- a patient's access log ----------------------------------------------------------------


@page
@require_http_methods(["GET"])
def access_log(request: HttpRequest, patient_id: Any) -> HttpResponse:
    log = audit_log.access_log(actor_of(request), patient_id, request.GET.get("before", "")[:30])
    return render(request, "crampcare/admin_access_log.html", {"log": log})


@page
@require_http_methods(["GET"])
def access_log_print(request: HttpRequest, patient_id: Any) -> HttpResponse:
    log = audit_log.access_log(actor_of(request), patient_id, printable=True)
    return render(request, "crampcare/admin_access_log_print.html", {"log": log})
