"""The database keeps the session rules itself: one open session per patient, needle counts
never negative nor more out than in, a locked session never changed (triggers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from crampcare.clinic import plans
from crampcare.records.models import (
    SessionAddendum,
    SessionAdverseEvent,
    TreatmentPlan,
    TreatmentSession,
)
from tests.world import World

LOCKED = "signed and locked"


def _plan(world: World) -> TreatmentPlan:
    ids = [plans.point_id(p["code"], p["region"]) for p in world.assessment["result"]["points"]]
    made = plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids}, world.kb)
    return TreatmentPlan.objects.get(pk=made["id"])


def _session(world: World, **fields: Any) -> TreatmentSession:
    plan = _plan(world)
    return TreatmentSession.objects.create(
        patient_id=plan.patient_id,
        plan=plan,
        assessment_id=plan.assessment_id,
        date=timezone.localdate(),
        **fields,
    )


def _locked(world: World) -> TreatmentSession:
    return _session(world, status="locked", signed_by=world.alice, signed_at=timezone.now())


def test_one_open_session_per_patient(world: World) -> None:
    first = _session(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentSession.objects.create(
            patient_id=first.patient_id,
            plan=first.plan,
            assessment_id=first.assessment_id,
            date=first.date,
        )
    TreatmentSession.objects.filter(pk=first.pk).update(status="closed")
    TreatmentSession.objects.create(
        patient_id=first.patient_id,
        plan=first.plan,
        assessment_id=first.assessment_id,
        date=first.date,
    )  # a closed session does not block the next one


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"needles_inserted": F("needles_inserted") - 1}, id="inserted below zero"),
        pytest.param({"needles_removed": F("needles_removed") + 1}, id="more out than in"),
        pytest.param({"status": "finished"}, id="unknown status"),
        pytest.param({"status": "locked"}, id="locked without a signature"),
    ],
)
def test_the_database_refuses_impossible_session_states(
    world: World, change: dict[str, Any]
) -> None:
    session = _session(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentSession.objects.filter(pk=session.pk).update(**change)


def test_a_locked_session_row_cannot_be_changed_or_removed(world: World) -> None:
    session = _locked(world)
    with pytest.raises(DatabaseError, match=LOCKED), transaction.atomic():
        TreatmentSession.objects.filter(pk=session.pk).update(document={"forged": True})
    with pytest.raises(DatabaseError, match=LOCKED), transaction.atomic():
        TreatmentSession.objects.filter(pk=session.pk).delete()
    session.refresh_from_db()
    assert session.document == {} and session.status == "locked"


def test_no_adverse_event_is_added_to_a_locked_session(world: World) -> None:
    session = _locked(world)
    with pytest.raises(DatabaseError, match=LOCKED), transaction.atomic():
        SessionAdverseEvent.objects.create(
            session=session,
            clinic_id=world.alice.clinic_id,
            patient_id=session.patient_id,
            kind="pain",
            severity="mild",
            serious=False,
            at="10:00",
        )
    assert not SessionAdverseEvent.objects.exists()


def test_addenda_are_append_only(world: World) -> None:
    session = _locked(world)
    addendum = SessionAddendum.objects.create(
        session=session, author=world.alice, reason="late entry", text="bruise seen next day"
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SessionAddendum.objects.filter(pk=addendum.pk).update(text="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SessionAddendum.objects.filter(pk=addendum.pk).delete()
    addendum.refresh_from_db()
    assert addendum.text == "bruise seen next day"
