"""Treatment plans: the prescription the practitioner accepted from an assessment.

Every suggested point gets a decision, accepted or removed; points may be added. Each removal
and addition carries the practitioner's reason, and the decisions are also given as CDS Hooks
feedback (one card per suggested point: ``accepted``, or ``overridden`` with the reason).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction

from crampcare.clinic._common import stamp
from crampcare.clinic.access import Can, record_for, records_of_patient, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.assessments import assessment_for
from crampcare.clinic.errors import Conflict, Invalid
from crampcare.clinic.living import refuse_if_deceased
from crampcare.clinic.schemas import PlanIn, parse
from crampcare.core.practice import plan_facts
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit
from crampcare.records.models import Assessment, Decision, PlanPoint, TreatmentPlan

OVERRIDE_SYSTEM = "urn:crampcare:plan-override"


def point_id(code: str, region: str | None) -> str:
    return f"ASHI@{region}" if code == "ASHI" and region else code


def _suggestions(assessment: Assessment) -> dict[str, dict[str, Any]]:
    return {point_id(p["code"], p.get("region")): p for p in assessment.result.get("points", [])}


def plan_dict(plan: TreatmentPlan) -> dict[str, Any]:
    points = list(plan.points.all())
    return {
        "id": plan.id,
        "patient_id": plan.patient_id,
        "assessment_id": plan.assessment_id,
        "note": plan.note,
        "points": [
            {
                "point": p.point,
                "code": p.code,
                "side": p.side,
                "region": p.region or None,
                "decision": p.decision,
                "reason": p.reason or None,
            }
            for p in points
        ],
        "feedback": _feedback(plan, points),
        **stamp(plan),
    }


def _feedback(plan: TreatmentPlan, points: list[PlanPoint]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    when = plan.created_at.isoformat()
    for p in points:
        card = f"{plan.assessment_id}/{p.point}"
        if p.decision == Decision.ACCEPTED:
            out.append(
                {
                    "card": card,
                    "outcome": "accepted",
                    "acceptedSuggestions": [{"id": p.point}],
                    "outcomeTimestamp": when,
                }
            )
        elif p.decision == Decision.REMOVED:
            out.append(
                {
                    "card": card,
                    "outcome": "overridden",
                    "overrideReason": {
                        "reason": {
                            "system": OVERRIDE_SYSTEM,
                            "code": "removed",
                            "display": "suggested point not used",
                        },
                        "userComment": p.reason,
                    },
                    "outcomeTimestamp": when,
                }
            )
    return out


def _decide(body: PlanIn, assessment: Assessment, kb: KnowledgeBase) -> list[PlanPoint]:
    """Check every decision against the assessment; one message per problem, by field."""
    suggested = _suggestions(assessment)
    avoid = {a["code"]: a["reason"] for a in assessment.result.get("avoid_points", [])}
    problems: list[tuple[str, str]] = []
    rows: list[PlanPoint] = []
    seen: dict[str, str] = {}
    valid = ", ".join(suggested) or "none"

    def once(pid: str, field: str) -> bool:
        if pid in seen:
            problems.append((field, f"{pid} is already decided in {seen[pid]}"))
            return False
        seen[pid] = field
        return True

    for i, pid in enumerate(body.accepted):
        field = f"accepted[{i}]"
        if pid not in suggested:
            problems.append(
                (field, f"{pid} is not suggested by this assessment; suggested: {valid}")
            )
        elif once(pid, field):
            p = suggested[pid]
            rows.append(_row(pid, p["code"], p["side"], p.get("region"), Decision.ACCEPTED, ""))
    for i, removal in enumerate(body.removed):
        field = f"removed[{i}].point"
        if removal.point not in suggested:
            problems.append(
                (field, f"{removal.point} is not suggested by this assessment; suggested: {valid}")
            )
        elif once(removal.point, field):
            p = suggested[removal.point]
            rows.append(
                _row(
                    removal.point,
                    p["code"],
                    p["side"],
                    p.get("region"),
                    Decision.REMOVED,
                    removal.reason,
                )
            )
    regions = kb.vocab_ids.get("regions", frozenset())
    for i, add in enumerate(body.added):
        field = f"added[{i}]"
        code = add.code.strip().upper().replace("-", "")
        if code not in kb.points:
            problems.append((f"{field}.code", f"{add.code!r} is not a point in the knowledge base"))
            continue
        if code == "ASHI" and add.region not in regions:
            problems.append(
                (
                    f"{field}.region",
                    f"an ASHI point needs a region: one of {', '.join(sorted(regions))}",
                )
            )
            continue
        if code != "ASHI" and add.region is not None:
            problems.append((f"{field}.region", "only ASHI points take a region"))
            continue
        if code in avoid:
            problems.append(
                (f"{field}.code", f"{code} is to be avoided for this patient: {avoid[code]}")
            )
            continue
        pid = point_id(code, add.region)
        if pid in suggested:
            problems.append(
                (f"{field}.code", f"{pid} is already suggested: accept it instead of adding it")
            )
            continue
        if once(pid, f"{field}.code"):
            rows.append(_row(pid, code, add.side, add.region, Decision.ADDED, add.reason))
    for pid in suggested:
        if pid not in seen:
            problems.append(
                ("accepted", f"{pid} is suggested but neither accepted nor removed (with a reason)")
            )
    if not assessment.needling_allowed and any(r.decision != Decision.REMOVED for r in rows):
        reason = assessment.result.get("needling", {}).get("reason", "")
        problems.append(("added", f"needling is deferred for this assessment: {reason}"))
    if problems:
        raise Invalid(problems)
    for position, row in enumerate(rows):
        row.position = position
    return rows


def _row(
    pid: str, code: str, side: str, region: str | None, decision: str, reason: str
) -> PlanPoint:
    return PlanPoint(
        point=pid, code=code, side=side, region=region or "", decision=decision, reason=reason
    )


def create_plan(
    actor: Actor, assessment_id: object, data: Any, kb: KnowledgeBase
) -> dict[str, Any]:
    require(actor, Can.CLINICAL, "plan")
    body = parse(PlanIn, data)
    with transaction.atomic():
        assessment = assessment_for(actor, assessment_id)
        patient = assessment.intake.patient
        refuse_if_deceased(patient, "assessment_id")
        if not patient.consent_treatment:
            raise Conflict(
                "the patient has not consented to treatment: record their consent "
                "(consent_treatment) before planning treatment",
                "assessment_id",
            )
        if Assessment.objects.filter(supersedes=assessment).exists():
            raise Conflict(
                "this assessment was superseded by a re-assessment: plan from the current one",
                "assessment_id",
            )
        rows = _decide(body, assessment, kb)
        facts = plan_facts(
            assessment.result, assessment.intake.document, [(r.point, r.decision) for r in rows]
        )
        plan = TreatmentPlan(
            patient=patient, assessment=assessment, note=body.note, **asdict(facts)
        )
        plan.stamp(actor, created=True)
        plan.save(force_insert=True)
        for row in rows:
            row.plan = plan
        PlanPoint.objects.bulk_create(rows)
        audit.append(
            actor,
            "create",
            "plan",
            plan.id,
            patient_id=patient.id,
            detail={
                "assessment": str(assessment.id),
                "points": {r.point: r.decision for r in rows},
            },
        )
    return plan_dict(plan)


def get_plan(actor: Actor, plan_id: object) -> dict[str, Any]:
    require(actor, Can.CLINICAL, "plan")
    plan = record_for(TreatmentPlan, actor, plan_id, "plan", "created_by", "updated_by")
    audit.append(actor, "read", "plan", plan.id, patient_id=plan.patient_id)
    return plan_dict(plan)


def list_plans(actor: Actor, patient_id: object) -> list[dict[str, Any]]:
    require(actor, Can.CLINICAL, "plan")
    rows = records_of_patient(
        TreatmentPlan, actor, patient_id, "plan", "-created_at", "created_by", "updated_by"
    )
    return [plan_dict(r) for r in rows]
