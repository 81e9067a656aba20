"""``crampcare users``: the clinic's user accounts from the command line of the server's machine.

Whoever can run commands there holds the database already, so these act as the system (audited
as ``system``) on any clinic's users, clinic admins included: this is how a lost admin password
is reset (``crampcare users reset-password USERNAME`` prints a one-time link). Every rule of
``clinic.accounts`` still holds (a new practitioner confirms the account through the link before
seeing clinical records; a link is shown once and only its hash is kept).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crampcare.clinic_cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, CommandError, _guarded

ROLES = ("practitioner", "front_desk", "clinic_admin")


def add_commands(sub: Any) -> None:
    users = sub.add_parser("users", help="the clinic's user accounts (as the system; audited)")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="SUBCOMMAND")

    listing = users_sub.add_parser("list", help="every user: clinic, role, active, confirmed")
    listing.add_argument("--clinic", help="only this clinic (name or id)")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(func=_guarded(cmd_list))

    invite = users_sub.add_parser(
        "invite", help="make a user who sets their own password through a one-time link"
    )
    invite.add_argument("username")
    invite.add_argument("--role", required=True, choices=ROLES)
    where = invite.add_mutually_exclusive_group()
    where.add_argument("--clinic", help="the clinic (name or id; needed when there are several)")
    where.add_argument("--new-clinic", metavar="NAME", help="make this clinic first")
    invite.add_argument("--licence", default="", help="licence number (practitioners)")
    invite.add_argument("--email", default="")
    invite.add_argument("--first-name", default="")
    invite.add_argument("--last-name", default="")
    _link_option(invite)
    invite.set_defaults(func=_guarded(cmd_invite))

    for name, helptext, command in (
        ("deactivate", "stop a user signing in; end their sessions and tokens", cmd_deactivate),
        ("reactivate", "let a deactivated user sign in again", cmd_reactivate),
        ("sign-out-everywhere", "end every session and API token of a user", cmd_sign_out),
    ):
        parser = users_sub.add_parser(name, help=helptext)
        parser.add_argument("username")
        parser.set_defaults(func=_guarded(command))

    role = users_sub.add_parser(
        "set-role", help="change a user's role (a clinical role is confirmed again by link)"
    )
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--licence", default="", help="licence number (practitioners)")
    _link_option(role)
    role.set_defaults(func=_guarded(cmd_set_role))

    reset = users_sub.add_parser(
        "reset-password",
        help="end a user's password, sessions and tokens and print a one-time link to set a "
        "new one (any user, a clinic admin too)",
    )
    reset.add_argument("username")
    _link_option(reset)
    reset.set_defaults(func=_guarded(cmd_reset_password))


def _link_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        default="",
        metavar="URL",
        help="the server's address as users open it (e.g. https://clinic.lan:8443), to print "
        "the whole link; without it the link's path is printed",
    )


def _setup() -> None:
    from crampcare.web import boot

    boot.setup()


def _call(action: Any, *args: Any) -> Any:
    """Run a use case; its refusal becomes the command's message (1 when nothing was found)."""
    from crampcare.clinic.errors import ClinicError, NotFound

    try:
        return action(*args)
    except ClinicError as exc:
        text = "; ".join(f"{f}: {m}" if f else m for f, m in exc.errors) or str(exc)
        raise CommandError(text, EXIT_FAILED if isinstance(exc, NotFound) else EXIT_INPUT) from None


def _target(username: str) -> tuple[Any, Any]:
    """The user named and the system acting as an admin of their clinic."""
    from crampcare.clinic import admin

    user = _call(admin.find_user, username)
    return user, admin.system_admin(user.clinic)


def _print_link(made: dict[str, Any], why: str, base_url: str) -> None:
    invitation = made.get("invitation")
    if not invitation:
        return
    link = base_url.rstrip("/") + invitation["path"] if base_url else invitation["path"]
    until = invitation["expires_at"].strftime("%Y-%m-%d %H:%M %Z")
    print(
        f"{why}: give {made['username']!r} this link (shown only now; works once, until {until}):"
    )
    print(f"  {link}")
    if not base_url:
        print("  (open it on the server's address, e.g. https://<server>:8443/invitation/...)")


def cmd_list(args: argparse.Namespace) -> int:
    _setup()
    from crampcare.clinic import admin

    clinic = _call(admin.find_clinic, args.clinic) if args.clinic else None
    rows = admin.system_users(clinic)
    if args.format == "json":
        shown = [{**r, "last_login": r["last_login"] and r["last_login"].isoformat()} for r in rows]
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    for r in rows:
        state = "active" if r["is_active"] else "DEACTIVATED"
        confirmed = "confirmed" if r["confirmed"] else "not confirmed"
        last = r["last_login"].strftime("%Y-%m-%d %H:%M") if r["last_login"] else "never"
        print(
            f"{r['clinic']:<20} {r['username']:<20} {r['role']:<13} {state:<11} "
            f"{confirmed:<13} last sign-in {last}"
        )
    if not rows:
        print("no users", file=sys.stderr)
    return EXIT_OK


def cmd_invite(args: argparse.Namespace) -> int:
    _setup()
    from django.db import transaction

    from crampcare.clinic import accounts, admin

    data = {
        "username": args.username,
        "role": args.role,
        "licence_number": args.licence,
        "email": args.email,
        "first_name": args.first_name,
        "last_name": args.last_name,
    }
    with transaction.atomic():  # a refused user leaves no new clinic behind
        if args.new_clinic is not None:
            clinic = _call(admin.new_clinic, args.new_clinic)
        else:
            clinic = _call(admin.find_clinic, args.clinic)
        made = _call(accounts.create_user, admin.system_admin(clinic), data)
    print(f"invited {made['username']!r} ({made['role']}) to {made['clinic']!r}")
    _print_link(made, "invitation", args.base_url)
    return EXIT_OK


def cmd_deactivate(args: argparse.Namespace) -> int:
    _setup()
    from crampcare.clinic import accounts

    user, system = _target(args.username)
    _call(accounts.deactivate_user, system, user.pk)
    print(f"deactivated {user.username!r}: their sessions and API tokens ended")
    return EXIT_OK


def cmd_reactivate(args: argparse.Namespace) -> int:
    _setup()
    from crampcare.clinic import admin

    user, system = _target(args.username)
    _call(admin.reactivate_user, system, user.pk)
    print(f"reactivated {user.username!r}")
    return EXIT_OK


def cmd_sign_out(args: argparse.Namespace) -> int:
    _setup()
    from crampcare.clinic import accounts

    user, system = _target(args.username)
    result = _call(accounts.sign_out_everywhere, system, user.pk)
    print(
        f"signed {user.username!r} out everywhere ({result['tokens_revoked']} API token(s) revoked)"
    )
    return EXIT_OK


def cmd_set_role(args: argparse.Namespace) -> int:
    _setup()
    from crampcare.clinic import accounts

    user, system = _target(args.username)
    data = {"role": args.role, "licence_number": args.licence or user.licence_number}
    made = _call(accounts.change_role, system, user.pk, data)
    print(f"{user.username!r} is now {made['role']} (signed out everywhere)")
    _print_link(made, "to confirm the account again", args.base_url)
    return EXIT_OK


def cmd_reset_password(args: argparse.Namespace) -> int:
    _setup()
    from crampcare.clinic import accounts

    user, system = _target(args.username)
    made = _call(accounts.reset_password, system, user.pk)
    print(f"{user.username!r}'s password is reset: signed out everywhere, API tokens revoked")
    _print_link(made, "to set a new password", args.base_url)
    return EXIT_OK
