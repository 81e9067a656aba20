"""Accounts: Argon2 hashes, the sign-in throttle (a progressive delay, no lock-out), failed
sign-ins kept as evidence, tokens, signing out everywhere, and every event audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from crampcare.clinic import accounts, throttle
from crampcare.clinic.errors import Forbidden, Invalid, NotFound, Throttled, Unauthenticated
from crampcare.records.models import ApiToken, AuditEntry, LoginFailure, User
from tests.world import PASSWORD, World, token_for

WRONG = {"username": "alice", "password": "not the password"}
RIGHT = {"username": "alice", "password": PASSWORD}


class Clock:
    """The throttle's clock, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = timezone.now()
        monkeypatch.setattr(throttle, "now", lambda: self.at)

    def wait(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def fail(times: int, address: str = "10.0.0.1", username: str = "alice") -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            accounts.sign_in({"username": username, "password": "nope"}, address)


def events(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_passwords_are_hashed_with_argon2(world: World, argon2_hashing: None) -> None:
    assert User.objects.get(username="alice").password.startswith("argon2$")


def test_sign_in_with_the_right_password(world: World, argon2_hashing: None) -> None:
    user = accounts.sign_in(RIGHT, "10.0.0.1")
    assert user.pk == world.alice.pk


@pytest.mark.parametrize(
    "failures, wait",
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (500, 60)],
    ids=lambda v: str(v),
)
def test_the_wait_doubles_after_five_failures_up_to_a_minute(failures: int, wait: int) -> None:
    assert throttle.delay_after(failures, free=5, cap=60) == wait


@override_settings(LOGIN_MAX_FAILURES=3)
def test_after_the_free_failures_the_next_attempt_waits_then_the_right_password_works(
    world: World, clock: Clock
) -> None:
    fail(3)
    with pytest.raises(Throttled) as err:  # even the right password, from another address
        accounts.sign_in(RIGHT, "10.0.0.2")
    assert err.value.retry_after == 1
    clock.wait(1)
    assert accounts.sign_in(RIGHT, "10.0.0.2").pk == world.alice.pk
    # another user was never slowed down
    accounts.sign_in({"username": "fran", "password": PASSWORD}, "10.0.0.1")


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_DELAY_MAX_SECONDS=60)
def test_a_guesser_never_keeps_the_owner_out_longer_than_the_cap(
    world: World, clock: Clock
) -> None:
    for _ in range(12):  # a patient guesser: waits as told, then guesses again
        while True:
            try:
                accounts.sign_in(WRONG, "203.0.113.9")
            except Throttled as exc:
                clock.wait(exc.retry_after)
            except Unauthenticated:
                break
    with pytest.raises(Throttled) as err:
        accounts.sign_in(RIGHT, "10.0.0.2")
    assert err.value.retry_after == 60
    clock.wait(err.value.retry_after)
    assert accounts.sign_in(RIGHT, "10.0.0.2").pk == world.alice.pk


def test_an_attempt_while_waiting_is_not_counted(world: World, clock: Clock) -> None:
    fail(5)
    for _ in range(10):
        with pytest.raises(Throttled):
            accounts.sign_in(WRONG, "10.0.0.1")
    clock.wait(1)
    fail(1)  # the sixth failure: the wait is now 2 s, not 2**11
    with pytest.raises(Throttled) as err:
        accounts.sign_in(RIGHT, "10.0.0.1")
    assert err.value.retry_after == 2


@override_settings(LOGIN_ADDRESS_MAX_FAILURES=4)
def test_one_address_guessing_many_accounts_waits_but_others_do_not(
    world: World, clock: Clock
) -> None:
    for name in ["alice", "fran", "adam", "bert"]:
        fail(1, "198.51.100.7", name)
    with pytest.raises(Throttled):
        accounts.sign_in(RIGHT, "198.51.100.7")
    assert accounts.sign_in(RIGHT, "10.0.0.2").pk == world.alice.pk  # the clinic's own address


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_SECONDS=900)
def test_counts_restart_after_a_quiet_window(world: World, clock: Clock) -> None:
    fail(3)
    clock.wait(901)
    fail(2)  # two new failures: still free
    assert accounts.sign_in(RIGHT, "10.0.0.1").pk == world.alice.pk


def test_a_success_clears_the_accounts_count(world: World, clock: Clock) -> None:
    fail(4)
    accounts.sign_in(RIGHT, "10.0.0.1")
    fail(4)  # four more are free again
    accounts.sign_in(RIGHT, "10.0.0.1")


