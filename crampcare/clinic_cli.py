"""The clinic's commands of the ``crampcare`` CLI: serve, demo, audit, openapi, reassess.

These need Django; it is configured inside each command (``crampcare.web.boot.setup``), so that
importing the CLI, and the ``kb`` and ``assess`` commands, never touch settings or a database.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class CommandError(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


def add_commands(sub: Any) -> None:
    """Add the commands to the CLI's subparsers; each handler reports its own errors."""
    serve = sub.add_parser(
        "serve",
        help="run the clinic's web workbench and JSON API (gunicorn, a process per core; "
        "migrates first)",
    )
    serve.add_argument("--demo", action="store_true", help="also create the demo clinic")
    serve.add_argument(
        "--host", help="address to listen on (127.0.0.1; with --tls 0.0.0.0, every address)"
    )
    serve.add_argument("--port", type=int, help="port to listen on (8000; with --tls 8443)")
    serve.add_argument("--bind", metavar="HOST:PORT", help="both at once, e.g. 0.0.0.0:8443")
    serve.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    serve.add_argument(
        "--tls",
        action="store_true",
        help="HTTPS with the clinic's own CA and certificate, made in the data directory "
        "(docs/clinic-network.md)",
    )
    serve.add_argument(
        "--tls-name",
        action="append",
        default=[],
        metavar="NAME",
        help="another DNS name or address the certificate must cover (repeatable)",
    )
    serve.set_defaults(func=_guarded(cmd_serve))

    demo = sub.add_parser("demo", help="create the demo clinic, patients and assessments")
    demo.set_defaults(func=_guarded(cmd_demo))

    audit = sub.add_parser("audit", help="the audit log of patient-data access")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    verify = audit_sub.add_parser(
        "verify",
        help="recompute every clinic's hash chain and check it against the signed checkpoints; "
        "exit 1 naming each changed, removed or rewritten entry",
    )
    verify.add_argument(
        "--checkpoints", type=Path, help="a checkpoint file (default: the data directory's)"
    )
    verify.add_argument(
        "--public-key", type=Path, help="the audit key's public half (default: <key file>.pub)"
    )
    verify.set_defaults(func=_guarded(cmd_audit_verify))
    checkpoint = audit_sub.add_parser(
        "checkpoint",
        help="sign every chain's head now and append it to the checkpoint file (docs/audit.md)",
    )
    checkpoint.add_argument(
        "--print", action="store_true", help="also print the checkpoints (JSON lines)"
    )
    checkpoint.set_defaults(func=_guarded(cmd_audit_checkpoint))

    openapi = sub.add_parser("openapi", help="print the API's OpenAPI description (JSON)")
    openapi.set_defaults(func=_guarded(cmd_openapi))

    reassess = sub.add_parser(
        "reassess", help="re-assess every assessment made under an older knowledge base"
    )
    reassess.set_defaults(func=_guarded(cmd_reassess))


Command = Callable[[argparse.Namespace], int]


def _guarded(command: Command) -> Command:
    """The command, with configuration and database errors turned into messages."""

    def run(args: argparse.Namespace) -> int:
        return _run(command, args)

    return run


