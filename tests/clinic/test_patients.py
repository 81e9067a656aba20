"""Patients: validation names every field, consents are time-stamped, records are per clinic."""

from __future__ import annotations

import pytest

from crampcare.clinic import patients
from crampcare.clinic.errors import Forbidden, Invalid, NotFound, Unauthenticated
from crampcare.records.models import Patient
from tests.world import World, person


def test_it_creates_a_patient_stamped_with_who_and_when(world: World) -> None:
    made = patients.create_patient(world.fran, person("Iris", "Dane"))
    assert made["created_by"] == made["updated_by"] == "fran"
    assert made["clinic_id"] == world.fran.clinic_id
    assert made["consent_treatment_at"] is not None


def test_every_bad_field_is_named_and_nothing_is_stored(world: World) -> None:
    count = Patient.objects.count()
    with pytest.raises(Invalid) as err:
        patients.create_patient(
            world.fran,
            {
                "given_name": "",
                "family_name": "x" * 101,
                "birth_date": "2999-01-01",
                "sex": "f",
                "email": "not-an-email",
                "phone": "call me",
                "shoe_size": 9,
            },
        )
    fields = {f for f, _ in err.value.errors}
    assert fields == {
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "email",
        "phone",
        "shoe_size",
    }
    assert Patient.objects.count() == count


def test_nul_characters_are_refused_by_field(world: World) -> None:
    with pytest.raises(Invalid) as err:
        patients.create_patient(world.fran, {**person("Iris", "Dane"), "address": "a\x00b"})
    assert err.value.errors == [("address", "must not contain the NUL character")]


def test_an_update_changes_only_the_given_fields_and_who_changed_it(world: World) -> None:
    updated = patients.update_patient(world.alice, world.nadia["id"], {"phone": "+1 555 0199"})
    assert updated["phone"] == "+1 555 0199"
    assert updated["given_name"] == "Nadia"
    assert updated["created_by"] == "fran" and updated["updated_by"] == "alice"


def test_consent_times_follow_consent(world: World) -> None:
    given = patients.update_patient(world.fran, world.nadia["id"], {"consent_treatment": True})
    assert given["consent_treatment_at"] is not None
    withdrawn = patients.update_patient(world.fran, world.nadia["id"], {"consent_treatment": False})
    assert withdrawn["consent_treatment_at"] is None


def test_null_is_not_a_value_for_a_field(world: World) -> None:
    with pytest.raises(Invalid) as err:
        patients.update_patient(world.fran, world.nadia["id"], {"family_name": None})
    assert err.value.errors == [("family_name", "must not be null")]


def test_another_clinics_patient_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        patients.get_patient(world.alice, world.otto["id"])
    with pytest.raises(NotFound):
        patients.update_patient(world.alice, world.otto["id"], {"phone": "1"})
    listed = patients.list_patients(world.alice)
    assert str(world.otto["id"]) not in {str(p["id"]) for p in listed["items"]}


def test_search_and_paging(world: World) -> None:
    assert [p["given_name"] for p in patients.list_patients(world.fran, "bloo")["items"]] == [
        "Nadia"
    ]
    page = patients.list_patients(world.fran, limit=1, offset=1)
    assert page["count"] == 2 and len(page["items"]) == 1
    with pytest.raises(Invalid) as err:
        patients.list_patients(world.fran, limit=0, offset=-1)
    assert {f for f, _ in err.value.errors} == {"limit", "offset"}


def test_nobody_signed_in_may_not_list(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Unauthenticated):
        patients.list_patients(AnonymousUser())


def test_an_inactive_user_is_refused(world: World) -> None:
    world.fran.is_active = False
    with pytest.raises(Unauthenticated):
        patients.list_patients(world.fran)


def test_every_role_of_the_clinic_sees_demographics(world: World) -> None:
    for user in (world.alice, world.fran, world.adam):
        assert patients.get_patient(user, world.ellen["id"])["family_name"] == "Ayres"
    with pytest.raises(Forbidden):
        from crampcare.clinic import assessments

        assessments.list_intakes(world.fran, world.ellen["id"])
