"""The client's address, for the sign-in throttle and the audit log.

By default it is the connection's address (``REMOTE_ADDR``). Behind a reverse proxy every
request comes from the proxy, so that one client's failed sign-ins would slow down the whole
clinic: set ``CRAMPCARE_TRUSTED_PROXY_HEADER`` (e.g. ``X-Forwarded-For``) and
``CRAMPCARE_TRUSTED_PROXY_HOPS`` (how many proxies of yours append to it, 1 by default). The
address is then read from the header, counting that many entries from the right: entries further
left were written by the client and can be forged. Set the header only when a proxy always sets
it, or anyone can choose their own address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

MAX_LENGTH = 45


def client_address(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")[:MAX_LENGTH]
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    hops = settings.TRUSTED_PROXY_HOPS
    raw = str(request.META.get("HTTP_" + header.upper().replace("-", "_"), ""))
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    if len(entries) < hops:
        return remote
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
