"""The FHIR commands of the ``crampcare`` CLI: ``import-fhir`` (Django, configured inside the
command) and reading a record for ``assess --fhir`` (no database).

``import-fhir`` shows a progress bar on stderr when stderr is a terminal and is quiet when piped.
Exit codes: 0 every file imported (issues are reported, not failures); 1 a file had a fatal or
error issue; 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from crampcare.kb.loader import KnowledgeBase

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
BAR_WIDTH = 30


class RecordError(Exception):
    """A record that cannot supply a patient (unreadable, no patient, several, deceased)."""


def add_commands(sub: Any) -> None:
    command = sub.add_parser(
        "import-fhir",
        help="import patients' FHIR R4 records (Bundles, NDJSON bulk exports, folders of them)",
    )
    command.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    command.add_argument("--format", choices=["text", "json"], default="text")
    command.add_argument(
        "--clinic", metavar="NAME|ID", help="the clinic to import into (default: the only one)"
    )
    command.add_argument(
        "--consent",
        action="store_true",
        help="the patients consented to the processing of their health data (without it, a "
        "new patient's clinical record is not imported)",
    )
    from crampcare.clinic_cli import _guarded

    command.set_defaults(func=_guarded(cmd_import_fhir))


def _bar(done: int, total: int, name: str) -> None:
    filled = BAR_WIDTH * done // max(total, 1)
    line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {name[:40]:<40}"
    sys.stderr.write(line + ("\n" if done == total else ""))
    sys.stderr.flush()


def cmd_import_fhir(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import CommandError, _prepare

    _prepare()
    from crampcare import services
    from crampcare.clinic import fhir_import
    from crampcare.clinic.errors import ClinicError

    try:
        clinic_id = fhir_import.clinic_for_cli(args.clinic)
    except ClinicError as exc:
        raise CommandError(str(exc)) from None
    target = fhir_import.Target(None, clinic_id, args.consent)
    progress = _bar if sys.stderr.isatty() else None
    reports = fhir_import.import_paths(target, args.paths, services.knowledge_base(), progress)
    for report in reports:
        if args.format == "json":
            sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        else:
            print(text_report(report))
    failed = any(i["severity"] in ("fatal", "error") for r in reports for i in r["issues"])
    return EXIT_FAILED if failed else EXIT_OK


def text_report(report: dict[str, Any]) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items()) or "nothing"
    patients = ", ".join(report["patient_ids"]) or "no patient"
    lines = [f"{report['file']}: {patients}", f"  imported: {counts}"]
    for i in report["issues"]:
        where = f" ({', '.join(i['expression'])})" if i["expression"] else ""
        lines.append(f"  {i['severity']} [{i['code']}] {i['diagnostics']}{where}")
    return "\n".join(lines)


def intake_from_record(path: str, given: Any, kb: KnowledgeBase, today: dt.date) -> dict[str, Any]:
    """The intake for ``assess --fhir``: the record's patient and history with ``given`` (the
    intake file: the complaint and anything else known) added."""
    # imported here: ``crampcare assess`` without --fhir does not pay for the FHIR reader
    from crampcare.fhir.batch import Batch
    from crampcare.fhir.reader import Reading, is_ndjson
    from crampcare.fhir.record import intake_document, merge_intake

    batch = Batch(kb, today)
    try:
        with Path(path).open("rb") as stream:
            reading = Reading(path, stream, is_ndjson(path))
            for resource, where in reading.resources():
                batch.add(resource, where)
    except OSError as exc:
        raise RecordError(f"{path}: cannot read ({exc.strerror})") from None
    fatal = [i for i in reading.issues if i.severity == "fatal"]
    if fatal:
        raise RecordError(f"{path}: {fatal[0].diagnostics}")
    records = [record for _, record, _ in batch.finish()]
    if len(records) != 1:
        raise RecordError(f"{path}: holds {len(records)} patients' records; give one patient's")
    record = records[0]
    assert record.patient is not None
    if record.patient.deceased:
        when = record.patient.deceased_on
        raise RecordError(
            f"{path}: the record says the patient died"
            f"{f' on {when.isoformat()}' if when else ''}: not assessed"
        )
    document, _ = intake_document(record, kb)
    return merge_intake(document, given if isinstance(given, dict) else {})
