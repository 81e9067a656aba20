"""Every user's account page: change their own password (the current one first; tokens revoked,
other browsers signed out, this one kept), sign out everywhere, and their own API tokens."""

from __future__ import annotations

from django.test import Client, override_settings

from crampcare.records.models import ApiToken, AuditEntry, User
from tests.world import PASSWORD, World, token_for

NEW = "quartz otter lantern 1987"


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    answer = client.post("/login", {"username": username, "password": password})
    assert answer.status_code == 302
    return client


def change(client: Client, current: str, new: str, again: str | None = None) -> object:
    form = {"current_password": current, "new_password": new, "new_password_again": again or new}
    return client.post("/account/password", form)


def test_every_role_has_the_account_page(world: World) -> None:
    for name in ("alice", "fran", "adam"):
        page = signed_in(name).get("/account")
        assert page.status_code == 200 and b"Change your password" in page.content
        assert b'href="/account" aria-current="page"' in page.content
    assert b'href="/admin/users"' not in signed_in("alice").get("/account").content
    assert Client().get("/account").status_code == 302


def test_changing_the_password_keeps_this_browser_and_ends_the_rest(world: World) -> None:
    here, elsewhere = signed_in("alice"), signed_in("alice")
    raw = token_for(world.alice)
    answer = change(here, PASSWORD, NEW)
    assert answer.status_code == 302 and answer["Location"] == "/account?done=password"
    assert here.get("/").status_code == 200 and elsewhere.get("/").status_code == 302
    assert (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/auth/me").status_code == 401
    )
    assert User.objects.get(pk=world.alice.pk).check_password(NEW)
    assert AuditEntry.objects.filter(action="password_change", actor="alice").exists()


def test_a_wrong_current_password_changes_nothing(world: World) -> None:
    client = signed_in("alice")
    page = change(client, "not my password at all", NEW)
    assert page.status_code == 422 and b"not your current password" in page.content
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="password_failed", actor="alice").exists()


def test_new_passwords_that_differ_or_are_weak_are_refused_by_name(world: World) -> None:
    client = signed_in("alice")
    differ = change(client, PASSWORD, NEW, NEW + "x")
    assert differ.status_code == 422 and b"the two new passwords differ" in differ.content
    weak = change(client, PASSWORD, " " * 12)
    assert weak.status_code == 422 and b"New password: " in weak.content
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)


@override_settings(LOGIN_MAX_FAILURES=1)
def test_guessing_the_current_password_is_throttled(world: World) -> None:
    client = signed_in("alice")
    change(client, "wrong guess number one", NEW)
    page = change(client, PASSWORD, NEW)
    assert page.status_code == 429 and page["Retry-After"]
    assert User.objects.get(pk=world.alice.pk).check_password(PASSWORD)


def test_sign_out_everywhere_ends_this_browser_and_every_token(world: World) -> None:
    here, elsewhere = signed_in("fran"), signed_in("fran")
    token_for(world.fran)
    answer = here.post("/account/sign-out-everywhere")
    assert answer.status_code == 302 and answer["Location"].startswith("/login")
    assert here.get("/").status_code == 302 and elsewhere.get("/").status_code == 302
    assert not ApiToken.objects.filter(user=world.fran, revoked_at__isnull=True).exists()
    assert signed_in("fran").get("/").status_code == 200  # the password still works


def test_own_tokens_are_listed_and_revoked_and_nobody_elses(world: World) -> None:
    mine = token_for(world.alice)
    token_for(world.bert)
    theirs = ApiToken.objects.get(user=world.bert)
    client = signed_in("alice")
    token = ApiToken.objects.get(user=world.alice)
    page = client.get("/account").content.decode()
    assert f'id="token-{token.pk}"' in page and f'id="token-{theirs.pk}"' not in page
    assert mine not in page and token.key_hash not in page  # never the token nor its hash
    assert client.post(f"/account/tokens/{theirs.pk}/revoke").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    answer = client.post(f"/account/tokens/{token.pk}/revoke")
    assert answer.status_code == 302 and answer["Location"] == "/account?done=token"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    revoked = AuditEntry.objects.get(action="token_revoke", actor="alice")
    assert revoked.detail == {"user": world.alice.pk, "token": token.pk}
    assert b"Revoked" in client.get("/account").content
