"""Users of a clinic: invitations (the user sets their own password; until then no clinical
records), the password rule, role changes, an admin who may not make themselves a practitioner,
one answer for every unavailable username, and the events an admin can list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from crampcare.clinic import accounts, assessments, invitations
from crampcare.clinic.errors import Forbidden, Invalid, NotFound, Unauthenticated
from crampcare.records.models import Invitation, User
from tests.world import PASSWORD, World

NEW = "quartz otter lantern 1987"


def invite(world: World, **extra: Any) -> dict[str, Any]:
    body = {"username": "penny", "role": "practitioner", "licence_number": "L.Ac. 1", **extra}
    return accounts.create_user(world.adam, body)


def accept(made: dict[str, Any], password: str = NEW) -> User:
    return invitations.accept({"token": made["invitation"]["token"], "password": password}, "ip")


def test_an_invited_user_sets_their_own_password_before_signing_in(world: World) -> None:
    made = invite(world)
    assert made["clinic_id"] == world.adam.clinic_id and not made["confirmed"]
    assert made["invitation"]["path"] == "/invitation/" + made["invitation"]["token"]
    with pytest.raises(Unauthenticated):  # no password works yet
        accounts.sign_in({"username": "penny", "password": "!"}, "ip")
    user = accept(made)
    assert user.confirmed_at is not None
    assert accounts.sign_in({"username": "penny", "password": NEW}, "ip").pk == made["id"]
    stored = Invitation.objects.get(user=user)
    assert stored.used_at is not None and made["invitation"]["token"] not in stored.token_hash


def test_an_invitation_works_once_and_not_after_it_expired_or_was_replaced(world: World) -> None:
    made = invite(world)
    accept(made)
    with pytest.raises(NotFound) as used:
        accept(made)
    later = invite(world, username="quinn")
    Invitation.objects.filter(user_id=later["id"]).update(expires_at=timezone.now())
    with pytest.raises(NotFound) as expired:
        accept(later)
    first = invite(world, username="rosa")
    accounts.reset_password(world.adam, first["id"])  # a new link replaces the first
    with pytest.raises(NotFound) as replaced:
        accept(first)
    assert used.value.errors == expired.value.errors == replaced.value.errors


def test_an_unconfirmed_practitioner_sees_no_clinical_records(world: World) -> None:
    accounts.change_role(world.adam, world.fran.pk, {"role": "practitioner", "licence_number": "L"})
    fran = User.objects.get(pk=world.fran.pk)
    with pytest.raises(Forbidden, match="confirm your account"):
        assessments.get_assessment(fran, world.assessment["id"], world.kb)


def test_given_a_clinical_role_the_user_confirms_again(world: World) -> None:
    made = accounts.change_role(
        world.adam, world.fran.pk, {"role": "practitioner", "licence_number": "L.Ac. 9"}
    )
    fran = accept(made)
    assert assessments.get_assessment(fran, world.assessment["id"], world.kb)["id"]
    events = accounts.user_events(world.adam)
    change = next(e for e in events if e["action"] == "role_change")
    assert (change["detail"]["before"], change["detail"]["after"]) == ("front_desk", "practitioner")


@pytest.mark.parametrize(
    "password",
    [" " * 12, "aaaaaaaaaaaa", "passwordpassword", "123456789012", "short", "penny-penny-penny"],
    ids=["twelve spaces", "one letter", "a repeated word", "digits", "short", "the username"],
)
def test_weak_passwords_are_refused(world: World, password: str) -> None:
    made = invite(world)
    with pytest.raises(Invalid) as err:
        accept(made, password)
    assert {f for f, _ in err.value.errors} == {"password"}
    assert not User.objects.get(pk=made["id"]).confirmed_at


def test_a_strong_password_of_twelve_or_more_is_accepted(world: World) -> None:
    assert accept(invite(world), "Vq7#mplo2!Rz").confirmed_at


@pytest.mark.parametrize(
    "extra",
    [{"email": "adam@willow.example"}, {"first_name": "Adam", "last_name": "Reyes"}],
    ids=["same email", "same name"],
)
def test_an_admin_may_not_make_an_account_for_themselves(world: World, extra: Any) -> None:
    User.objects.filter(pk=world.adam.pk).update(
        email="Adam@Willow.example", first_name="Adam", last_name="Reyes"
    )
    adam = User.objects.get(pk=world.adam.pk)
    with pytest.raises(Forbidden):
        accounts.create_user(adam, {"username": "adam2", "role": "practitioner",
                                    "licence_number": "L", **extra})  # fmt: skip
    assert not User.objects.filter(username="adam2").exists()
    assert accounts.user_events(adam)[0]["action"] == "user_create_failed"


def test_an_admin_may_not_change_their_own_role(world: World) -> None:
    with pytest.raises(Forbidden):
        accounts.change_role(world.adam, world.adam.pk, {"role": "practitioner"})


@pytest.mark.parametrize(
    "name",
    ["bert", "BERT", "alice", "System"],
    ids=["another clinic's", "another letter case", "own clinic's", "reserved"],
)
def test_every_unavailable_username_gets_the_same_answer(world: World, name: str) -> None:
    with pytest.raises(Invalid) as err:
        accounts.create_user(world.adam, {"username": name, "role": "front_desk"})
    assert err.value.errors == [("username", accounts.NOT_AVAILABLE)]


def test_user_creation_and_invitations_are_listed_for_the_admin(world: World) -> None:
    made = invite(world)
    accept(made)
    latest = accounts.user_events(world.adam)[:3]
    assert [e["action"] for e in latest] == ["invitation_accepted", "invited", "user_create"]
    assert {e["user_id"] for e in latest} == {str(made["id"])}
    assert all(e["user_id"] != str(world.bert.pk) for e in accounts.user_events(world.adam))


def test_an_admin_adds_users_only_to_their_own_clinic(world: World) -> None:
    invite(world)
    assert {u["username"] for u in accounts.list_users(world.adam)} >= {"alice", "penny"}
    assert "bert" not in {u["username"] for u in accounts.list_users(world.adam)}
    with pytest.raises(NotFound):
        accounts.deactivate_user(world.adam, world.bert.pk)


def test_a_practitioner_needs_a_licence(world: World) -> None:
    with pytest.raises(Invalid) as err:
        accounts.create_user(world.adam, {"username": "nolicence", "role": "practitioner"})
    assert [f for f, _ in err.value.errors] == ["licence_number"]


def test_an_admin_is_asked_for_no_password(world: World) -> None:
    with pytest.raises(Invalid) as err:
        accounts.create_user(
            world.adam, {"username": "pat", "role": "front_desk", "password": PASSWORD}
        )
    assert [f for f, _ in err.value.errors] == ["password"]


def test_invitations_expire_after_the_setting(world: World, settings: Any) -> None:
    settings.INVITATION_DAYS = 3
    made = invite(world)
    left = made["invitation"]["expires_at"] - timezone.now()
    assert dt.timedelta(days=2, hours=23) < left <= dt.timedelta(days=3)
