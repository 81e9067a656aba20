"""``crampcare users``: the system's hand on any clinic's accounts from the server's machine,
audited as ``system``; the way back in for a lost admin password. On both databases."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from crampcare.cli import main
from crampcare.records.models import ApiToken, AuditEntry, Clinic, User
from tests.world import PASSWORD, World, token_for

NEW = "quartz otter lantern 1987"
Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(["users", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def link_in(out: str) -> str:
    found = re.search(r"(/invitation/[A-Za-z0-9_-]+)", out)
    assert found, out
    return found.group(1)


def test_list_shows_every_clinic_or_one(world: World, capsys: Capture) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert {line.split()[1] for line in out.splitlines()} == {
        "adam",
        "alice",
        "fran",
        "bella",
        "bert",
    }
    code, out, _ = run(capsys, "list", "--clinic", "Birch", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {r["username"] for r in rows} == {"bella", "bert"}
    assert rows[0]["confirmed"] is True and "password" not in rows[0]


def test_a_lost_admin_password_is_reset_by_a_one_time_link(world: World, capsys: Capture) -> None:
    admin_browser = Client()
    admin_browser.force_login(world.adam)
    code, out, _ = run(capsys, "reset-password", "ADAM", "--base-url", "https://clinic.lan:8443/")
    assert code == 0 and "https://clinic.lan:8443/invitation/" in out
    assert PASSWORD not in out
    assert admin_browser.get("/").status_code == 302  # signed out everywhere
    assert Client().post("/login", {"username": "adam", "password": PASSWORD}).status_code != 302
    path = link_in(out)
    assert Client().post(path, {"password": NEW, "password_again": NEW}).status_code == 302
    assert Client().post("/login", {"username": "adam", "password": NEW}).status_code == 302
    assert Client().post(path, {"password": NEW, "password_again": NEW}).status_code == 404
    entry = AuditEntry.objects.get(action="password_reset")
    assert entry.actor == "system" and entry.actor_id is None
    assert entry.clinic_id == world.adam.clinic_id and entry.record_id == "adam"


def test_invite_to_a_clinic_makes_an_unconfirmed_user(world: World, capsys: Capture) -> None:
    code, _, err = run(capsys, "invite", "petra", "--role", "practitioner", "--licence", "L-1")
    assert code == 2 and "clinic" in err  # two clinics: which one?
    code, out, _ = run(
        capsys,
        "invite",
        "petra",
        "--role",
        "practitioner",
        "--clinic",
        "Willow",
        "--licence",
        "L-1",
    )
    assert code == 0 and "/invitation/" in out
    petra = User.objects.get(username="petra")
    assert petra.clinic_id == world.adam.clinic_id and petra.confirmed_at is None
    made = AuditEntry.objects.get(action="user_create", record_id="petra")
    assert made.actor == "system"


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["invite", "ALICE", "--role", "front_desk", "--clinic", "Willow"], 2, "not available"),
        (["invite", "petra", "--role", "practitioner", "--clinic", "Willow"], 2, "licence"),
        (["invite", "petra", "--role", "front_desk", "--clinic", "Nowhere"], 1, "no clinic"),
        (["deactivate", "nobody"], 1, "no user 'nobody'"),
        (["set-role", "fran", "practitioner"], 2, "licence"),
    ],
    ids=["taken name", "no licence", "no clinic", "no user", "practitioner without licence"],
)
def test_refusals_are_one_message_and_change_nothing(
    world: World, capsys: Capture, argv: list[str], code: int, message: str
) -> None:
    users = sorted(User.objects.values_list("username", "role", "is_active"))
    got, out, err = run(capsys, *argv)
    assert got == code and message in err and "Traceback" not in err and not out
    assert sorted(User.objects.values_list("username", "role", "is_active")) == users


def test_new_clinic_with_its_admin_and_no_clinic_left_on_refusal(
    world: World, capsys: Capture
) -> None:
    code, _, _ = run(capsys, "invite", "bert", "--role", "clinic_admin", "--new-clinic", "Cedar")
    assert code == 2 and not Clinic.objects.filter(name="Cedar").exists()
    code, out, _ = run(capsys, "invite", "cora", "--role", "clinic_admin", "--new-clinic", "Cedar")
    assert code == 0 and "'Cedar'" in out
    assert User.objects.get(username="cora").clinic.name == "Cedar"


def test_deactivate_reactivate_and_sign_out_everywhere(world: World, capsys: Capture) -> None:
    raw = token_for(world.alice)
    assert run(capsys, "sign-out-everywhere", "alice")[0] == 0
    assert not ApiToken.objects.filter(user=world.alice, revoked_at__isnull=True).exists()
    assert run(capsys, "deactivate", "alice")[0] == 0
    assert not User.objects.get(pk=world.alice.pk).is_active
    assert Client().post("/login", {"username": "alice", "password": PASSWORD}).status_code != 302
    assert run(capsys, "reactivate", "alice")[0] == 0
    assert Client().post("/login", {"username": "alice", "password": PASSWORD}).status_code == 302
    assert (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/auth/me").status_code == 401
    )
    code, _, err = run(capsys, "reactivate", "alice")
    assert code == 2 and "active already" in err
    actions = AuditEntry.objects.filter(actor="system", record_id="alice").values_list(
        "action", flat=True
    )
    assert {"sign_out_everywhere", "deactivate", "reactivate"} <= set(actions)


def test_set_role_to_clinical_prints_the_confirmation_link(world: World, capsys: Capture) -> None:
    code, out, _ = run(capsys, "set-role", "fran", "practitioner", "--licence", "LIC-F")
    assert code == 0 and "/invitation/" in out
    fran = User.objects.get(pk=world.fran.pk)
    assert fran.role == "practitioner" and fran.confirmed_at is None
    code, out, _ = run(capsys, "set-role", "adam", "front_desk")  # the system may
    assert code == 0 and "/invitation/" not in out
    assert User.objects.get(pk=world.adam.pk).role == "front_desk"


def test_every_users_command_is_in_the_help(capsys: Capture) -> None:
    with pytest.raises(SystemExit):
        main(["users", "--help"])
    out: Any = capsys.readouterr().out
    for name in (
        "list",
        "invite",
        "deactivate",
        "reactivate",
        "set-role",
        "reset-password",
        "sign-out-everywhere",
    ):
        assert name in out
