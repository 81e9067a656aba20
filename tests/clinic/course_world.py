"""Helpers for the course tests: a plan for Ellen, sessions recorded straight in the database
(the session use cases are tested with their own module), times ahead to book."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from crampcare.clinic import plans
from crampcare.records.models import (
    SessionAdverseEvent,
    TreatmentPlan,
    TreatmentSession,
)
from tests.world import World


def make_plan(world: World) -> TreatmentPlan:
    ids = [plans.point_id(p["code"], p["region"]) for p in world.assessment["result"]["points"]]
    made = plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids}, world.kb)
    return TreatmentPlan.objects.get(pk=made["id"])


def record_session(
    world: World, plan: TreatmentPlan, days_ago: int, status: str = "locked", **fields: Any
) -> TreatmentSession:
    extra: dict[str, Any] = {}
    if status == "locked":
        extra = {"signed_by": world.alice, "signed_at": timezone.now()}
    return TreatmentSession.objects.create(
        patient_id=plan.patient_id,
        plan=plan,
        assessment_id=plan.assessment_id,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        status=status,
        **extra,
        **fields,
    )


def adverse_event(
    world: World, session: TreatmentSession, kind: str, severity: str, serious: bool
) -> SessionAdverseEvent:
    return SessionAdverseEvent.objects.create(
        session=session,
        clinic_id=world.alice.clinic_id,
        patient_id=session.patient_id,
        kind=kind,
        severity=severity,
        serious=serious,
        action="needles removed, patient lay flat, observed 20 minutes",
        at="10:20",
    )


def sign(world: World, session: TreatmentSession) -> None:
    """Lock a closed session (after its adverse events are recorded, as a signature does)."""
    TreatmentSession.objects.filter(pk=session.pk).update(
        status="locked", signed_by=world.alice, signed_at=timezone.now()
    )


def ahead(days: int, hour: int = 10) -> dt.datetime:
    """A whole hour ``days`` from now, in UTC."""
    base = timezone.now().astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return (base + dt.timedelta(days=days)).replace(hour=hour)


def slots(*days: int) -> dict[str, Any]:
    return {"sessions": [{"starts_at": ahead(d).isoformat()} for d in days]}
