"""Every signed-in user's account page: change their own password (the current one first; every
API token is revoked and every other browser signed out, this one stays signed in), sign out
everywhere, and their API tokens (listed without the token itself, each revocable).

The use cases are ``accounts.change_password``, ``accounts.sign_out_everywhere`` and
``admin.own_tokens`` / ``admin.revoke_own_token``; their refusals are shown on the page.
"""

from __future__ import annotations

from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare.clinic import accounts, admin
from crampcare.clinic.errors import Invalid, Throttled
from crampcare.web.actor import actor_of
from crampcare.web.client import client_address
from crampcare.web.workbench import page

ACCOUNT = "/account"
DONE = {
    "password": "Your password is changed. Your API tokens were revoked and every other "
    "browser was signed out.",
    "token": "The token is revoked.",
}


def _account_page(
    request: HttpRequest, errors: list[tuple[str, str]] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "tokens": admin.own_tokens(actor_of(request)),
        "errors": errors or [],
        "error_fields": {field for field, _ in errors or []},
        "done": DONE.get(request.GET.get("done", "")),
    }
    return render(request, "crampcare/account_settings.html", context, status=status)


@page
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@page
@csrf_protect
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    new = request.POST.get("new_password", "")[:1000]
    if new != request.POST.get("new_password_again", "")[:1000]:
        return _account_page(request, [("new_password_again", "the two new passwords differ")], 422)
    data = {
        "current_password": request.POST.get("current_password", "")[:1000],
        "new_password": new,
    }
    try:
        accounts.change_password(actor_of(request), data, client_address(request))
    except Invalid as exc:
        return _account_page(request, exc.errors, 422)
    except Throttled as exc:
        response = _account_page(request, exc.errors, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    update_session_auth_hash(request, actor_of(request))  # this browser stays signed in
    return HttpResponseRedirect(f"{ACCOUNT}?done=password")


@page
@csrf_protect
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Every session (this one too) and every API token of the user ends."""
    accounts.sign_out_everywhere(actor_of(request))
    logout(request)
    return HttpResponseRedirect("/login?signed_out=everywhere")


@page
@csrf_protect
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    admin.revoke_own_token(actor_of(request), token_id)
    return HttpResponseRedirect(f"{ACCOUNT}?done=token")