def test_failed_sign_ins_are_kept_as_evidence_and_pruned_only_by_age(
    world: World, clock: Clock
) -> None:
    old = LoginFailure.objects.create(
        username="x", ip="1", at=timezone.now() - dt.timedelta(days=91)
    )
    fail(2)
    accounts.sign_in(RIGHT, "10.0.0.1")
    kept = LoginFailure.objects.filter(username="alice")
    assert kept.count() == 2 and {f.ip for f in kept} == {"10.0.0.1"}
    assert not LoginFailure.objects.filter(pk=old.pk).exists()


def test_every_sign_in_and_failure_is_audited_with_the_name_typed_and_the_address(
    world: World,
) -> None:
    accounts.sign_in(RIGHT, "10.0.0.1")
    typed = "Alice" + "x" * 140
    with pytest.raises(Unauthenticated):
        accounts.sign_in({"username": typed, "password": "nope"}, "10.0.0.9")
    ok = events("sign_in")[-1]
    assert ok.actor == "alice" and ok.detail["address"] == "10.0.0.1"
    failed = events("sign_in_failed")[-1]
    assert failed.actor == "system" and failed.record_id == typed[:64]
    assert failed.detail["address"] == "10.0.0.9" and "nope" not in str(failed.detail)


def test_a_failure_on_a_real_account_goes_to_its_clinics_log(world: World) -> None:
    fail(1)
    assert events("sign_in_failed")[-1].clinic_id == world.alice.clinic_id


def test_tokens_are_stored_hashed_revoked_and_audited(world: World) -> None:
    issued = accounts.issue_token(RIGHT, "10.0.0.1")
    token = issued["token"]
    assert accounts.token_user(token) == world.alice
    assert not world.alice.api_tokens.filter(key_hash=token).exists()
    accounts.revoke_token(token)
    assert accounts.token_user(token) is None
    assert world.alice.api_tokens.get().revoked_at is not None  # kept, revoked
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="token_")] == [
        "token_issue",
        "token_revoke",
    ]


def test_a_password_change_revokes_every_token(world: World) -> None:
    tokens = [token_for(world.alice), token_for(world.alice)]
    new = "quartz otter lantern 1987"
    accounts.change_password(
        world.alice, {"current_password": PASSWORD, "new_password": new}, "10.0.0.1"
    )
    assert [accounts.token_user(t) for t in tokens] == [None, None]
    assert accounts.sign_in({"username": "alice", "password": new}, "10.0.0.1") == world.alice
    assert events("password_change")[-1].detail["tokens_revoked"] == 2


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failure(
    world: World, clock: Clock
) -> None:
    token = token_for(world.alice)
    body = {"current_password": "guess", "new_password": "quartz otter lantern 1987"}
    for _ in range(5):
        with pytest.raises(Invalid) as err:
            accounts.change_password(world.alice, body, "10.0.0.1")
        assert err.value.errors[0][0] == "current_password"
    with pytest.raises(Throttled):
        accounts.change_password(world.alice, body, "10.0.0.1")
    assert accounts.token_user(token) == world.alice


def test_deactivation_ends_every_token_and_session(world: World) -> None:
    token = token_for(world.fran)
    epoch = world.fran.sessions_epoch
    accounts.deactivate_user(world.adam, world.fran.pk)
    fran = User.objects.get(pk=world.fran.pk)
    assert accounts.token_user(token) is None and not fran.is_active
    assert fran.sessions_epoch == epoch + 1
    assert ApiToken.objects.get(user=fran).revoked_at is not None


def test_sign_out_everywhere_for_oneself(world: World) -> None:
    token = token_for(world.alice)
    before = world.alice.get_session_auth_hash()
    assert accounts.sign_out_everywhere(world.alice)["tokens_revoked"] == 1
    assert accounts.token_user(token) is None
    assert User.objects.get(pk=world.alice.pk).get_session_auth_hash() != before


def test_an_admin_signs_out_a_user_of_their_clinic_and_no_other(world: World) -> None:
    token = token_for(world.alice)
    assert accounts.sign_out_everywhere(world.adam, world.alice.pk)["user_id"] == world.alice.pk
    assert accounts.token_user(token) is None
    assert events("sign_out_everywhere")[-1].actor == "adam"
    with pytest.raises(NotFound):
        accounts.sign_out_everywhere(world.adam, world.bert.pk)
    with pytest.raises(Forbidden):
        accounts.sign_out_everywhere(world.alice, world.fran.pk)


@pytest.mark.parametrize("name", ["alice", "fran"])
def test_only_admins_manage_users(world: World, name: str) -> None:
    with pytest.raises(Forbidden):
        accounts.list_users(world.user(name))


def test_the_record_tests_hash_with_the_fast_test_hasher(world: World) -> None:
    # hashing is not under test here: tests/conftest.py swaps Argon2 for MD5 (see above for
    # the tests that keep Argon2)
    assert User.objects.get(username="alice").password.startswith("md5$")
