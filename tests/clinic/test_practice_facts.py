"""The practice view's facts stored with each plan (both databases): made by ``create_plan``,
filled in for existing plans by migration 0007's backfill, refused when missing; and the
figures counted afresh on each view, so a diary correction or a new session shows at once."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from crampcare.clinic import diary, practice, sessions
from crampcare.records.models import DiaryEntry, TreatmentPlan
from tests.clinic.practice_world import NECK, add_diary, add_patient, add_plan, small_clinic
from tests.world import World

FACTS = ("presentation", "protocol", "sessions_max", "intake_episodes_per_week")
migration = importlib.import_module("crampcare.records.migrations.0007_plan_practice_facts")


def facts(plan: TreatmentPlan) -> tuple[Any, ...]:
    plan.refresh_from_db()
    return tuple(getattr(plan, name) for name in FACTS)


def test_a_new_plan_stores_its_facts(world: World) -> None:
    whole = add_plan(world, world.alice, world.assessment)
    one_removed = add_plan(world, world.alice, world.assessment, drop=1)
    neck = add_plan(world, world.alice, add_patient(world, world.alice, "Nia", **NECK))
    assert facts(whole) == ("nocturnal_leg_cramps", "BL40+BL57+GB34+LR3", 12, 2.0)
    assert facts(one_removed)[1] == "BL40+GB34+LR3"  # the removed point is not the protocol
    assert facts(neck)[0] == "cramp_spasm_unspecified"


def test_the_backfill_fills_existing_plans_from_their_documents(world: World) -> None:
    plans = [
        add_plan(world, world.alice, world.assessment),
        add_plan(world, world.alice, world.assessment, drop=1),
        add_plan(world, world.alice, add_patient(world, world.alice, "Nia", **NECK)),
    ]
    made = [facts(p) for p in plans]
    TreatmentPlan.objects.update(
        presentation="stale", protocol="stale", sessions_max=None, intake_episodes_per_week=None
    )
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert [facts(p) for p in plans] == made


@pytest.mark.parametrize("missing", ["presentation", "protocol"])
def test_a_plan_without_its_facts_is_refused_by_the_database(world: World, missing: str) -> None:
    plan = add_plan(world, world.alice, world.assessment)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlan.objects.filter(pk=plan.pk).update(**{missing: ""})


def _figures(world: World) -> dict[str, Any]:
    report = practice.practice_outcomes(world.alice)
    return {
        "patients": report["patients"],
        "responders": report["responders"]["overall"],
        "sessions": report["sessions_per_course"][0],
        "recorded": report["adverse_events"]["sessions"],
    }


def test_a_diary_correction_shows_in_the_figures_at_once(world: World) -> None:
    small_clinic(world)
    before = _figures(world)["responders"]
    assert (before["n"], before["responder_25"]["count"], before["responder_50"]["count"]) == (
        2,
        1,
        1,
    )
    # Ellen: 7 cramps a week at baseline, none in the last 14 days; one day corrected to 10
    # makes 5 a week: down 28.6 %, a responder at 25 % but no longer at 50 %
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    entry = DiaryEntry.objects.get(patient_id=world.ellen["id"], date=yesterday)
    diary.correct_entry(world.alice, entry.id, {"cramps": 10})
    after = _figures(world)["responders"]
    assert (after["n"], after["responder_25"]["count"], after["responder_50"]["count"]) == (
        2,
        1,
        0,
    )


def test_a_new_session_shows_in_the_figures_at_once(world: World) -> None:
    """Lena kept a diary (1 cramp a day, none in the last 14 days) but had no session: not
    counted. A session recorded 14 days ago starts her course, with a diary baseline and a
    current frequency: one more patient, one more 50 % responder, one more session."""
    small_clinic(world)
    lena = add_patient(world, world.alice, "Lena")
    add_plan(world, world.alice, lena)
    add_diary(lena["patient_id"], range(15, 43), 1)
    add_diary(lena["patient_id"], range(0, 15), 0)
    before = _figures(world)
    started = sessions.start_session(
        world.alice,
        {
            "patient_id": lena["patient_id"],
            "date": (timezone.localdate() - dt.timedelta(days=14)).isoformat(),
        },
        world.kb,
    )
    sessions.update_session(world.alice, started["id"], {"lot": "HW-2026-0412"}, world.kb)
    sessions.close_session(world.alice, started["id"], world.kb)
    after = _figures(world)
    assert (before["patients"], after["patients"]) == (4, 5)
    assert after["recorded"] == before["recorded"] + 1
    assert (after["sessions"]["n"], after["sessions"]["min"]) == (5, 1)
    assert (before["responders"]["n"], after["responders"]["n"]) == (2, 3)
    assert after["responders"]["responder_50"]["count"] == 2