def _run(command: Command, args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        return command(args)
    except CommandError as exc:
        print(f"crampcare: {exc}", file=sys.stderr)
        return exc.code
    except ImproperlyConfigured as exc:
        print(f"crampcare: configuration: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except DatabaseError as exc:
        print(f"crampcare: database: {str(exc).strip()}", file=sys.stderr)
        return EXIT_FAILED


# --- start-up ------------------------------------------------------------------------------


def _prepare() -> Path:
    """Create the data directory and secret key on first run, then configure Django."""
    from crampcare.web import config

    directory = config.data_dir()
    if "CRAMPCARE_SECRET_KEY" not in os.environ:
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            key_file = directory / config.SECRET_KEY_FILE
            if not key_file.exists():
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(secrets.token_urlsafe(50))
        except OSError as exc:
            raise CommandError(
                f"CRAMPCARE_DATA_DIR={str(directory)!r}: cannot create ({exc.strerror})"
            ) from None
    elif not os.environ.get("DATABASE_URL"):
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise CommandError(
                f"CRAMPCARE_DATA_DIR={str(directory)!r}: cannot create ({exc.strerror})"
            ) from None
    from crampcare.web import boot

    boot.setup()
    return directory


def _describe_database() -> str:
    from django.conf import settings

    from crampcare.web import config

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite database {db['NAME']}"
    return f"PostgreSQL database {config.redact(os.environ.get('DATABASE_URL', ''))}"


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _first_admin(interactive: bool) -> None:
    from crampcare.clinic import accounts
    from crampcare.clinic.errors import Invalid

    if accounts.has_users():
        return
    if not interactive:
        raise CommandError(
            "no users yet: run 'crampcare serve' in a terminal to create the first admin, "
            "or 'crampcare serve --demo' for the demo clinic"
        )
    print("First run: create the clinic and its administrator.")
    clinic = input("Clinic name: ")
    username = input("Admin username: ")
    email = input("Admin email (optional): ")
    while True:
        password = getpass.getpass("Password (12+ characters): ")
        if password != getpass.getpass("Password again: "):
            print("  the passwords differ; try again", file=sys.stderr)
            continue
        try:
            accounts.first_admin(
                clinic, {"username": username, "email": email, "password": password}
            )
        except Invalid as exc:
            for field, message in exc.errors:
                print(f"  {field}: {message}", file=sys.stderr)
            if any(field != "password" for field, _ in exc.errors):
                raise CommandError("first admin not created") from None
            continue
        print(f"Created {username!r}, clinic admin of {clinic.strip()!r}.")
        return


def _demo() -> None:
    from crampcare import services
    from crampcare.clinic import demo

    if demo.exists():
        print(f"demo clinic: {demo.CLINIC!r} exists already (passwords were shown when made)")
        return
    made = demo.build(services.knowledge_base())
    print(f"demo clinic: {made['clinic']!r} with {len(made['patients'])} patients")
    for row in made["patients"]:
        needling = "needling allowed" if row["needling_allowed"] else "needling deferred"
        print(f"  {row['patient']:<20} referral {row['urgency']:<9} {needling}")
    print("Sign in with (these passwords are shown only this once):")
    for user in made["users"]:
        print(f"  {user['username']:<18} {user['password']:<18} {user['role']}")


# --- commands ------------------------------------------------------------------------------


def _listen_address(args: argparse.Namespace) -> tuple[str, int]:
    host, port = args.host, args.port
    if args.bind:
        bound_host, sep, bound_port = args.bind.rpartition(":")
        if not sep or not bound_port.isdigit():
            raise CommandError(f"--bind {args.bind!r}: use HOST:PORT, e.g. 0.0.0.0:8443")
        host, port = bound_host or "0.0.0.0", int(bound_port)
    host = (host or ("0.0.0.0" if args.tls else "127.0.0.1")).strip("[]")
    port = port if port is not None else (8443 if args.tls else 8000)
    if not 1 <= port <= 65535:
        raise CommandError(f"--port {port}: use 1 to 65535")
    return host, port


def _check_free(host: str, port: int) -> None:
    """Fail at once with a message when the address is taken (gunicorn would retry, then exit)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}", EXIT_FAILED) from None


def cmd_serve(args: argparse.Namespace) -> int:
    from crampcare.web import server

    host, port = _listen_address(args)
    workers = args.workers if args.workers is not None else server.default_workers()
    if not 1 <= workers <= 64:
        raise CommandError(f"--workers {workers}: use 1 to 64")
    if not 1 <= args.threads <= 64:
        raise CommandError(f"--threads {args.threads}: use 1 to 64")
    names: list[str] = []
    if args.tls or host not in LOOPBACK:
        from crampcare.web import tls

        names = tls.machine_names(host, tuple(args.tls_name))
        hosts = os.environ.get("CRAMPCARE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
        shown_names = [f"[{n}]" if ":" in n else n for n in names]
        os.environ["CRAMPCARE_ALLOWED_HOSTS"] = ",".join([hosts, *shown_names])
    _check_free(host, port)
    directory = _prepare()
    print(f"crampcare: data directory {directory}", flush=True)
    print(f"crampcare: {_describe_database()}", flush=True)
    _migrate()
    if args.demo:
        _demo()
    _first_admin(sys.stdin.isatty())

    from django.conf import settings

    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if args.tls else "http"
    url = f"{scheme}://{shown}:{port}/"
    certfile = keyfile = None
    if args.tls:
        files = tls.ensure(directory, names)
        certfile, keyfile = files.cert, files.key
        print(tls.instructions(files, f"https://{tls.tablet_address(names)}:{port}/"), flush=True)
    elif settings.SESSION_COOKIE_SECURE and host not in LOOPBACK:
        print(
            "crampcare: cookies are Secure: browsers send them only over HTTPS (or to "
            "localhost), so tablets cannot sign in over plain http://; use 'crampcare serve "
            "--tls' or a TLS proxy (docs/clinic-network.md)",
            file=sys.stderr,
        )

    def ready() -> None:
        print(
            f"crampcare: serving on {url} ({workers} worker process(es) x {args.threads} "
            "threads; Ctrl-C to stop)",
            flush=True,
        )

    from crampcare.records import audit_checkpoints

    audit_checkpoints.start_checkpoint_schedule()  # in this (the main) process only
    from crampcare.backup import schedule

    schedule.start()  # CRAMPCARE_BACKUP_SCHEDULE (off by default; docs/backups.md)
    options = server.Options(host, port, workers, args.threads, certfile, keyfile, ready)
    try:
        server.run(options)
    except OSError as exc:
        raise CommandError(f"cannot serve on {host}:{port}: {exc.strerror}", EXIT_FAILED) from None
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    directory = _prepare()
    print(f"crampcare: data directory {directory}")
    print(f"crampcare: {_describe_database()}")
    _migrate()
    _demo()
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from crampcare.web import boot

    boot.setup()
    from crampcare.records import audit

    report = audit.verify(checkpoint_file=args.checkpoints, public_key=args.public_key)
    if report.ok:
        print(
            f"audit log OK: {report.entries} entries in {len(report.chains)} chains, "
            f"{report.checkpoints} checkpoints hold"
        )
        return EXIT_OK
    for problem in report.problems:
        print(f"audit log: {problem}", file=sys.stderr)
    print(
        f"audit log FAILED: {len(report.problems)} problem(s) in {report.entries} entries",
        file=sys.stderr,
    )
    return EXIT_FAILED


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from crampcare.web import boot

    boot.setup()
    from crampcare.records import audit_checkpoints

    try:
        made = audit_checkpoints.take()
    except (OSError, ValueError) as exc:
        raise CommandError(f"audit checkpoint: {exc}", EXIT_FAILED) from None
    for checkpoint in made if args.print else []:
        print(checkpoint.line())
    print(
        f"audit: {len(made)} chain(s) checkpointed in {audit_checkpoints.checkpoint_file()}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_openapi(args: argparse.Namespace) -> int:
    from crampcare.web import boot

    boot.setup()
    from crampcare.web.api import api

    sys.stdout.write(json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_reassess(args: argparse.Namespace) -> int:
    from crampcare.web import boot

    boot.setup()
    from crampcare import services
    from crampcare.clinic import assessments

    kb = services.knowledge_base()
    rows = assessments.reassess_stale(None, kb)
    failed = [r for r in rows if "error" in r]
    for row in rows:
        if "error" in row:
            print(f"  {row['assessment']}: {row['error']}", file=sys.stderr)
        else:
            print(f"  {row['assessment']} -> {row['new']} (referral {row['urgency']})")
    print(f"re-assessed {len(rows) - len(failed)} of {len(rows)} under kb_version {kb.version}")
    return EXIT_FAILED if failed else EXIT_OK
