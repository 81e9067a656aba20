"""The ``crampcare`` command: a thin shell over ``crampcare.services``.

Exit codes: 0 done; 1 a check failed or nothing was found; 2 bad input or usage. Errors go to
stderr as one message, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crampcare import (
    backup_cli,
    clinic_cli,
    fhir_cli,
    fhir_export_cli,
    privacy_cli,
    services,
    terminal,
    users_cli,
)
from crampcare.kb.loader import KnowledgeBase

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _style() -> terminal.Style:
    return terminal.Style(sys.stdout.isatty() and not os.environ.get("NO_COLOR"))


def _kb(args: argparse.Namespace) -> KnowledgeBase:
    return services.knowledge_base(Path(args.kb) if args.kb else None)


def cmd_kb_check(args: argparse.Namespace) -> int:
    report = services.kb_check(_kb(args))
    if args.format == "json":
        _print_json(report)
    else:
        print(f"knowledge base valid · kb_version {report['kb_version']}")
        for name, count in report["counts"].items():
            print(f"  {name:<28} {count:>4}")
        print("required entries:")
        for kind, ids in report["required"].items():
            lacking = set(report["missing_required"].get(kind, ()))
            marked = [f"{i} (MISSING)" if i in lacking else i for i in ids]
            print(f"  {kind} ({len(ids) - len(lacking)}/{len(ids)}): {', '.join(marked)}")
        for kind, ids in report["missing_required"].items():
            print(f"crampcare: missing required {kind}: {', '.join(ids)}", file=sys.stderr)
    return EXIT_FAILED if report["missing_required"] else EXIT_OK


def cmd_kb_show(args: argparse.Namespace) -> int:
    try:
        data = services.kb_card(_kb(args), args.id)
    except services.NotFound as exc:
        raise CliError(str(exc), EXIT_FAILED) from None
    if args.format == "json":
        _print_json(data)
    else:
        print(terminal.card(data, _style()))
    return EXIT_OK


def cmd_kb_search(args: argparse.Namespace) -> int:
    rows = services.kb_search(_kb(args), args.text)
    if args.format == "json":
        _print_json(rows)
    else:
        for row in rows:
            codes = f"  [{', '.join(row['codes'])}]" if row["codes"] else ""
            print(f"{row['kind']:<11} {row['id']:<30} {row['name']}{codes}")
        if not rows:
            print(f"nothing matches {args.text!r}", file=sys.stderr)
    return EXIT_OK if rows else EXIT_FAILED


def _today(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--today: {text!r} is not a date (use YYYY-MM-DD)") from None


def cmd_assess(args: argparse.Namespace) -> int:
    today = _today(args.today)
    path = Path(args.file)
    try:
        text = sys.stdin.read() if args.file == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{args.file}: cannot read ({exc.strerror})") from None
    try:
        raw = services.read_document(text, path.name)
        if args.fhir:
            raw = fhir_cli.intake_from_record(args.fhir, raw, _kb(args), today)
        result = services.assess_document(raw, _kb(args), today)
    except services.UnreadableDocument as exc:
        raise CliError(str(exc)) from None
    except fhir_cli.RecordError as exc:
        raise CliError(f"--fhir {exc}", EXIT_FAILED) from None
    except services.InvalidIntake as exc:
        raise CliError(f"{args.file}: {exc}") from None
    if args.format == "json":
        _print_json(result)
    else:
        print(terminal.assessment(result, _style()))
    return EXIT_OK


def _read(name: str) -> Any:
    path = Path(name)
    try:
        text = sys.stdin.read() if name == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        return services.read_document(text, path.name)
    except services.UnreadableDocument as exc:
        raise CliError(str(exc)) from None


def cmd_bill(args: argparse.Namespace) -> int:
    documents = [(name, _read(name)) for name in args.files]
    assessment = (args.assessment, _read(args.assessment)) if args.assessment else None
    try:
        result = services.bill_documents(documents, _kb(args), assessment)
    except (services.InvalidSession, services.Unbillable, services.UnreadableDocument) as exc:
        raise CliError(str(exc)) from None
    if args.format == "json":
        _print_json(result)
    else:
        from crampcare import terminal_bill  # only the bill command needs it

        print(terminal_bill.bill(result, _style()))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    _print_json(services.contract_schema(args.contract, _kb(args)))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crampcare",
        description="Clinical workbench for acupuncture in muscle cramps and spasms. Decision "
        "support for licensed practitioners, not a diagnosis.",
    )
    parser.add_argument(
        "--kb",
        metavar="DIR",
        help="use the knowledge base in DIR (default: the one packaged with crampcare)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    clinic_cli.add_commands(sub)  # serve, demo, audit, openapi, reassess (Django, loaded lazily)
    fhir_cli.add_commands(sub)  # import-fhir (Django, loaded lazily)
    users_cli.add_commands(sub)  # users list, invite, reset-password ... (Django, lazily)
    fhir_export_cli.add_commands(sub)  # export-fhir (Django, loaded lazily)
    backup_cli.add_commands(sub)  # backup, restore (Django, loaded lazily)
    privacy_cli.add_commands(sub)  # export-patient, retention, erase-patient (Django, lazily)

    kb = sub.add_parser("kb", help="inspect the knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="SUBCOMMAND")
    fmt: dict[str, Any] = {
        "choices": ["text", "json"],
        "default": "text",
        "help": "output format (default: text)",
    }
    check = kb_sub.add_parser("check", help="validate; print counts and kb_version")
    check.add_argument("--format", **fmt)
    check.set_defaults(func=cmd_kb_check)
    show = kb_sub.add_parser(
        "show",
        help="a card for one entry (GB34, 'GB-34', Yanglingquan, "
        "a condition, pattern, medication or red flag)",
    )
    show.add_argument("id")
    show.add_argument("--format", **fmt)
    show.set_defaults(func=cmd_kb_show)
    find = kb_sub.add_parser("search", help="find entries by name, pinyin, code or brand")
    find.add_argument("text")
    find.add_argument("--format", **fmt)
    find.set_defaults(func=cmd_kb_search)

    assess = sub.add_parser("assess", help="assess an intake (crampcare.intake/1, JSON or YAML)")
    assess.add_argument("file", help="intake file, or - for standard input")
    assess.add_argument("--format", **fmt)
    assess.add_argument(
        "--today", metavar="YYYY-MM-DD", help="date of the assessment (default: today)"
    )
    assess.add_argument(
        "--fhir",
        metavar="BUNDLE",
        help="a patient's FHIR R4 record: it supplies the patient and history; FILE supplies "
        "the complaint and may leave out patient and history (what it gives is added)",
    )
    assess.set_defaults(func=cmd_assess)

    bill = sub.add_parser(
        "bill", help="CPT codes for treatment sessions (crampcare.session/1, JSON or YAML)"
    )
    bill.add_argument("files", nargs="+", metavar="FILE", help="session documents, or - for stdin")
    bill.add_argument("--format", **fmt)
    bill.add_argument(
        "--assessment",
        metavar="FILE",
        help="the patient's assessment (crampcare assess --format json) for ICD-10-CM codes",
    )
    bill.set_defaults(func=cmd_bill)

    schema = sub.add_parser("schema", help="print the JSON Schema of a contract")
    schema.add_argument("contract", choices=list(services.CONTRACTS))
    schema.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except CliError as exc:
        print(f"crampcare: {exc}", file=sys.stderr)
        return exc.code
    except services.KnowledgeBaseError as exc:
        print(f"crampcare: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
