"""The baseline of bench/web_load.py: a bare Django view rendering a small template.

No database, no middleware, no session: Django's request handling and template engine alone,
served by the same gunicorn configuration as ``crampcare serve`` (crampcare.web.server: gthread
workers, the same workers and threads, the application loaded before the fork).
Run:
    .venv/bin/python bench/bare_django.py --port 8001 [--workers N] [--threads T]
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

TEMPLATE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1><table>{% for row in rows %}
<tr><td>{{ row.name }}</td><td>{{ row.born|date:"Y-m-d" }}</td><td>{{ row.note }}</td></tr>
{% endfor %}</table></body></html>"""


ROWS = [
    {"name": f"Patient {i}", "born": dt.date(1960, 1, 1 + i), "note": "<none> & more"}
    for i in range(20)
]
compiled: list[Any] = []  # the template, compiled once per process like Django's cached loader


def bare(request: HttpRequest) -> HttpResponse:
    if not compiled:
        compiled.append(engines["django"].from_string(TEMPLATE))
    return HttpResponse(compiled[0].render({"title": "Bare view", "rows": ROWS}))


urlpatterns = [path("", bare)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-" + "x" * 40,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    )
    django.setup()
    from django.core.wsgi import get_wsgi_application

    from crampcare.web import server

    application = get_wsgi_application()
    workers = args.workers or server.default_workers()

    def ready() -> None:
        print(f"bare view: serving on http://127.0.0.1:{args.port}/", flush=True)

    server.serve_gunicorn(
        application, server.Options("127.0.0.1", args.port, workers, args.threads, on_ready=ready)
    )


if __name__ == "__main__":
    main()
