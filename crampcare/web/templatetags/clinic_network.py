"""``{% plain_http_problem as problem %}``: why signing in cannot work over plain HTTP here."""

from __future__ import annotations

from typing import Any

from django import template

from crampcare.web.transport import PLAIN_HTTP_PROBLEM, insecure_lan

register = template.Library()


@register.simple_tag(takes_context=True)
def plain_http_problem(context: Any) -> str:
    request = context.get("request")
    return PLAIN_HTTP_PROBLEM if request is not None and insecure_lan(request) else ""
