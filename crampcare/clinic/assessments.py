"""Intakes (versioned ``crampcare.intake/1`` documents) and their assessments.

Assessing calls ``crampcare.services.assess_document``: the clinical engine, with the intake's
``taken_on`` date as "today", so that re-assessing the same intake under a changed knowledge base
changes only what the knowledge base changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from crampcare import services
from crampcare.clinic._common import stamp
from crampcare.clinic.access import Can, patient_for, record_for, records_of_patient, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, Invalid
from crampcare.clinic.living import refuse_if_deceased
from crampcare.clinic.schemas import AssessmentIn, IntakeIn, check_text, parse
from crampcare.core.intake import parse_intake
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit
from crampcare.records.models import Assessment, Intake, Patient


def intake_dict(intake: Intake) -> dict[str, Any]:
    return {
        "id": intake.id,
        "patient_id": intake.patient_id,
        "version": intake.version,
        "schema": intake.schema,
        "taken_on": intake.taken_on,
        "document": intake.document,
        **stamp(intake),
    }


def assessment_dict(a: Assessment, kb: KnowledgeBase) -> dict[str, Any]:
    successor = Assessment.objects.filter(supersedes=a).values_list("id", flat=True).first()
    return {
        "id": a.id,
        "patient_id": a.patient_id,
        "intake_id": a.intake_id,
        "intake_version": a.intake.version,
        "kb_version": a.kb_version,
        "assessed_on": a.assessed_on,
        "urgency": a.urgency,
        "needling_allowed": a.needling_allowed,
        "supersedes": a.supersedes_id,
        "superseded_by": successor,
        "stale": a.kb_version != kb.version,
        "result": a.result,
        **stamp(a),
    }


def _check_document(document: Any, kb: KnowledgeBase, today: dt.date, prefix: str) -> None:
    problems = check_text(document, prefix)
    if problems:
        raise Invalid(problems)
    try:
        parse_intake(document, kb, today)
    except services.InvalidIntake as exc:
        raise Invalid(
            [
                (f"{prefix}.{path}" if path != "(document)" else prefix, msg)
                for path, msg in exc.errors
            ]
        ) from None


def _require_consent(patient: Patient) -> None:
    if not patient.consent_data_processing:
        raise Conflict(
            "the patient has not consented to the processing of their health data: record "
            "their consent (consent_data_processing) before storing clinical records",
            "patient_id",
        )


def _store_intake(actor: Actor, patient: Patient, document: dict[str, Any]) -> Intake:
    last = Intake.objects.filter(patient=patient).aggregate(v=Max("version"))["v"] or 0
    intake = Intake(
        patient=patient, version=last + 1, taken_on=timezone.localdate(), document=document
    )
    intake.stamp(actor, created=True)
    intake.save(force_insert=True)
    audit.append(
        actor,
        "create",
        "intake",
        intake.id,
        patient_id=patient.id,
        detail={"version": intake.version},
    )
    return intake


def create_intake(actor: Actor, patient_id: object, data: Any, kb: KnowledgeBase) -> dict[str, Any]:
    """Store the patient's next intake version (validated, not assessed)."""
    require(actor, Can.CLINICAL, "intake")
    body = parse(IntakeIn, data)
    with transaction.atomic():
        patient = patient_for(actor, patient_id, lock=True)
        _require_consent(patient)
        _check_document(body.document, kb, timezone.localdate(), "document")
        intake = _store_intake(actor, patient, body.document)
    return intake_dict(intake)


def _intake_for(actor: Actor, intake_id: object) -> Intake:
    return record_for(Intake, actor, intake_id, "intake", "patient", "created_by", "updated_by")


def get_intake(actor: Actor, intake_id: object) -> dict[str, Any]:
    require(actor, Can.CLINICAL, "intake")
    intake = _intake_for(actor, intake_id)
    audit.append(actor, "read", "intake", intake.id, patient_id=intake.patient_id)
    return intake_dict(intake)


def list_intakes(actor: Actor, patient_id: object) -> list[dict[str, Any]]:
    require(actor, Can.CLINICAL, "intake")
    rows = records_of_patient(
        Intake, actor, patient_id, "intake", "-version", "created_by", "updated_by"
    )
    return [intake_dict(r) for r in rows]


