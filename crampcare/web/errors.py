"""The one error shape of the API, and the error pages.

Every 4xx and 5xx under /api/ is ``{"ok": false, "status": 422, "error": "…",
"errors": [{"field": "…", "message": "…"}]}``; ``error`` joins the messages, and ``field`` is
a dotted path into the request (``""`` when the problem is not one field's).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

API_PREFIX = "/api/"


def error_body(status: int, errors: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    items = [{"field": field, "message": message} for field, message in errors]
    if not items:
        items = [{"field": "", "message": _phrase(status)}]
    text = "; ".join(f"{i['field']}: {i['message']}" if i["field"] else i["message"] for i in items)
    return {"ok": False, "status": status, "error": text, "errors": items}


def error_response(
    status: int, errors: Iterable[tuple[str, str]] = (), headers: dict[str, str] | None = None
) -> JsonResponse:
    response = JsonResponse(error_body(status, errors), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"


def _page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return error_response(status, [("", message)])
    return render(
        request, "crampcare/error.html", {"status": status, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "bad request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "you may not see this page")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "no such page")


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, "internal error: nothing was changed; the error was logged")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    from crampcare.web.transport import PLAIN_HTTP_PROBLEM, insecure_lan

    if insecure_lan(request):  # the Secure CSRF cookie was never kept: say why, not "CSRF"
        return _page(request, 403, PLAIN_HTTP_PROBLEM)
    return _page(
        request, 403, "the form had expired or came from elsewhere (CSRF check failed): reload it"
    )
