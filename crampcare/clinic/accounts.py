"""Accounts: signing in (throttled), API tokens, users of a clinic, the first admin."""

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
from django.db.models import Q
from django.utils import timezone

from crampcare.clinic.access import Can, require
from crampcare.clinic.errors import Conflict, Invalid, Throttled, Unauthenticated
from crampcare.clinic.schemas import Credentials, UserIn, parse
from crampcare.records import audit
from crampcare.records.models import ApiToken, Clinic, LoginFailure, Role, User

IP_FACTOR = 4  # one address may fail this many times the per-user limit


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
    }


# --- signing in ----------------------------------------------------------------------------


def _throttle(username: str, ip: str) -> None:
    window = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=window)
    limit = settings.LOGIN_MAX_FAILURES
    if (
        recent.filter(username=username).count() >= limit
        or recent.filter(ip=ip).count() >= limit * IP_FACTOR
    ):
        raise Throttled(
            "too many failed sign-ins: wait and try again later",
            retry_after=settings.LOGIN_LOCKOUT_SECONDS,
        )


def sign_in(data: Any, ip: str, request: Any = None) -> User:
    """Check a username and password. Raises ``Throttled`` after too many failures for that
    username (or address) within the lockout window, and ``Unauthenticated`` otherwise."""
    creds = parse(Credentials, data)
    username = creds.username.strip().lower()
    _throttle(username, ip)
    user = authenticate(request, username=creds.username, password=creds.password)
    if user is None:
        window = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        LoginFailure.objects.filter(at__lt=window).delete()  # keep the table small
        LoginFailure.objects.create(username=username, ip=ip)
        raise Unauthenticated("wrong username or password")
    LoginFailure.objects.filter(username=username).delete()
    assert isinstance(user, User)
    return user


def issue_token(data: Any, ip: str) -> dict[str, Any]:
    """Sign in and return a new bearer token for the API (shown once; only its hash is kept)."""
    creds = parse(Credentials, data)
    user = sign_in(creds, ip)
    raw = secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.create(user=user, key_hash=_hash(raw), name=creds.name, expires_at=expires)
    return {"token": raw, "expires_at": expires, "user": user_dict(user)}


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None if unknown, expired or revoked."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__clinic")
        .filter(key_hash=_hash(raw), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(raw: str) -> None:
    ApiToken.objects.filter(key_hash=_hash(raw)).delete()


# --- users ---------------------------------------------------------------------------------


def me(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated("sign in first")
    return user_dict(actor)


def list_users(actor: Any) -> list[dict[str, Any]]:
    require(actor, Can.MANAGE_USERS, "user")
    users = User.objects.filter(clinic_id=actor.clinic_id).select_related("clinic")
    return [user_dict(u) for u in users.order_by("username")]


def create_user(actor: Any, data: Any) -> dict[str, Any]:
    """A clinic admin adds a user to their own clinic."""
    require(actor, Can.MANAGE_USERS, "user")
    return _create_user(actor, actor.clinic, parse(UserIn, data))


def _create_user(actor: Any, clinic: Clinic, body: UserIn) -> dict[str, Any]:
    problems: list[tuple[str, str]] = []
    if body.role == Role.PRACTITIONER and not body.licence_number.strip():
        problems.append(("licence_number", "required for a practitioner"))
    if User.objects.filter(Q(username__iexact=body.username)).exists():
        problems.append(("username", f"{body.username!r} is taken"))
    candidate = User(
        username=body.username,
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
    )
    try:
        validate_password(body.password, candidate)
    except ValidationError as exc:
        problems += [("password", str(m)) for m in exc.messages]
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        user = User(
            username=body.username,
            email=body.email,
            first_name=body.first_name,
            last_name=body.last_name,
            role=body.role,
            clinic=clinic,
            licence_number=body.licence_number.strip(),
        )
        user.set_password(body.password)
        user.stamp(actor, created=True)
        try:
            user.save(force_insert=True)
        except IntegrityError:
            raise Conflict(f"{body.username!r} is taken", "username") from None
        audit.append(
            actor, "create", "user", user.pk, clinic_id=clinic.pk, detail={"role": user.role}
        )
    return user_dict(user)


def has_users() -> bool:
    return User.objects.exists()


def first_admin(clinic_name: str, data: Any) -> dict[str, Any]:
    """First run: a clinic and its admin, made by the system (no actor)."""
    body = parse(UserIn, {**data, "role": Role.CLINIC_ADMIN})
    name = clinic_name.strip()
    if not name or len(name) > 200:
        raise Invalid([("clinic", "give the clinic's name (at most 200 characters)")])
    with transaction.atomic():
        clinic = Clinic(name=name)
        clinic.stamp(None, created=True)
        clinic.save()
        audit.append(None, "create", "clinic", clinic.pk, clinic_id=clinic.pk)
        return _create_user(None, clinic, body)
