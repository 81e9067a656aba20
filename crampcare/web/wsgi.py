"""The WSGI application that ``crampcare serve`` hands to waitress."""

from __future__ import annotations

from crampcare.web.boot import setup

setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