def _assess(
    actor: Actor | None, intake: Intake, kb: KnowledgeBase, supersedes: Assessment | None = None
) -> Assessment:
    try:
        result = services.assess_document(intake.document, kb, intake.taken_on)
    except services.InvalidIntake as exc:  # valid when stored; the kb's vocabulary changed
        raise Conflict(
            f"intake version {intake.version} is no longer valid under knowledge base "
            f"{kb.version}: {exc}; store a corrected intake",
            "intake_id",
        ) from None
    assessment = Assessment(
        patient_id=intake.patient_id,
        intake=intake,
        supersedes=supersedes,
        kb_version=result["kb_version"],
        assessed_on=intake.taken_on,
        urgency=result["referral"]["urgency"],
        needling_allowed=result["needling"]["allowed"],
        result=dict(result),
    )
    assessment.stamp(actor, created=True)
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the request's work intact
            if supersedes is not None:
                Assessment.objects.filter(pk=supersedes.pk).update(current=False)
            assessment.save(force_insert=True)
    except IntegrityError:
        # one_current_assessment_per_intake (or the one successor an assessment may have): a
        # parallel request assessed this intake first
        raise Conflict(
            f"intake {intake.id} was assessed by another request at the same time: "
            "open its current assessment",
            "intake_id",
        ) from None
    audit.append(
        actor,
        "create",
        "assessment",
        assessment.id,
        patient_id=intake.patient_id,
        detail={
            "intake": str(intake.id),
            "kb_version": assessment.kb_version,
            "supersedes": str(supersedes.id) if supersedes else "",
        },
    )
    return assessment


def create_assessment(actor: Actor, data: Any, kb: KnowledgeBase) -> dict[str, Any]:
    """Assess a stored intake, or store a new intake version for a patient and assess it."""
    require(actor, Can.CLINICAL, "assessment")
    body = parse(AssessmentIn, data)
    if (body.intake_id is None) == (body.intake is None):
        raise Invalid([("intake_id", "give either intake_id, or patient_id and intake")])
    if body.intake is not None and body.patient_id is None:
        raise Invalid([("patient_id", "required with intake")])
    if body.intake_id is not None and body.patient_id is not None:
        raise Invalid([("patient_id", "not allowed with intake_id (the intake names its patient)")])
    with transaction.atomic():
        if body.intake_id is not None:
            intake = _intake_for(actor, body.intake_id)
            _require_consent(intake.patient)
            refuse_if_deceased(intake.patient, "intake_id")
            current = _latest(intake)
            if current is not None and current.kb_version == kb.version:
                raise Conflict(
                    f"intake {intake.id} is already assessed under knowledge base {kb.version}: "
                    f"assessment {current.id}",
                    "intake_id",
                )
            assessment = _assess(actor, intake, kb, supersedes=current)
        else:
            patient = patient_for(actor, body.patient_id, lock=True)
            _require_consent(patient)
            refuse_if_deceased(patient, "patient_id")
            assert body.intake is not None
            _check_document(body.intake, kb, timezone.localdate(), "intake")
            intake = _store_intake(actor, patient, body.intake)
            assessment = _assess(actor, intake, kb)
    return assessment_dict(assessment, kb)


def _latest(intake: Intake) -> Assessment | None:
    return Assessment.objects.filter(intake=intake, current=True).order_by("-created_at").first()


def assessment_for(actor: Actor, assessment_id: object) -> Assessment:
    return record_for(
        Assessment, actor, assessment_id, "assessment", "intake", "created_by", "updated_by"
    )


def get_assessment(actor: Actor, assessment_id: object, kb: KnowledgeBase) -> dict[str, Any]:
    require(actor, Can.CLINICAL, "assessment")
    a = assessment_for(actor, assessment_id)
    audit.append(actor, "read", "assessment", a.id, patient_id=a.patient_id)
    return assessment_dict(a, kb)


def list_assessments(actor: Actor, patient_id: object, kb: KnowledgeBase) -> list[dict[str, Any]]:
    require(actor, Can.CLINICAL, "assessment")
    rows = records_of_patient(
        Assessment,
        actor,
        patient_id,
        "assessment",
        "-created_at",
        "intake",
        "created_by",
        "updated_by",
    )
    return [assessment_dict(r, kb) for r in rows]


def reassess(actor: Actor, assessment_id: object, kb: KnowledgeBase) -> tuple[dict[str, Any], bool]:
    """Assess the intake again under the current knowledge base. Returns the current assessment
    and whether a new one was made (not when the latest already has the current kb_version)."""
    require(actor, Can.CLINICAL, "assessment")
    with transaction.atomic():
        a = assessment_for(actor, assessment_id)
        _require_consent(a.intake.patient)
        latest = _latest(a.intake) or a
        if latest.kb_version == kb.version:
            audit.append(actor, "read", "assessment", latest.id, patient_id=latest.patient_id)
            return assessment_dict(latest, kb), False
        new = _assess(actor, a.intake, kb, supersedes=latest)
    return assessment_dict(new, kb), True


def reassess_stale(actor: Actor | None, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Re-assess every current assessment made under another knowledge base (the CLI's
    ``crampcare records reassess``; ``actor`` None means the system). Returns one row each."""
    rows = []
    stale = Assessment.objects.filter(current=True).exclude(kb_version=kb.version)
    for old in stale.select_related("intake", "intake__patient").order_by("created_at"):
        with transaction.atomic():
            try:
                new = _assess(actor, old.intake, kb, supersedes=old)
            except Conflict as exc:
                rows.append({"assessment": str(old.id), "error": str(exc)})
                continue
        rows.append({"assessment": str(old.id), "new": str(new.id), "urgency": new.urgency})
    return rows
