"""The production server of ``crampcare serve``: gunicorn, one worker process per core, threads.

Why gunicorn with gthread workers (docs/design.md, decision "production server"): Django's
request handling holds the GIL for most of a request, so one process uses one core whatever its
threads; a process per core uses them all, and a few threads per process keep a core busy while a
request waits for the database. The application (Django, templates, the knowledge base) is
loaded once in the master before the workers fork, so each worker starts warm and shares that
memory. gunicorn speaks TLS itself (``serve --tls``). It runs on POSIX only: elsewhere
``crampcare serve`` falls back to waitress, one process with threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVER_NAME = "crampcare"  # the Server header: no product or version for a scanner to match
# templates rendered once in the master, so every worker has them compiled (cached loader)
WARM_TEMPLATES = (
    "crampcare/base.html",
    "crampcare/login.html",
    "crampcare/patients.html",
    "crampcare/patient.html",
    "crampcare/assessment.html",
    "crampcare/session.html",
    "crampcare/error.html",
)


@dataclass(frozen=True)
class Options:
    host: str
    port: int
    workers: int
    threads: int
    certfile: Path | None = None
    keyfile: Path | None = None
    on_ready: Callable[[], None] | None = None  # called once the socket listens

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def has_gunicorn() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:  # Windows: gunicorn needs fcntl
        return False
    return True


def warm() -> Any:
    """The WSGI application with everything a request needs loaded: settings, URL
    resolvers, the compiled templates and the knowledge base."""
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    from crampcare import services
    from crampcare.web.wsgi import application

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for name in WARM_TEMPLATES:
        get_template(name)
    services.knowledge_base()
    connections.close_all()  # no database connection may cross a fork
    return application


def run(options: Options) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM). Raises OSError when the address is taken."""
    if has_gunicorn():
        _run_gunicorn(options)
    else:
        _run_waitress(options)


def _run_gunicorn(options: Options) -> None:
    serve_gunicorn(warm(), options)


def serve_gunicorn(application: Any, options: Options) -> None:
    """``application`` under gunicorn as ``crampcare serve`` runs it (also bench/bare_django.py,
    the baseline of bench/web_load.py)."""
    import gunicorn.http.wsgi
    from gunicorn.app.base import BaseApplication

    gunicorn.http.wsgi.SERVER = SERVER_NAME
    config: dict[str, Any] = {
        "bind": [options.bind],
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "preload_app": True,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        # X-Forwarded-* are trusted by Django's own settings only (CRAMPCARE_BEHIND_TLS_PROXY)
        "forwarded_allow_ips": "",
        "accesslog": None,  # URLs can name patients; errors still go to the error log
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "crampcare",
    }
    if options.certfile and options.keyfile:
        config |= {"certfile": str(options.certfile), "keyfile": str(options.keyfile)}
    ready = options.on_ready

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in config.items():
                self.cfg.set(key, value)
            if ready is not None:
                self.cfg.set("when_ready", lambda _arbiter: ready())

        def load(self) -> Any:
            return application

    Server().run()


def _run_waitress(options: Options) -> None:
    if options.certfile:
        raise OSError(0, "--tls needs gunicorn (POSIX); put a TLS proxy in front instead")
    import waitress

    server = waitress.create_server(
        warm(),
        host=options.host,
        port=options.port,
        threads=options.threads,
        ident=SERVER_NAME,
        clear_untrusted_proxy_headers=True,
    )
    if options.on_ready is not None:
        options.on_ready()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
