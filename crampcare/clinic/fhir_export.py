"""Exporting a patient's record as a FHIR R4 Bundle (``crampcare.fhir.to_fhir`` makes it).

Clinical content: practitioners only (``Can.CLINICAL``), the patient of their own clinic (another
clinic's patient is not found, and the refusal is audited). The CLI exports for a clinic named
on the command line, as the system. Every export is audited (action ``export``, record type
``fhir``) with the sessions, intake, assessment and plan it holds.

What the Bundle holds: the latest intake, the latest assessment, the current plan and its closed
and signed sessions (an open session is not finished), the course's outcomes and, when the
patient has an assessment, the letter to the physician as a PDF.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from django.utils import timezone

import crampcare
from crampcare.clinic import outcomes as outcome_use_cases
from crampcare.clinic.access import Can, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.course import current_plan
from crampcare.clinic.documents import filename
from crampcare.clinic.errors import NotFound
from crampcare.clinic.patients import to_dict
from crampcare.clinic.session_view import compose, session_dicts
from crampcare.fhir.to_fhir import Export, bundle
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit
from crampcare.records.models import (
    Assessment,
    Clinic,
    Intake,
    Patient,
    SessionStatus,
    TreatmentSession,
)
from crampcare.reports.documents import Record, letter, render

WHAT = "fhir"


def _person(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.get_username(),
        "licence_number": user.licence_number,
    }


def export_patient(
    actor: Actor, patient_id: object, kb: KnowledgeBase, with_letter: bool = True
) -> dict[str, Any]:
    """The Bundle of one of the actor's clinic's patients (web and API)."""
    require(actor, Can.CLINICAL, WHAT, patient_id, patient_id=patient_id)
    patient = patient_for(actor, patient_id)
    return _export(actor, patient, actor.clinic, kb, with_letter)


def export_for_cli(
    clinic_id: int, patient_id: str, kb: KnowledgeBase, with_letter: bool = True
) -> dict[str, Any]:
    """The Bundle of a patient of ``clinic_id``, exported by the system (the CLI)."""
    try:
        key = uuid.UUID(patient_id)
    except ValueError:
        raise NotFound(f"no patient {patient_id!r}: give the patient's id (a UUID)") from None
    patient = Patient.objects.filter(clinic_id=clinic_id, pk=key).first()
    if patient is None:
        audit.append(
            None,
            "denied",
            "patient",
            key,
            patient_id=key,
            clinic_id=clinic_id,
            detail={"reason": "not_found"},
        )
        raise NotFound(f"no patient {patient_id} in clinic {clinic_id}")
    return _export(None, patient, Clinic.objects.get(pk=clinic_id), kb, with_letter)


def _sessions(patient: Patient, plan: Any) -> list[TreatmentSession]:
    if plan is None:
        return []
    return list(
        TreatmentSession.objects.filter(
            plan=plan, status__in=[SessionStatus.CLOSED, SessionStatus.LOCKED]
        )
        .select_related("assessment", "plan", "signed_by", "created_by", "updated_by")
        .order_by("date", "created_at")
    )


def _session(row: TreatmentSession, shown: dict[str, Any]) -> dict[str, Any]:
    user = row.signed_by or row.created_by
    return {
        "id": str(row.id),
        "date": row.date,
        "document": compose(row),
        "practitioner": _person(user) if user is not None else None,
        "adverse_events": shown["adverse_events"],
        "addenda": [{**a, "at": a["at"].isoformat(timespec="minutes")} for a in shown["addenda"]],
    }


def _letter(
    patient: Patient,
    clinic: Clinic,
    issuer: dict[str, Any],
    assessment: Assessment | None,
    shown: list[dict[str, Any]],
    outcomes: dict[str, Any] | None,
    kb: KnowledgeBase,
) -> dict[str, Any] | None:
    if assessment is None:
        return None  # the letter is written from an assessment
    record = Record(
        clinic=clinic.name,
        practitioner={"name": issuer["name"], "licence_number": issuer["licence_number"]},
        patient=to_dict(patient),
        today=timezone.localdate(),
        sessions=shown,
    )
    record = replace(record, assessment=assessment.result, outcomes=outcomes)
    pdf = render.render(letter.TEMPLATE, letter.context(record, kb))
    name = filename("physician-letter", patient.family_name)
    return {"pdf": pdf, "title": "Letter to the physician", "filename": name}


def _export(
    actor: Actor | None, patient: Patient, clinic: Clinic, kb: KnowledgeBase, with_letter: bool
) -> dict[str, Any]:
    intake = Intake.objects.filter(patient=patient).order_by("-version").first()
    assessment = Assessment.objects.filter(patient=patient).order_by("-created_at", "-id").first()
    plan = current_plan(patient)
    rows = _sessions(patient, plan)
    shown = session_dicts(rows, kb)
    outcomes = None
    if plan is not None:
        outcomes = outcome_use_cases._gather(patient)  # read here, audited with the export
        outcomes.pop("_sessions", None)
    sessions = [_session(row, view) for row, view in zip(rows, shown, strict=True)]
    exporter = _person(actor) if actor is not None else None
    issuer = exporter or next(
        (s["practitioner"] for s in reversed(sessions) if s["practitioner"]),
        {"name": clinic.name, "licence_number": ""},
    )
    document = (
        _letter(patient, clinic, issuer, assessment, shown, outcomes, kb) if with_letter else None
    )
    record = Export(
        patient={**to_dict(patient), "fhir_identity": patient.fhir_identity},
        clinic={"id": clinic.pk, "name": clinic.name},
        now=timezone.now(),
        tz=timezone.get_current_timezone(),
        version=crampcare.__version__,
        kb_version=kb.version,
        intake={"document": intake.document, "taken_on": intake.taken_on} if intake else None,
        assessment=(
            {"id": str(assessment.id), "result": assessment.result} if assessment else None
        ),
        plan=_plan(plan) if plan is not None else None,
        sessions=sessions,
        outcomes=outcomes,
        letter=document,
        exporter=exporter,
    )
    out = bundle(record, kb)
    audit.append(
        actor,
        "export",
        WHAT,
        patient.id,
        patient_id=patient.id,
        clinic_id=clinic.pk,
        detail={
            "intake": str(intake.id) if intake else None,
            "assessment": str(assessment.id) if assessment else None,
            "plan": str(plan.id) if plan else None,
            "sessions": [s["id"] for s in sessions],
            "letter": document is not None,
            "resources": len(out["entry"]),
        },
    )
    return out


def _plan(plan: Any) -> dict[str, Any]:
    return {
        "id": str(plan.id),
        "created_at": plan.created_at,
        "sessions_max": plan.sessions_max,
        "points": [
            {"code": p.code, "side": p.side, "region": p.region or None, "decision": p.decision}
            for p in plan.points.all()
        ],
    }
