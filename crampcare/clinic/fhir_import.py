"""Importing patients' FHIR R4 records (Bundles, single resources, NDJSON bulk exports).

Each patient in a file becomes, or updates, one patient of the clinic: the patient carries the
identity of their record (``fhir_identity``, unique per clinic), so importing a record twice
updates that patient and adds no duplicate. The record pre-fills the patient's next intake
version (crampcare/fhir/record.py says how); an unchanged record adds no new version. Each
import is kept (``FhirImport``: counts, issues and the record's history) and audited.

Processing health data needs the patient's consent: the caller says it was given
(``consent``), or the patient already has it; otherwise the patient's details are imported and
the clinical record is not, with an issue saying so.

Reports, one per file: ``{file, patient_id, patient_ids, counts, issues}``; issues have the
shape of OperationOutcome issues. A file never stops the import of the next one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crampcare.clinic.access import Can, require
from crampcare.clinic.actor import Actor, author
from crampcare.clinic.errors import Invalid, NotFound
from crampcare.core.intake import InvalidIntake, parse_intake
from crampcare.fhir import reader
from crampcare.fhir.batch import Batch
from crampcare.fhir.elements import reference_key
from crampcare.fhir.issues import Issue, issue
from crampcare.fhir.record import Record, intake_document
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit
from crampcare.records.models import Clinic, FhirImport, Intake, Patient

# a complaint put in only to check the rest of an intake that has none yet; never stored
_PLACEHOLDER = {"kind": "cramp", "regions": ["calf"], "side": "left"}


@dataclass
class Report:
    file: str
    patient_ids: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "patient_id": self.patient_ids[0] if len(self.patient_ids) == 1 else None,
            "patient_ids": self.patient_ids,
            "counts": dict(sorted(self.counts.items())),
            "issues": [i.as_dict() for i in self.issues],
        }


@dataclass(frozen=True)
class Target:
    """Who imports into which clinic: a user (web, API), or the system (CLI) for a clinic."""

    actor: Actor | None  # None: the system (the command line)
    clinic_id: int
    consent: bool


def clinic_for_cli(name_or_id: str | None) -> int:
    """The clinic the CLI imports into: by id or name, or the only clinic there is."""
    clinics = Clinic.objects.order_by("id")
    if name_or_id:
        found = (
            clinics.filter(pk=int(name_or_id))
            if name_or_id.isdigit()
            else clinics.filter(name=name_or_id)
        )
        clinic = found.first()
        if clinic is None:
            raise NotFound(f"no clinic {name_or_id!r}", "clinic")
        return clinic.pk
    ids = list(clinics.values_list("id", flat=True)[:2])
    if len(ids) != 1:
        raise Invalid([("clinic", "name the clinic to import into (--clinic NAME or ID)")])
    return int(ids[0])


def import_upload(
    actor: Actor, name: str, stream: IO[bytes], kb: KnowledgeBase, consent: bool
) -> dict[str, Any]:
    """One uploaded file (web form, API), into the user's clinic. Clinical capability."""
    require(actor, Can.CLINICAL, "fhir_import")
    target = Target(actor, actor.clinic_id, consent)
    return import_streams(target, [(name, stream)], kb)[0]


