"""The privacy commands: ``export-patient`` (a patient's whole record as a ZIP),
``retention report`` (records kept past the clinic's retention period) and ``erase-patient``
(erase a patient's record where the clinic confirms it is lawful). docs/privacy.md.

Each acts as the system for one clinic (``--clinic``, or the only clinic there is) and is
audited like the same action on the web. Exit codes: 0 done; 1 a file could not be written;
2 bad usage, no such patient, or an erasure not confirmed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REASONS = (
    "patient_request",
    "retention_expired",
    "consent_withdrawn",
    "unlawful_processing",
    "legal_obligation",
)


def add_commands(sub: Any) -> None:
    from crampcare.clinic_cli import _guarded

    clinic: dict[str, Any] = {
        "metavar": "NAME|ID",
        "help": "the patient's clinic (default: the only one)",
    }
    export = sub.add_parser(
        "export-patient",
        help="write a patient's whole record as a ZIP (FHIR Bundle, PDFs, CSV, index.html)",
    )
    export.add_argument("patient_id", metavar="PATIENT_ID", help="the patient's id (a UUID)")
    export.add_argument("--out", type=Path, metavar="FILE", help="the ZIP to write (a new file)")
    export.add_argument("--clinic", **clinic)
    export.set_defaults(func=_guarded(cmd_export_patient))

    retention = sub.add_parser("retention", help="records kept past the retention period")
    retention_sub = retention.add_subparsers(
        dest="retention_command", required=True, metavar="SUBCOMMAND"
    )
    report = retention_sub.add_parser(
        "report", help="list the patients whose record is past the clinic's retention period"
    )
    report.add_argument("--clinic", metavar="NAME|ID", help="the clinic (default: the only one)")
    report.add_argument("--format", choices=["text", "json"], default="text")
    report.set_defaults(func=_guarded(cmd_retention_report))

    erase = sub.add_parser(
        "erase-patient",
        help="erase a patient's record where the clinic confirms it is lawful (no undo)",
    )
    erase.add_argument("patient_id", metavar="PATIENT_ID", help="the patient's id (a UUID)")
    erase.add_argument("--reason", required=True, choices=REASONS, help="the ground for erasure")
    erase.add_argument(
        "--confirm",
        action="store_true",
        help="confirm that the erasure is lawful; without it, show what would be erased",
    )
    erase.add_argument("--clinic", **clinic)
    erase.set_defaults(func=_guarded(cmd_erase_patient))


def _clinic(name_or_id: str | None) -> int:
    from crampcare.clinic import fhir_import

    return fhir_import.clinic_for_cli(name_or_id)


def cmd_export_patient(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import EXIT_FAILED, EXIT_OK, CommandError, _prepare

    _prepare()
    from crampcare import services
    from crampcare.clinic import patient_export
    from crampcare.clinic.errors import ClinicError

    if args.out is not None and args.out.exists():
        raise CommandError(f"{args.out} exists: name a new file with --out")
    try:
        name, data = patient_export.export_for_cli(
            _clinic(args.clinic), args.patient_id, services.knowledge_base()
        )
    except ClinicError as exc:
        raise CommandError(str(exc)) from None
    out: Path = args.out or Path(name)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with open(partial, "xb") as handle:
            handle.write(data)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CommandError(f"cannot write {out}: {exc.strerror}", EXIT_FAILED) from None
    print(out)
    return EXIT_OK


def cmd_retention_report(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import EXIT_OK, CommandError, _prepare

    _prepare()
    from crampcare.clinic import retention
    from crampcare.clinic.errors import ClinicError

    try:
        found = retention.report_for_cli(_clinic(args.clinic))
    except ClinicError as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if found["retention_years"] is None:
        print(f"{found['clinic']}: no retention period is set (set it on the admin pages)")
        return EXIT_OK
    print(
        f"{found['clinic']}: records are kept {found['retention_years']} years after the last "
        f"visit; {found['count']} past it on {found['today']}"
    )
    for item in found["items"]:
        print(
            f"  {item['id']}  {item['family_name']}, {item['given_name']}  "
            f"last visit {item['last_visit']} ({item['last_visit_from']})  "
            f"kept until {item['kept_until']}"
        )
    return EXIT_OK


def cmd_erase_patient(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import EXIT_INPUT, EXIT_OK, CommandError, _prepare

    _prepare()
    from crampcare.clinic import erasure
    from crampcare.clinic.errors import ClinicError

    try:
        clinic_id = _clinic(args.clinic)
        if not args.confirm:
            found = erasure.preview_for_cli(clinic_id, args.patient_id)
            rows = ", ".join(f"{n} {c}" for n, c in found["counts"].items() if c)
            print(f"would erase {found['patient']['name']} ({found['patient']['id']}): {rows}")
            raise CommandError(
                "not erased: add --confirm to confirm that the erasure is lawful", EXIT_INPUT
            )
        done = erasure.erase_for_cli(clinic_id, args.patient_id, args.reason)
    except ClinicError as exc:
        raise CommandError(str(exc)) from None
    removed = sum(done["counts"].values())
    print(f"erased patient {done['patient_id']}: {removed} rows removed ({done['reason']})")
    return EXIT_OK
