"""Accounts: signing in (throttled: ``throttle``), signing out (everywhere), API tokens, passwords,
the users of a clinic (invited: ``invitations``), the first admin. Every event is audited
(``audit.security_event``) and a clinic admin can list their clinic's (``user_events``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from crampcare.clinic import invitations, throttle
from crampcare.clinic.access import GRANTS, Can, int_key, require
from crampcare.clinic.account_schemas import PasswordChange, RoleChange, UserInvite
from crampcare.clinic.actor import Actor, account
from crampcare.clinic.errors import (
    ClinicError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Throttled,
    Unauthenticated,
)
from crampcare.clinic.schemas import Credentials, UserIn, parse
from crampcare.records import audit
from crampcare.records.models import ApiToken, AuditEntry, Clinic, Role, User

WRONG = "wrong username or password"
NOT_AVAILABLE = "not available: choose another username"
RESERVED = frozenset({"system", "admin", "administrator", "root"})  # "system" names the CLI
TYPED_CHARS = 64  # how much of a typed username a failed sign-in's audit entry keeps


def user_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "role": user.role,
        "clinic_id": user.clinic_id,
        "clinic": user.clinic.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "licence_number": user.licence_number,
        "is_active": user.is_active,
        "confirmed": user.confirmed_at is not None,
    }


def _event(
    actor: Actor | None, action: str, user: User | None, typed: str = "", **detail: Any
) -> None:
    audit.security_event(
        actor,
        action,
        username=user.username if user is not None else typed[:TYPED_CHARS],
        clinic_id=user.clinic_id if user is not None else None,
        detail={"user": user.pk, **detail} if user is not None else detail,
    )


# --- signing in and out --------------------------------------------------------------------


def sign_in(data: Any, ip: str, request: Any = None) -> User:
    """Check a username and password. Raises ``Throttled`` while the account or the address
    must wait (see ``throttle``), and ``Unauthenticated`` for a wrong password. Both are
    audited and the failures kept, whatever the caller's transaction does."""
    creds = parse(Credentials, data)
    typed = creds.username
    failure: ClinicError
    with transaction.atomic():
        held = throttle.hold(typed, ip)
        at = throttle.now()
        wait = held.wait(at)
        if wait:
            known = _known(typed)
            _event(None, "sign_in_failed", known, typed, address=ip, reason="throttled")
            failure = Throttled("too many failed sign-ins: wait and try again", retry_after=wait)
        else:
            user = authenticate(request, username=typed, password=creds.password)
            if isinstance(user, User):
                throttle.succeeded(held)
                _event(user, "sign_in", user, address=ip)
                return user
            failures = throttle.failed(held, typed, ip, at)
            known = _known(typed)
            _event(None, "sign_in_failed", known, typed, address=ip, failures=failures)
            failure = Unauthenticated(WRONG)
    raise failure


def _known(typed: str) -> User | None:
    """The account a typed name names, for the audit entry's clinic (never shown to anyone)."""
    return User.objects.filter(username__iexact=typed.strip()[:150]).first()


def sign_out(user: Any, ip: str) -> None:
    if user is not None and getattr(user, "pk", None):
        _event(user, "sign_out", user, address=ip)


def _end_everything(user: User, at: dt.datetime) -> int:
    """Every browser session of ``user`` ends (their hash changes) and every token is revoked."""
    User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
    user.refresh_from_db(fields=["sessions_epoch"])
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)


