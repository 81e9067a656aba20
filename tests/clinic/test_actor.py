"""The typed actor: who may act, what only a person's own account can do, and ids from outside."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from crampcare.clinic import accounts, patients, sessions
from crampcare.clinic.actor import account, author
from crampcare.clinic.admin import system_admin
from crampcare.clinic.errors import NotFound, Unauthenticated
from crampcare.records.models import AuditEntry
from crampcare.web.actor import actor_of
from tests.world import World


@pytest.mark.parametrize(
    "ident", ["not-a-uuid", "12345", "", "0" * 5000], ids=["text", "digits", "empty", "long"]
)
def test_a_malformed_patient_id_is_not_found_and_the_refusal_audited(
    world: World, ident: str
) -> None:
    before = AuditEntry.objects.filter(action="denied", record_type="patient").count()
    with pytest.raises(NotFound):
        patients.get_patient(world.alice, ident)
    assert AuditEntry.objects.filter(action="denied", record_type="patient").count() == before + 1


def test_a_malformed_session_id_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        sessions.get_session(world.alice, "not-a-uuid", world.kb)


def test_the_system_has_no_account_of_its_own(world: World) -> None:
    system = system_admin(world.adam.clinic)
    assert author(system) is None
    assert author(world.alice) == world.alice
    with pytest.raises(Unauthenticated):
        account(system)
    with pytest.raises(Unauthenticated):  # "sign out everywhere" with no user named: its own
        accounts.sign_out_everywhere(system)


def test_a_request_without_a_signed_in_user_has_no_actor(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(Unauthenticated):
        actor_of(request)
    request.user = world.fran
    assert actor_of(request) == world.fran
