"""Server-rendered pages: signing in and out. The workbench pages (``crampcare.web.workbench``)
are built on these; like the API, they call only ``crampcare.clinic``."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from crampcare.clinic import accounts
from crampcare.clinic.errors import ClinicError, Throttled


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
            user = accounts.sign_in(data, str(request.META.get("REMOTE_ADDR", "")), request)
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
    logout(request)
    return HttpResponseRedirect("/login")
