"""Security headers on every response, and one JSON error shape for every API error."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from crampcare.web.errors import API_PREFIX, error_response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeaders:
    """Content-Security-Policy and Permissions-Policy everywhere; no caching of anything that
    may hold patient data (every page and API response except static files)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        if request.path.startswith(API_PREFIX) and response.status_code >= 400:
            response = _as_error_shape(response)
        return response


def _as_error_shape(response: HttpResponse) -> HttpResponse:
    """Rewrite an API error that did not come through our handlers (405 from the router,
    a 404 page, a CSRF refusal) into the one error shape."""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict) and body.get("ok") is False and "errors" in body:
            return response
    fixed = error_response(response.status_code)
    for header in ("Allow", "WWW-Authenticate", "Retry-After"):
        if header in response:
            fixed[header] = response[header]
    for header, value in response.headers.items():
        if header.lower() in {"content-security-policy", "permissions-policy", "cache-control"}:
            fixed[header] = value
    return fixed
