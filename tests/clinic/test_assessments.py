"""Intakes are versioned; assessments keep their kb_version and can be re-assessed."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from crampcare.clinic import assessments
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound
from crampcare.records.models import Assessment, Intake
from tests.factories import make_intake
from tests.world import World


def test_posting_an_intake_stores_version_1_and_its_assessment(world: World) -> None:
    a = world.assessment
    assert a["intake_version"] == 1
    assert a["kb_version"] == world.kb.version == a["result"]["kb_version"]
    assert a["result"]["schema"] == "crampcare.assessment/1"
    assert a["stale"] is False and a["supersedes"] is None
    assert a["created_by"] == "alice"


def test_a_new_intake_is_the_next_version(world: World) -> None:
    made = assessments.create_intake(
        world.alice, world.ellen["id"], {"document": make_intake()}, world.kb
    )
    assert made["version"] == 2
    listed = assessments.list_intakes(world.alice, world.ellen["id"])
    assert [i["version"] for i in listed] == [2, 1]


def test_an_invalid_intake_names_its_fields_and_stores_nothing(world: World) -> None:
    before = (Intake.objects.count(), Assessment.objects.count())
    doc = make_intake(complaint={"side": "up"}, findings=["aliens"])
    with pytest.raises(Invalid) as err:
        assessments.create_assessment(
            world.alice, {"patient_id": world.ellen["id"], "intake": doc}, world.kb
        )
    fields = [f for f, _ in err.value.errors]
    assert "intake.complaint.side" in fields and "intake.findings[0]" in fields
    assert (Intake.objects.count(), Assessment.objects.count()) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "intake_id"),
        ({"intake": {}}, "patient_id"),
        ({"intake_id": "00000000-0000-0000-0000-000000000001", "patient_id": None}, None),
    ],
)
def test_assessment_requests_need_an_intake_or_a_patient_and_intake(
    world: World, body: dict[str, Any], field: str | None
) -> None:
    with pytest.raises((Invalid, NotFound)) as err:
        assessments.create_assessment(world.alice, body, world.kb)
    if field:
        assert err.value.errors[0][0] == field


def test_clinical_records_need_consent_to_data_processing(world: World) -> None:
    with pytest.raises(Conflict, match="consented to the processing"):
        assessments.create_assessment(
            world.alice, {"patient_id": world.nadia["id"], "intake": make_intake()}, world.kb
        )


def test_front_desk_may_not_assess(world: World) -> None:
    with pytest.raises(Forbidden):
        assessments.create_assessment(
            world.fran, {"patient_id": world.ellen["id"], "intake": make_intake()}, world.kb
        )


def test_another_clinic_cannot_reach_an_assessment(world: World) -> None:
    with pytest.raises(NotFound):
        assessments.get_assessment(world.bert, world.assessment["id"], world.kb)
    with pytest.raises(NotFound):
        assessments.create_assessment(
            world.bert, {"patient_id": world.ellen["id"], "intake": make_intake()}, world.kb
        )


def test_reassessing_under_the_same_kb_makes_nothing_new(world: World) -> None:
    same, made = assessments.reassess(world.alice, world.assessment["id"], world.kb)
    assert not made and same["id"] == world.assessment["id"]


def test_a_changed_kb_makes_the_assessment_stale_and_reassessable(world: World) -> None:
    changed = dataclasses.replace(world.kb, version=world.kb.version + "-changed")
    old = assessments.get_assessment(world.alice, world.assessment["id"], changed)
    assert old["stale"] is True
    new, made = assessments.reassess(world.alice, world.assessment["id"], changed)
    assert made and new["supersedes"] == world.assessment["id"]
    assert new["kb_version"] == changed.version and new["stale"] is False
    assert new["assessed_on"] == world.assessment["assessed_on"]  # the intake's date, not today
    again = assessments.get_assessment(world.alice, world.assessment["id"], changed)
    assert again["superseded_by"] == new["id"]


def test_reassess_stale_covers_every_clinic(world: World) -> None:
    changed = dataclasses.replace(world.kb, version=world.kb.version + "-changed")
    rows = assessments.reassess_stale(None, changed)
    assert [r["assessment"] for r in rows] == [str(world.assessment["id"])]
    assert assessments.reassess_stale(None, changed) == []


def test_an_existing_intake_can_be_assessed_once_per_kb(world: World) -> None:
    with pytest.raises(Conflict, match="already assessed"):
        assessments.create_assessment(
            world.alice, {"intake_id": world.assessment["intake_id"]}, world.kb
        )
