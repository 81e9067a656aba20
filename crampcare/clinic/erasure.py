"""Erasing a patient's record, where the clinic confirms that it is lawful. Clinic admins only.

Every row holding the patient's data is deleted (``records.patient_rows``: intakes, assessments,
plans and their points, sessions with their adverse events and addenda, bookings, reviews, the
diary's links and entries, FHIR imports), then the patient row itself: nothing that names the
patient is left, and no foreign key dangles. What remains is a ``PatientErasure`` row (the
patient's random id, the clinic, when, who, the reason category, the number of rows removed)
and the audit log, which is append-only and never changed: its entries hold ids, action names and
field names, so it stays verifiable (docs/privacy.md says what else an entry may hold).

The request names a reason category and carries ``confirm: "ERASE"``, the clinic's statement
that the erasure is lawful. A patient with an open session (being treated now) is refused.
The erasure is audited (action ``erase``) with its reason and counts, in one transaction with
the deletions.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction

from crampcare.clinic.access import patient_for
from crampcare.clinic.actor import Actor, author
from crampcare.clinic.errors import Conflict, Invalid, NotFound
from crampcare.clinic.retention import require_admin
from crampcare.records import audit, patient_rows
from crampcare.records.erasure_models import ErasureReason, PatientErasure
from crampcare.records.models import Assessment, Patient, SessionStatus, TreatmentSession

CONFIRMATION = "ERASE"
REASONS = {r.value: r.label for r in ErasureReason}


def parse(data: Any) -> str:
    """The reason category of a confirmed request, or ``Invalid`` naming each field."""
    if not isinstance(data, dict):
        raise Invalid([("(body)", "must be a JSON object")])
    problems = []
    reason = data.get("reason")
    if reason not in REASONS:
        problems.append(("reason", f"must be one of: {', '.join(REASONS)}"))
    if data.get("confirm") != CONFIRMATION:
        problems.append(
            (
                "confirm",
                f'type "{CONFIRMATION}" to confirm that erasing this record is lawful: '
                "it cannot be undone",
            )
        )
    unknown = sorted(set(data) - {"reason", "confirm"})
    problems += [(name, "is not part of an erasure request") for name in unknown]
    if problems:
        raise Invalid(problems)
    return str(reason)


def preview(actor: Actor, patient_id: object) -> dict[str, Any]:
    """What an erasure would remove (counts per table), for the confirmation page."""
    require_admin(actor, "erasure", patient_id, patient_id=patient_id)
    return _preview(actor, patient_for(actor, patient_id))


def preview_for_cli(clinic_id: int, patient_id: str) -> dict[str, Any]:
    return _preview(None, _cli_patient(clinic_id, patient_id))


def _preview(actor: Actor | None, patient: Patient) -> dict[str, Any]:
    counts = {name: rows.count() for name, rows in patient_rows.rows(patient.pk)}
    audit.append(
        actor,
        "read",
        "erasure",
        patient.id,
        patient_id=patient.id,
        clinic_id=patient.clinic_id,
        detail={"counts": counts},
    )
    return {
        "patient": {"id": str(patient.id), "name": f"{patient.given_name} {patient.family_name}"},
        "counts": counts,
        "reasons": REASONS,
    }


def _cli_patient(clinic_id: int, patient_id: str, *, lock: bool = False) -> Patient:
    try:
        key = uuid.UUID(patient_id)
    except ValueError:
        raise NotFound(f"no patient {patient_id!r}: give the patient's id (a UUID)") from None
    query = Patient.objects.filter(clinic_id=clinic_id, pk=key)
    patient = (query.select_for_update() if lock else query).first()
    if patient is None:
        raise NotFound(f"no patient {patient_id} in clinic {clinic_id}")
    return patient


def erase(actor: Actor, patient_id: object, data: Any) -> dict[str, Any]:
    """Erase one patient of the admin's clinic (web and API)."""
    require_admin(actor, "erasure", patient_id, patient_id=patient_id)
    reason = parse(data)
    with transaction.atomic():
        patient = patient_for(actor, patient_id, lock=True)
        return _erase(actor, patient, reason)


def erase_for_cli(clinic_id: int, patient_id: str, reason: str) -> dict[str, Any]:
    """Erase one patient of ``clinic_id`` as the system (the CLI confirmed it)."""
    reason = parse({"reason": reason, "confirm": CONFIRMATION})
    with transaction.atomic():
        return _erase(None, _cli_patient(clinic_id, patient_id, lock=True), reason)


def _erase(actor: Actor | None, patient: Patient, reason: str) -> dict[str, Any]:
    if TreatmentSession.objects.filter(patient=patient, status=SessionStatus.OPEN).exists():
        raise Conflict(
            "the patient has an open session: close it before erasing the record", "status"
        )
    try:
        with transaction.atomic():  # the triggers let signed sessions go once this row exists
            erasure = PatientErasure.objects.create(
                patient_id=patient.pk,
                clinic_id=patient.clinic_id,
                erased_by=author(actor),
                reason=reason,
            )
    except IntegrityError:
        raise Conflict("the patient is being erased already", "patient_id") from None
    Assessment.objects.filter(patient=patient).update(supersedes=None)  # a chain among them
    counts = {}
    for name, rows in patient_rows.rows(patient.pk):
        counts[name] = rows.count()
        rows.delete()
    ident, clinic_id = patient.pk, patient.clinic_id
    patient.delete()
    erasure.counts = counts
    erasure.save(update_fields=["counts"])
    audit.append(
        actor,
        "erase",
        "patient",
        ident,
        patient_id=ident,
        clinic_id=clinic_id,
        detail={"reason": reason, "counts": counts},
    )
    return {
        "patient_id": str(ident),
        "erased_at": erasure.erased_at.isoformat(),
        "reason": reason,
        "counts": counts,
    }
