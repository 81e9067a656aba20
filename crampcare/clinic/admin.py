"""What the admin and account pages and the ``crampcare users`` commands need beyond
``accounts``: the users table with each one's last sign-in, reactivation, a user's own API tokens,
and the system's hand on any account (the command line on the server's machine).

The system acts through ``system_admin(clinic)``: a clinic admin of that clinic with no account,
so that every rule of ``accounts`` holds for it too and each event is audited as ``system``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from crampcare.clinic import accounts
from crampcare.clinic.access import Can, int_key, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, Invalid, NotFound, Unauthenticated
from crampcare.records import audit
from crampcare.records.models import ApiToken, AuditEntry, Clinic, Role, User


def users_table(actor: Actor) -> list[dict[str, Any]]:
    """The clinic admin's users, each with their last sign-in (in this browser or the API's)."""
    require(actor, Can.MANAGE_USERS, "user")
    users = User.objects.filter(clinic_id=actor.clinic_id).select_related("clinic")
    return [
        {**accounts.user_dict(u), "last_login": u.last_login, "is_self": u.pk == actor.pk}
        for u in users.order_by("username")
    ]


def reactivate_user(actor: Actor, user_id: object) -> dict[str, Any]:
    """A clinic admin lets a deactivated user sign in again (their old tokens stay revoked)."""
    with transaction.atomic():
        user = accounts._managed(actor, user_id)
        if user.is_active:
            raise Conflict("this user is active already", "user_id")
        user.is_active = True
        user.stamp(actor)
        user.save(update_fields=["is_active", "updated_at", "updated_by"])
        audit.security_event(
            actor,
            "reactivate",
            username=user.username,
            clinic_id=user.clinic_id,
            detail={"user": user.pk},
        )
    return accounts.user_dict(user)


# --- one's own API tokens ------------------------------------------------------------------


def _signed_in(actor: User) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated("sign in first")


def own_tokens(actor: User) -> list[dict[str, Any]]:
    """The actor's API tokens, newest first (never the token itself: only its hash is kept)."""
    _signed_in(actor)
    now = timezone.now()
    rows = ApiToken.objects.filter(user=actor).order_by("-created_at", "-pk")
    return [
        {
            "id": t.pk,
            "name": t.name,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
            "usable": t.revoked_at is None and t.expires_at > now,
        }
        for t in rows
    ]


def revoke_own_token(actor: User, token_id: object) -> None:
    """Revoke one of the actor's tokens; another user's token is ``NotFound`` like an absent one."""
    _signed_in(actor)
    pk = int_key(token_id)
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(user=actor)
        token = tokens.filter(pk=pk).first() if pk is not None else None
        if token is None:
            raise NotFound(f"no token {token_id}", "token_id")
        if token.revoked_at is not None:
            return
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.security_event(
            actor,
            "token_revoke",
            username=actor.username,
            clinic_id=actor.clinic_id,
            detail={"user": actor.pk, "token": token.pk},
        )


# --- the system (the command line on the server's machine) ---------------------------------


@dataclass
class SystemAdmin:
    """The system acting as a clinic admin of ``clinic``: it has no account (``pk`` None), so
    ``audit`` records it as ``system`` and no rule about "yourself" applies to it."""

    clinic: Clinic
    pk: None = None
    username: str = audit.SYSTEM
    role: str = str(Role.CLINIC_ADMIN)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    is_authenticated: bool = True
    is_active: bool = True
    confirmed_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def clinic_id(self) -> int:
        return int(self.clinic.pk)

    def get_username(self) -> str:
        return self.username

    def get_role_display(self) -> str:
        return "system"


def system_admin(clinic: Clinic) -> SystemAdmin:
    return SystemAdmin(clinic)


def find_user(username: str) -> User:
    """A user of any clinic by username (any letter case), for the command line."""
    user = User.objects.select_related("clinic").filter(username__iexact=username.strip()).first()
    if user is None:
        raise NotFound(f"no user {username!r}", "username")
    return user


def find_clinic(name_or_id: str | None) -> Clinic:
    """A clinic by id or exact name; with none given, the only clinic there is."""
    clinics = Clinic.objects.all()
    if name_or_id is None:
        only = list(clinics[:2])
        if len(only) != 1:
            raise Invalid([("clinic", "name the clinic (--clinic NAME or ID): there are several")])
        return only[0]
    text = name_or_id.strip()
    if text.isascii() and text.isdigit() and len(text) < 19:
        found = clinics.filter(pk=int(text)).first()
    else:
        found = clinics.filter(name=text).first()
    if found is None:
        raise NotFound(f"no clinic {name_or_id!r}", "clinic")
    return found


def system_users(clinic: Clinic | None) -> list[dict[str, Any]]:
    """Every user (of one clinic, or of all), for ``crampcare users list``."""
    users = User.objects.select_related("clinic").order_by("clinic_id", "username")
    if clinic is not None:
        users = users.filter(clinic=clinic)
    return [{**accounts.user_dict(u), "last_login": u.last_login} for u in users]


CHANGES = (
    "user_create",
    "user_create_failed",
    "invited",
    "invitation_accepted",
    "role_change",
    "deactivate",
    "reactivate",
    "password_reset",
    "sign_out_everywhere",
)


def user_changes(actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The clinic's account changes from the audit log, newest first: users invited, made,
    confirmed, given a role, deactivated or reactivated, reset, signed out everywhere."""
    require(actor, Can.MANAGE_USERS, "user")
    rows = AuditEntry.objects.filter(
        clinic_id=actor.clinic_id, record_type="account", action__in=CHANGES
    )
    return [
        {
            "at": e.at,
            "action": e.action,
            "actor": e.actor,
            "username": e.record_id,
            "detail_pairs": sorted((k, v) for k, v in e.detail.items() if k != "user"),
        }
        for e in rows.order_by("-at", "-pk")[: max(1, min(limit, 1000))]
    ]


def new_clinic(name: str) -> Clinic:
    """A new clinic, made by the system (``crampcare users invite --new-clinic``)."""
    text = name.strip()
    if not text or len(text) > 200:
        raise Invalid([("clinic", "give the clinic's name (at most 200 characters)")])
    if Clinic.objects.filter(name=text).exists():
        raise Conflict(f"a clinic named {text!r} exists already", "clinic")
    clinic = Clinic(name=text)
    clinic.stamp(None, created=True)
    clinic.save()
    audit.append(None, "create", "clinic", clinic.pk, clinic_id=clinic.pk)
    return clinic
