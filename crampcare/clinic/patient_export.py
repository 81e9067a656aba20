"""A patient's whole record as one ZIP file (the right of access). Practitioners only.

The ZIP holds: ``index.html`` (who the record is of, what each file is, when it was exported and
by whom, which documents could not be made and why); ``patient-record.fhir.json`` (the FHIR R4
Bundle of ``clinic.fhir_export``); ``patient-record.json`` (every row the clinic holds about the
patient, table by table: ``records.patient_rows``); the letter to the physician, the handout and
the superbill as PDFs where they can be made; ``sessions.csv`` and ``diary.csv``.

Another clinic's patient is not found; the CLI exports as the system for one clinic. The export
is audited (action ``export``, record type ``patient_record``, with the files it holds), and so
is the FHIR Bundle inside it (``clinic.fhir_export``).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from typing import Any

from django.utils import timezone

from crampcare.clinic import documents, fhir_export
from crampcare.clinic import outcomes as outcome_use_cases
from crampcare.clinic.access import Can, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import ClinicError
from crampcare.clinic.session_view import compose
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit, patient_rows
from crampcare.records.diary_models import DiaryEntry
from crampcare.records.models import Clinic, Patient, TreatmentSession
from crampcare.reports.documents import render

WHAT = "patient_record"
FORMAT = "crampcare.patient-record/1"
DOCUMENTS = (
    ("physician-letter", "letter-to-physician.pdf", "Letter to the physician"),
    ("handout", "patient-handout.pdf", "Handout for the patient"),
    ("superbill", "superbill.pdf", "Superbill (the treatment sessions with their billing codes)"),
)
SESSION_COLUMNS = (
    "id",
    "date",
    "status",
    "signed_at",
    "points",
    "pain_before",
    "pain_after",
    "needles_inserted",
    "needles_removed",
    "needle_lot",
    "adverse_events",
    "addenda",
)
DIARY_COLUMNS = (
    "date",
    "cramps",
    "worst_severity",
    "typical_duration_minutes",
    "sleep_disturbance",
    "regions",
    "source",
)


def export_zip(actor: Actor, patient_id: object, kb: KnowledgeBase) -> tuple[str, bytes]:
    """The file name and bytes of the ZIP of one of the actor's clinic's patients."""
    require(actor, Can.CLINICAL, WHAT, patient_id, patient_id=patient_id)
    patient = patient_for(actor, patient_id)
    bundle = fhir_export.export_patient(actor, patient.pk, kb)
    return _zip(actor, patient, actor.clinic, kb, bundle)


def export_for_cli(clinic_id: int, patient_id: str, kb: KnowledgeBase) -> tuple[str, bytes]:
    """The same, exported by the system (the CLI) for a patient of ``clinic_id``."""
    bundle = fhir_export.export_for_cli(clinic_id, patient_id, kb)  # NotFound if not theirs
    patient = Patient.objects.get(clinic_id=clinic_id, pk=uuid.UUID(patient_id))
    return _zip(None, patient, Clinic.objects.get(pk=clinic_id), kb, bundle)


def _person(user: Any) -> dict[str, Any]:
    return {
        "name": user.get_full_name() or user.get_username(),
        "licence_number": user.licence_number,
    }


def _issuer(actor: Actor | None, patient: Patient, clinic: Clinic) -> dict[str, Any]:
    """Who issues the documents: the exporting practitioner, else the one who signed the
    newest session, else the clinic."""
    if actor is not None:
        return _person(actor)
    newest = (
        TreatmentSession.objects.filter(patient=patient, signed_by__isnull=False)
        .select_related("signed_by")
        .order_by("-date", "-created_at")
        .first()
    )
    if newest is not None and newest.signed_by is not None:
        return _person(newest.signed_by)
    return {"name": clinic.name, "licence_number": ""}


def _documents(
    actor: Actor | None, patient: Patient, clinic: Clinic, kb: KnowledgeBase
) -> tuple[list[tuple[str, str, bytes]], list[dict[str, str]]]:
    """(file name, title, PDF) of each document that can be made, and why the others cannot."""
    issuer = _issuer(actor, patient, clinic)

    def outcomes() -> dict[str, Any]:
        found = outcome_use_cases._gather(patient)  # read here, audited with the export
        found.pop("_sessions", None)
        return found

    made, missing = [], []
    for kind, name, title in DOCUMENTS:
        try:
            pdf, _ = documents.make(patient, clinic.name, issuer, kind, kb, outcomes)
        except ClinicError as exc:
            missing.append({"kind": kind, "title": title, "why": str(exc)})
        else:
            made.append((name, title, pdf))
    return made, missing


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula starts with a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def _session_rows(patient: Patient) -> list[dict[str, Any]]:
    rows = []
    query = TreatmentSession.objects.filter(patient=patient).prefetch_related(
        "adverse_events", "addenda"
    )
    for s in query.order_by("date", "created_at"):
        doc = compose(s)
        measures = doc.get("measures") or {}
        points = [
            f"{p.get('code', '')}{'@' + p['region'] if p.get('region') else ''} {p.get('side', '')}"
            for p in doc.get("points") or []
        ]
        rows.append(
            {
                "id": s.id,
                "date": s.date.isoformat(),
                "status": s.status,
                "signed_at": s.signed_at.isoformat() if s.signed_at else "",
                "points": "; ".join(p.strip() for p in points),
                "pain_before": measures.get("pain_before"),
                "pain_after": measures.get("pain_after"),
                "needles_inserted": s.needles_inserted,
                "needles_removed": s.needles_removed,
                "needle_lot": s.needle_lot,
                "adverse_events": len(s.adverse_events.all()),
                "addenda": len(s.addenda.all()),
            }
        )
    return rows


def _diary_rows(patient: Patient) -> list[dict[str, Any]]:
    return [
        {
            "date": e.date.isoformat(),
            "cramps": e.cramps,
            "worst_severity": e.worst_severity,
            "typical_duration_minutes": e.typical_duration_minutes,
            "sleep_disturbance": e.sleep_disturbance,
            "regions": "; ".join(e.regions or []),
            "source": e.source,
        }
        for e in DiaryEntry.objects.filter(patient=patient).order_by("date")
    ]


def _record(patient: Patient) -> dict[str, Any]:
    tables = {
        name: [patient_rows.plain(r) for r in rows] for name, rows in patient_rows.rows(patient.pk)
    }
    return {"format": FORMAT, "patient": patient_rows.plain(patient), "tables": tables}


def _zip(
    actor: Actor | None, patient: Patient, clinic: Clinic, kb: KnowledgeBase, bundle: dict[str, Any]
) -> tuple[str, bytes]:
    now = timezone.localtime()
    made, missing = _documents(actor, patient, clinic, kb)
    sessions, diary = _session_rows(patient), _diary_rows(patient)
    files: list[tuple[str, str, bytes]] = [
        (
            "patient-record.fhir.json",
            "The record as a FHIR R4 Bundle (JSON), for another clinic's system",
            json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8"),
        ),
        (
            "patient-record.json",
            "Every row the clinic holds about the patient, table by table (JSON)",
            json.dumps(_record(patient), ensure_ascii=False, indent=1).encode("utf-8"),
        ),
        *made,
        (
            "sessions.csv",
            f"The treatment sessions ({len(sessions)}), one a line",
            _csv(SESSION_COLUMNS, sessions),
        ),
        (
            "diary.csv",
            f"The cramp diary ({len(diary)} days), one day a line",
            _csv(DIARY_COLUMNS, diary),
        ),
    ]
    exporter = _person(actor)["name"] if actor is not None else "crampcare (command line)"
    index = render.html(
        "record_index.html",
        {
            "clinic": clinic.name,
            "patient": patient,
            "exported_at": now,
            "exporter": exporter,
            "files": [{"name": n, "title": t, "size": len(b)} for n, t, b in files],
            "missing": missing,
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", index)
        for name, _, data in files:
            archive.writestr(name, data)
    audit.append(
        actor,
        "export",
        WHAT,
        patient.id,
        patient_id=patient.id,
        clinic_id=clinic.pk,
        detail={
            "files": ["index.html", *(n for n, _, _ in files)],
            "not_made": [m["kind"] for m in missing],
        },
    )
    family = "".join(c for c in patient.family_name.lower() if c.isascii() and c.isalnum())
    return f"patient-record-{family or 'patient'}-{now.date().isoformat()}.zip", buffer.getvalue()
