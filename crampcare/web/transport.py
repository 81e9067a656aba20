"""How a browser reaches the workbench: what plain HTTP on the clinic network cannot do.

The session and CSRF cookies are Secure (CRAMPCARE_SECURE_COOKIES, on by default): a browser
keeps them only over HTTPS or from localhost. A tablet that opens ``http://192.168.1.20:8000``
therefore never sends them back, and without this module the first thing it saw was "CSRF check
failed". ``insecure_lan`` recognises that case so the sign-in page and the CSRF refusal explain
it and name the way out (docs/clinic-network.md).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

LOOPBACK_NAMES = {"localhost"}
PLAIN_HTTP_PROBLEM = (
    "This page was opened over plain http:// on the clinic network. Your sign-in is kept in a "
    "secure cookie, which browsers send back only over https://, so signing in here cannot "
    "work. Open the https:// address of this server (crampcare serve --tls prints it), or ask "
    "whoever set it up to follow docs/clinic-network.md."
)


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def insecure_lan(request: HttpRequest) -> bool:
    """The browser uses plain HTTP to a name other than localhost, while cookies are Secure."""
    if request.is_secure() or not settings.SESSION_COOKIE_SECURE:
        return False
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return not _is_loopback(name)