def sign_out_everywhere(actor: Actor, user_id: object = None) -> dict[str, Any]:
    """End every session and token of the actor (``user_id`` None), or, for a clinic admin, of a
    user of their clinic."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated("sign in first")
    with transaction.atomic():
        own = user_id is None or user_id == actor.pk
        user = account(actor) if own else _managed(actor, user_id)
        revoked = _end_everything(user, timezone.now())
        _event(actor, "sign_out_everywhere", user, tokens_revoked=revoked)
    return {"user_id": user.pk, "tokens_revoked": revoked}


# --- tokens --------------------------------------------------------------------------------


def issue_token(data: Any, ip: str) -> dict[str, Any]:
    """Sign in and return a new bearer token for the API (shown once; only its hash is kept)."""
    creds = parse(Credentials, data)
    user = sign_in(creds, ip)
    raw = secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user, key_hash=_hash(raw), name=creds.name, expires_at=expires
    )
    _event(user, "token_issue", user, token=token.pk, address=ip)
    return {"token": raw, "expires_at": expires, "user": user_dict(user)}


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None if unknown, expired or revoked."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__clinic")
        .filter(key_hash=_hash(raw), expires_at__gt=timezone.now(), revoked_at__isnull=True)
        .filter(user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(raw: str) -> None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or token.revoked_at is not None:
        return
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    _event(token.user, "token_revoke", token.user, token=token.pk)


# --- passwords -----------------------------------------------------------------------------


def _check_new_password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid([(field, str(m)) for m in exc.messages]) from None


def change_password(actor: User, data: Any, ip: str) -> dict[str, Any]:
    """The actor changes their own password (the current one first, throttled like signing
    in). Every token is revoked and every other session ends (its hash changes)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated("sign in first")
    body = parse(PasswordChange, data)
    failure: ClinicError
    with transaction.atomic():
        held = throttle.hold(actor.username, ip)
        at = throttle.now()
        wait = held.wait(at)
        if wait:
            failure = Throttled("too many wrong passwords: wait and try again", retry_after=wait)
        elif not actor.check_password(body.current_password):
            throttle.failed(held, actor.username, ip, at)
            _event(actor, "password_failed", actor, address=ip)
            failure = Invalid([("current_password", "not your current password")])
        else:
            _check_new_password(body.new_password, actor, "new_password")
            actor.set_password(body.new_password)
            actor.stamp(actor)
            actor.save(update_fields=["password", "updated_at", "updated_by"])
            revoked = _end_everything(actor, at)
            _event(actor, "password_change", actor, tokens_revoked=revoked, address=ip)
            return user_dict(actor)
    raise failure


def reset_password(actor: Actor, user_id: object) -> dict[str, Any]:
    """A clinic admin resets a user's password: the user signs in nowhere until they set a new
    one through the invitation link (returned once); until then no clinical content."""
    with transaction.atomic():
        user = _managed(actor, user_id)
        user.set_unusable_password()
        user.confirmed_at = None
        user.stamp(actor)
        user.save(update_fields=["password", "confirmed_at", "updated_at", "updated_by"])
        revoked = _end_everything(user, timezone.now())
        _event(actor, "password_reset", user, tokens_revoked=revoked)
        invitation = invitations.invite(actor, user)
    return {**user_dict(user), "invitation": invitation}


# --- users ---------------------------------------------------------------------------------


def me(actor: User) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated("sign in first")
    return user_dict(actor)


def list_users(actor: Actor) -> list[dict[str, Any]]:
    require(actor, Can.MANAGE_USERS, "user")
    users = User.objects.filter(clinic_id=actor.clinic_id).select_related("clinic")
    return [user_dict(u) for u in users.order_by("username")]


def _managed(actor: Actor, user_id: object) -> User:
    """A user of the clinic admin's clinic, or ``NotFound`` (also for another clinic's)."""
    require(actor, Can.MANAGE_USERS, "user")
    pk = int_key(user_id)
    users = User.objects.select_for_update().filter(clinic_id=actor.clinic_id)
    user = users.filter(pk=pk).first() if pk is not None else None
    if user is None:
        raise NotFound(f"no user {user_id}")
    user.clinic = actor.clinic
    return user


def _same_person(actor: Actor, body: UserInvite) -> bool:
    email = actor.email.strip().lower()
    name = (actor.first_name.strip().lower(), actor.last_name.strip().lower())
    new_name = (body.first_name.strip().lower(), body.last_name.strip().lower())
    return bool(email and email == body.email.strip().lower()) or bool(
        all(name) and name == new_name
    )


def create_user(actor: Actor, data: Any) -> dict[str, Any]:
    """A clinic admin invites a user to their own clinic. The user has no password until they
    set one through the invitation link (returned once, with the user)."""
    require(actor, Can.MANAGE_USERS, "user")
    body = parse(UserInvite, data)
    if _same_person(actor, body):
        _event(actor, "user_create_failed", None, body.username, reason="same person")
        raise Forbidden(
            "a clinic admin may not make a second account for themselves (same email or name): "
            "another admin or the person themselves must hold it"
        )
    with transaction.atomic():
        user = _new_user(actor, actor.clinic, body, password=None)
        invitation = invitations.invite(actor, user)
    return {**user_dict(user), "invitation": invitation}


