"""Patients: demographics, contact and consent. Visible to every role of the patient's clinic."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from crampcare.clinic._common import stamp
from crampcare.clinic.access import Can, may, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Invalid
from crampcare.clinic.input_limits import MAX_OFFSET
from crampcare.clinic.schemas import PatientIn, PatientPatch, Text, parse
from crampcare.records import audit
from crampcare.records.models import Assessment, Patient

MAX_LIMIT = 200
CONSENTS = ("consent_treatment", "consent_data_processing")


def to_dict(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "clinic_id": patient.clinic_id,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "birth_date": patient.birth_date,
        "sex": patient.sex,
        "phone": patient.phone,
        "email": patient.email,
        "address": patient.address,
        "consent_treatment": patient.consent_treatment,
        "consent_treatment_at": patient.consent_treatment_at,
        "consent_data_processing": patient.consent_data_processing,
        "consent_data_processing_at": patient.consent_data_processing_at,
        "deceased": patient.deceased,
        "deceased_on": patient.deceased_on,
        **stamp(patient),
    }


LATEST = ("id", "assessed_on", "urgency", "needling_allowed")


def _with_latest_assessment(rows: QuerySet[Patient]) -> QuerySet[Patient]:
    """Each patient's newest assessment (a re-assessment supersedes the one before), as
    correlated subqueries of the one listing query: no query per patient."""
    newest = Assessment.objects.filter(patient=OuterRef("pk")).order_by("-created_at", "-id")
    return rows.annotate(**{f"latest_{name}": Subquery(newest.values(name)[:1]) for name in LATEST})


def _latest(patient: Patient) -> dict[str, Any] | None:
    if getattr(patient, "latest_id", None) is None:
        return None
    return {name: getattr(patient, f"latest_{name}") for name in LATEST}


def list_patients(
    actor: Actor, query: str = "", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """The clinic's patients, by family name; ``query`` matches names, phone or email.

    For those who may see clinical records, each patient carries ``latest_assessment``: the
    urgency and needling decision of their newest assessment (None when not assessed yet);
    for other roles it is always None."""
    require(actor, Can.DEMOGRAPHICS, "patient")
    problems = []
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(("limit", f"must be between 1 and {MAX_LIMIT}"))
    if not 0 <= offset <= MAX_OFFSET:
        problems.append(("offset", f"must be a whole number from 0 to {MAX_OFFSET}"))
    if len(query) > 100:
        problems.append(("q", "must be at most 100 characters"))
    if problems:
        raise Invalid(problems)
    query = parse_text(query, "q").strip()
    rows = Patient.objects.filter(clinic_id=actor.clinic_id)
    if query:
        rows = rows.filter(
            Q(family_name__icontains=query)
            | Q(given_name__icontains=query)
            | Q(phone__icontains=query)
            | Q(email__icontains=query)
        )
    rows = rows.select_related("created_by", "updated_by").order_by(
        "family_name", "given_name", "id"
    )
    clinical = may(actor, Can.CLINICAL)
    count = rows.count()
    page = list((_with_latest_assessment(rows) if clinical else rows)[offset : offset + limit])
    # that a search was made and what it found, never what was typed (a name, a phone number)
    detail: dict[str, Any] = {
        "search": bool(query),
        "count": count,
        "offset": offset,
        "ids": [str(p.id) for p in page],
    }
    if clinical:  # the urgency of each listed patient's newest assessment was shown
        latest = (getattr(p, "latest_id", None) for p in page)  # annotated by the query
        detail["assessments"] = [str(i) for i in latest if i is not None]
    audit.append(actor, "list", "patient", detail=detail)
    items = [{**to_dict(p), "latest_assessment": _latest(p)} for p in page]
    return {"count": count, "items": items}


def parse_text(value: str, field: str) -> str:
    from pydantic import TypeAdapter, ValidationError

    try:
        return str(TypeAdapter(Text).validate_python(value))
    except ValidationError as exc:
        raise Invalid(
            [(field, e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
        ) from None


def get_patient(actor: Actor, patient_id: object) -> dict[str, Any]:
    require(actor, Can.DEMOGRAPHICS, "patient")
    patient = patient_for(actor, patient_id)
    audit.append(actor, "read", "patient", patient.id, patient_id=patient.id)
    return to_dict(patient)


def create_patient(actor: Actor, data: Any) -> dict[str, Any]:
    require(actor, Can.DEMOGRAPHICS, "patient")
    fields = parse(PatientIn, data)
    with transaction.atomic():
        patient = Patient(clinic_id=actor.clinic_id, **fields.model_dump())
        now = timezone.now()
        for consent in CONSENTS:
            if getattr(patient, consent):
                setattr(patient, f"{consent}_at", now)
        patient.stamp(actor, created=True)
        patient.save(force_insert=True)
        audit.append(
            actor, "create", "patient", patient.id, patient_id=patient.id, detail=_changed(fields)
        )
    return to_dict(patient)


def update_patient(actor: Actor, patient_id: object, data: Any) -> dict[str, Any]:
    """Change some fields; consent times are set when consent is given and cleared when it is
    withdrawn."""
    require(actor, Can.DEMOGRAPHICS, "patient")
    fields = parse(PatientPatch, data)
    changes = fields.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise Invalid([(name, "must not be null") for name in nulls])
    with transaction.atomic():
        patient = patient_for(actor, patient_id, lock=True)
        now = timezone.now()
        for name, value in changes.items():
            if name in CONSENTS and value != getattr(patient, name):
                setattr(patient, f"{name}_at", now if value else None)
            setattr(patient, name, value)
        patient.stamp(actor)
        patient.save()
        audit.append(
            actor,
            "update",
            "patient",
            patient.id,
            patient_id=patient.id,
            detail={"fields": sorted(changes)},
        )
    return to_dict(patient)


def _changed(fields: PatientIn) -> dict[str, Any]:
    return {"fields": sorted(fields.model_dump(exclude_defaults=True))}
