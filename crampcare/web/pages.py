"""Server-rendered pages: signing in and out, accepting an invitation. The workbench pages
(``crampcare.web.workbench``) are built on these; like the API, they call only
``crampcare.clinic``."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare.clinic import accounts, invitations
from crampcare.clinic.errors import ClinicError, NotFound, Throttled
from crampcare.web.client import client_address


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    errors: list[tuple[str, str]] = []
    status = 200
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        data = {"username": username, "password": request.POST.get("password", "")}
        try:
            user = accounts.sign_in(data, client_address(request), request)
        except ClinicError as exc:
            errors, status = exc.errors, exc.status
            response = render(
                request,
                "crampcare/login.html",
                {"errors": errors, "username": username, "next": _next(request)},
                status=status,
            )
            if isinstance(exc, Throttled):
                response["Retry-After"] = str(exc.retry_after)
            return response
        login(request, user)
        return HttpResponseRedirect(_next(request))
    return render(
        request,
        "crampcare/login.html",
        {"errors": errors, "username": username, "next": _next(request)},
        status=status,
    )


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    accounts.sign_out(request.user, client_address(request))
    logout(request)
    return HttpResponseRedirect("/login")


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The invited user sets their own password, then signs in. A used, expired or replaced
    link is one 404."""
    found = invitations.valid(token)
    if found is None:
        raise Http404(invitations.NOT_VALID)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        password = request.POST.get("password", "")
        if password != request.POST.get("password_again", ""):
            errors = [("password", "the two passwords differ")]
        else:
            try:
                invitations.accept({"token": token, "password": password}, client_address(request))
            except NotFound:
                raise Http404(invitations.NOT_VALID) from None
            except ClinicError as exc:
                errors = exc.errors
            else:
                return HttpResponseRedirect("/login?confirmed=1")
    context = {"errors": errors, "invited": found.user, "clinic": found.user.clinic.name}
    return render(request, "crampcare/invitation.html", context, status=422 if errors else 200)
