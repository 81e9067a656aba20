"""Accounts: Argon2 hashes, throttled sign-in, tokens, and users managed per clinic."""

from __future__ import annotations

import pytest
from django.test import override_settings

from crampcare.clinic import accounts
from crampcare.clinic.errors import Forbidden, Invalid, Throttled, Unauthenticated
from crampcare.records.models import User
from tests.world import PASSWORD, World


def test_passwords_are_hashed_with_argon2(world: World, argon2_hashing: None) -> None:
    assert User.objects.get(username="alice").password.startswith("argon2$")


def test_sign_in_with_the_right_password(world: World, argon2_hashing: None) -> None:
    user = accounts.sign_in({"username": "alice", "password": PASSWORD}, "10.0.0.1")
    assert user.pk == world.alice.pk


@override_settings(LOGIN_MAX_FAILURES=3)
def test_too_many_failures_lock_the_username_even_with_the_right_password(
    world: World,
) -> None:
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            accounts.sign_in({"username": "alice", "password": "wrong"}, "10.0.0.1")
    with pytest.raises(Throttled) as err:
        accounts.sign_in({"username": "alice", "password": PASSWORD}, "10.0.0.2")
    assert err.value.retry_after > 0
    # another user is not locked out
    accounts.sign_in({"username": "fran", "password": PASSWORD}, "10.0.0.3")


def test_tokens_are_stored_hashed_and_can_be_revoked(world: World) -> None:
    issued = accounts.issue_token({"username": "alice", "password": PASSWORD}, "10.0.0.1")
    token = issued["token"]
    assert accounts.token_user(token) == world.alice
    assert not world.alice.api_tokens.filter(key_hash=token).exists()
    accounts.revoke_token(token)
    assert accounts.token_user(token) is None


def test_a_deactivated_users_token_stops_working(world: World) -> None:
    token = accounts.issue_token({"username": "alice", "password": PASSWORD}, "1")["token"]
    User.objects.filter(pk=world.alice.pk).update(is_active=False)
    assert accounts.token_user(token) is None


def test_an_admin_adds_users_to_their_own_clinic(world: World) -> None:
    made = accounts.create_user(
        world.adam,
        {
            "username": "penny",
            "password": PASSWORD,
            "role": "practitioner",
            "licence_number": "L.Ac. 1",
        },
    )
    assert made["clinic_id"] == world.adam.clinic_id and made["role"] == "practitioner"
    assert {u["username"] for u in accounts.list_users(world.adam)} >= {"alice", "penny"}
    assert "bert" not in {u["username"] for u in accounts.list_users(world.adam)}


def test_a_practitioner_needs_a_licence_and_a_strong_password(world: World) -> None:
    with pytest.raises(Invalid) as err:
        accounts.create_user(
            world.adam, {"username": "alice", "password": "123", "role": "practitioner"}
        )
    fields = [f for f, _ in err.value.errors]
    assert fields.count("password") >= 2 and "licence_number" in fields and "username" in fields


@pytest.mark.parametrize("name", ["alice", "fran"])
def test_only_admins_manage_users(world: World, name: str) -> None:
    with pytest.raises(Forbidden):
        accounts.list_users(world.user(name))


def test_the_record_tests_hash_with_the_fast_test_hasher(world: World) -> None:
    # hashing is not under test here: tests/conftest.py swaps Argon2 for MD5 (see above for
    # the tests that keep Argon2)
    assert User.objects.get(username="alice").password.startswith("md5$")