def import_paths(
    target: Target,
    paths: Iterable[str],
    kb: KnowledgeBase,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[dict[str, Any]]:
    """Files and folders (the CLI). Bundles one file at a time; NDJSON files together, as one
    bulk export. ``progress(done, total, name)`` is called after each file."""
    files, missing = reader.expand(paths)
    reports = [Report(name, issues=[found]) for name, found in missing]
    bundles = [p for p in files if not reader.is_ndjson(p.name)]
    bulk = [p for p in files if reader.is_ndjson(p.name)]
    total = len(files)
    for done, path in enumerate(bundles, start=1):
        reports.extend(_open_and_import(target, [path], kb))
        if progress:
            progress(done, total, path.name)
    if bulk:
        reports.extend(_open_and_import(target, bulk, kb))
        if progress:
            progress(total, total, bulk[-1].name)
    return [r.as_dict() for r in reports]


def _open_and_import(target: Target, paths: list[Path], kb: KnowledgeBase) -> list[Report]:
    handles: list[tuple[str, IO[bytes]]] = []
    failed: list[Report] = []
    try:
        for path in paths:
            try:
                handles.append((str(path), path.open("rb")))
            except OSError as exc:
                failed.append(
                    Report(str(path), issues=[issue("fatal", "exception", str(path), str(exc))])
                )
        return failed + _import(target, handles, kb)
    finally:
        for _, handle in handles:
            handle.close()


def import_streams(
    target: Target, streams: list[tuple[str, IO[bytes]]], kb: KnowledgeBase
) -> list[dict[str, Any]]:
    """Read the streams as one unit (one Bundle, or the NDJSON files of one export) and store
    each patient found. One report per stream."""
    return [r.as_dict() for r in _import(target, streams, kb)]


def _import(
    target: Target, streams: list[tuple[str, IO[bytes]]], kb: KnowledgeBase
) -> list[Report]:
    today = timezone.localdate()
    batch = Batch(kb, today)
    reports = {name: Report(name) for name, _ in streams}
    origin: dict[str, str] = {}  # patient key -> the stream that held the Patient
    for name, stream in streams:
        reading = reader.Reading(name, stream, reader.is_ndjson(name))
        before = batch.resources
        for resource, where in reading.resources():
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                origin[reference_key(resource.get("id")) or ""] = name
            batch.add(resource, where)
        reports[name].counts["resources"] += batch.resources - before
        reports[name].issues.extend(reading.issues)
    first = streams[0][0]
    for key, record, found in batch.finish():
        report = reports[origin.get(key, first)]
        patient_id, more = _store(target, record, report.file, kb, today, found)
        report.patient_ids.append(patient_id)
        report.counts.update(record.counts)
        report.counts["patients"] += 1
        report.issues.extend([*found, *more])
    reports[first].issues.extend(batch.issues)
    return list(reports.values())


def _store(
    target: Target,
    record: Record,
    file_name: str,
    kb: KnowledgeBase,
    today: dt.date,
    found: list[Issue],
) -> tuple[str, list[Issue]]:
    """Create or update the patient and pre-fill their next intake, in one transaction."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _store_once(target, record, file_name, kb, today, found)
        except IntegrityError:  # a parallel import created this patient first: update it
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _store_once(
    target: Target,
    record: Record,
    file_name: str,
    kb: KnowledgeBase,
    today: dt.date,
    found: list[Issue],
) -> tuple[str, list[Issue]]:
    facts = record.patient
    assert facts is not None
    patient = (
        Patient.objects.select_for_update()
        .filter(clinic_id=target.clinic_id, fhir_identity=facts.key)
        .first()
    )
    created = patient is None
    if patient is None:
        patient = Patient(clinic_id=target.clinic_id, fhir_identity=facts.key)
        patient.stamp(target.actor, created=True)
    else:
        patient.stamp(target.actor)
    for name in ("given_name", "family_name", "birth_date", "sex", "deceased", "deceased_on"):
        setattr(patient, name, getattr(facts, name))
    if target.consent and not patient.consent_data_processing:
        patient.consent_data_processing = True
        patient.consent_data_processing_at = timezone.now()
    patient.save(force_insert=created)
    clinic = target.clinic_id
    audit.append(
        target.actor,
        "create" if created else "update",
        "patient",
        patient.id,
        patient_id=patient.id,
        clinic_id=clinic,
        detail={"fhir_import": file_name, "deceased": patient.deceased},
    )
    issues: list[Issue] = []
    intake: Intake | None = None
    if patient.consent_data_processing:
        intake, issues = _prefill(target, patient, record, kb, today)
    else:
        issues.append(
            issue(
                "error",
                "business-rule",
                "Patient",
                "the patient has not consented to the processing of their health data: their "
                "details were imported, their clinical record was not; record consent and "
                "import again",
            )
        )
    kept = FhirImport(
        patient=patient,
        intake=intake,
        file_name=file_name[-300:],
        imported_by=author(target.actor),
        counts=dict(record.counts),
        issues=[i.as_dict() for i in [*found, *issues]],
        record=record.summary(),
    )
    kept.save(force_insert=True)
    record.counts["intakes"] += intake is not None
    return str(patient.id), issues


def _prefill(
    target: Target, patient: Patient, record: Record, kb: KnowledgeBase, today: dt.date
) -> tuple[Intake | None, list[Issue]]:
    last = Intake.objects.filter(patient=patient).order_by("-version").first()
    document, issues = intake_document(record, kb, last.document if last else None)
    try:
        parse_intake({"complaint": _PLACEHOLDER, **document}, kb, today)
    except InvalidIntake as exc:
        issues.extend(
            issue("error", "invalid", f"intake.{path}", f"{message}: intake not pre-filled")
            for path, message in exc.errors
        )
        return None, issues
    if last is not None and last.document == document:
        issues.append(
            issue("information", "informational", "intake", "intake unchanged: no new version")
        )
        return None, issues
    version = (last.version if last else 0) + 1  # the patient row is locked: no race
    intake = Intake(patient=patient, version=version, taken_on=today, document=document)
    intake.stamp(target.actor, created=True)
    intake.save(force_insert=True)
    audit.append(
        target.actor,
        "create",
        "intake",
        intake.id,
        patient_id=patient.id,
        clinic_id=target.clinic_id,
        detail={"version": version, "fhir_import": True},
    )
    return intake, issues