def _new_user(actor: Actor | None, clinic: Clinic, body: UserInvite, password: str | None) -> User:
    problems: list[tuple[str, str]] = []
    if body.role == Role.PRACTITIONER.value and not body.licence_number.strip():
        problems.append(("licence_number", "required for a practitioner"))
    name = body.username
    if name.lower() in RESERVED or User.objects.filter(username__iexact=name).exists():
        problems.append(("username", NOT_AVAILABLE))
    user = User(
        username=name,
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        role=body.role,
        clinic=clinic,
        licence_number=body.licence_number.strip(),
    )
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            problems += [("password", str(m)) for m in exc.messages]
    if problems:
        if any(field == "username" for field, _ in problems):
            _event(actor, "user_create_failed", None, name, reason="username")
        raise Invalid(problems)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
        user.confirmed_at = timezone.now()  # they chose it themselves (the first admin)
    user.stamp(actor, created=True)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:  # a parallel request took the name (in any letter case)
        raise Invalid([("username", NOT_AVAILABLE)]) from None
    _event(actor, "user_create", user, role=user.role)
    return user


def change_role(actor: Actor, user_id: object, data: Any) -> dict[str, Any]:
    """A clinic admin changes another user's role. A user given a clinical role must confirm
    the account again (a new invitation, returned once) before they see clinical content."""
    body = parse(RoleChange, data)
    with transaction.atomic():
        user = _managed(actor, user_id)
        if user.pk == actor.pk:
            raise Forbidden("a clinic admin may not change their own role")
        if body.role == Role.PRACTITIONER and not body.licence_number.strip():
            raise Invalid([("licence_number", "required for a practitioner")])
        before = user.role
        gains_clinical = Can.CLINICAL in GRANTS[body.role] and Can.CLINICAL not in GRANTS[before]
        user.role = body.role
        user.licence_number = body.licence_number.strip()
        fields = ["role", "licence_number", "updated_at", "updated_by"]
        if gains_clinical:
            user.set_unusable_password()
            user.confirmed_at = None
            fields += ["password", "confirmed_at"]
        user.stamp(actor)
        user.save(update_fields=fields)
        _end_everything(user, timezone.now())
        _event(actor, "role_change", user, before=before, after=user.role)
        invitation = invitations.invite(actor, user) if gains_clinical else None
    return {**user_dict(user), "invitation": invitation}


def deactivate_user(actor: Actor, user_id: object) -> dict[str, Any]:
    """A clinic admin deactivates a user: every session and token ends at once."""
    with transaction.atomic():
        user = _managed(actor, user_id)
        if user.pk == actor.pk:
            raise Conflict("you cannot deactivate your own account", "user_id")
        user.is_active = False
        user.stamp(actor)
        user.save(update_fields=["is_active", "updated_at", "updated_by"])
        revoked = _end_everything(user, timezone.now())
        _event(actor, "deactivate", user, tokens_revoked=revoked)
    return user_dict(user)


def user_events(actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """The clinic's account events, newest first: sign-ins and failures, sign-outs, tokens,
    invitations, user creation, role changes, deactivations (for the admin's page)."""
    require(actor, Can.MANAGE_USERS, "user")
    rows = AuditEntry.objects.filter(clinic_id=actor.clinic_id, record_type="account")
    return [
        {
            "at": e.at,
            "action": e.action,
            "actor": e.actor,
            "user_id": str(e.detail.get("user", "")),
            "username": e.record_id,
            "detail": e.detail,
        }
        for e in rows.order_by("-at", "-pk")[: max(1, min(limit, 1000))]
    ]


def has_users() -> bool:
    return User.objects.exists()


def first_admin(clinic_name: str, data: Any) -> dict[str, Any]:
    """First run: a clinic and its admin, made by the system (no actor), with the password the
    admin typed (so the account is confirmed)."""
    body = parse(UserIn, {**data, "role": Role.CLINIC_ADMIN})
    name = clinic_name.strip()
    if not name or len(name) > 200:
        raise Invalid([("clinic", "give the clinic's name (at most 200 characters)")])
    invite = UserInvite.model_validate(body.model_dump(exclude={"password"}))
    with transaction.atomic():
        clinic = Clinic(name=name)
        clinic.stamp(None, created=True)
        clinic.save()
        audit.append(None, "create", "clinic", clinic.pk, clinic_id=clinic.pk)
        return user_dict(_new_user(None, clinic, invite, password=body.password))
