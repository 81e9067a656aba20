"""``crampcare export-fhir PATIENT_ID``: a patient's record as a FHIR R4 Bundle on stdout.

The CLI exports as the system for one clinic (``--clinic``, or the only clinic there is); the
export is audited like one from the web. Exit codes: 0 printed; 2 bad usage or no such patient.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_commands(sub: Any) -> None:
    from crampcare.clinic_cli import _guarded

    command = sub.add_parser(
        "export-fhir",
        help="print a patient's record as a FHIR R4 Bundle (JSON) on stdout",
    )
    command.add_argument("patient_id", metavar="PATIENT_ID", help="the patient's id (a UUID)")
    command.add_argument(
        "--clinic", metavar="NAME|ID", help="the patient's clinic (default: the only one)"
    )
    command.add_argument(
        "--no-letter",
        action="store_true",
        help="leave out the letter to the physician (a PDF inside the Bundle)",
    )
    command.set_defaults(func=_guarded(cmd_export_fhir))


def cmd_export_fhir(args: argparse.Namespace) -> int:
    from crampcare.clinic_cli import EXIT_OK, CommandError, _prepare

    _prepare()
    from crampcare import services
    from crampcare.clinic import fhir_export, fhir_import
    from crampcare.clinic.errors import ClinicError

    try:
        clinic_id = fhir_import.clinic_for_cli(args.clinic)
        found = fhir_export.export_for_cli(
            clinic_id, args.patient_id, services.knowledge_base(), not args.no_letter
        )
    except ClinicError as exc:
        raise CommandError(str(exc)) from None
    sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
    return EXIT_OK
