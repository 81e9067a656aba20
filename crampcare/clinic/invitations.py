"""Invitations: how a user made by a clinic admin (or whose password was reset) sets their own
password and confirms the account. Until then the account has no usable password and sees no
clinical content (``access.may``).

The link holds a random token (32 bytes); only its SHA-256 is stored. It works once, until
``INVITATION_DAYS`` have passed, and a newer invitation for the same user replaces it. Every
refusal is one message, whichever of these it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crampcare.clinic.account_schemas import InvitationAccept
from crampcare.clinic.actor import Actor, author
from crampcare.clinic.errors import Invalid, NotFound
from crampcare.clinic.schemas import parse
from crampcare.records import audit
from crampcare.records.models import ApiToken, Invitation, User

PATH = "/invitation/"
NOT_VALID = (
    "this invitation link is not valid: it was used, it expired or it was replaced; "
    "ask your clinic admin for a new one"
)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def invite(actor: Actor, user: User) -> dict[str, Any]:
    """A new invitation for ``user`` (older ones stop working). Returns the token, once."""
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    raw = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(days=settings.INVITATION_DAYS)
    made = Invitation.objects.create(
        user=user,
        token_hash=token_hash(raw),
        created_by=author(actor),
        expires_at=expires,
    )
    audit.security_event(
        actor,
        "invited",
        username=user.username,
        clinic_id=user.clinic_id,
        detail={"user": user.pk, "invitation": made.pk, "role": user.role},
    )
    return {"token": raw, "path": PATH + raw, "expires_at": expires}


def valid(raw: str) -> Invitation | None:
    """The open invitation with this token, or None."""
    if not raw or len(raw) > 200:
        return None
    return (
        Invitation.objects.select_related("user", "user__clinic")
        .filter(token_hash=token_hash(raw), used_at__isnull=True, expires_at__gt=timezone.now())
        .filter(user__is_active=True)
        .first()
    )


def accept(data: Any, address: str) -> User:
    """The invited user sets their own password: the account is confirmed."""
    body = parse(InvitationAccept, data)
    with transaction.atomic():
        found = valid(body.token)
        if found is not None:  # lock it: two parallel acceptances, one wins
            found = Invitation.objects.select_for_update().filter(pk=found.pk).first()
        if found is None or found.used_at is not None:
            raise NotFound(NOT_VALID, "token")
        user = found.user
        try:
            validate_password(body.password, user)
        except ValidationError as exc:
            raise Invalid([("password", str(m)) for m in exc.messages]) from None
        now = timezone.now()
        user.set_password(body.password)
        user.confirmed_at = now
        user.stamp(user)
        user.save(update_fields=["password", "confirmed_at", "updated_at", "updated_by"])
        found.used_at = now
        found.save(update_fields=["used_at"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        audit.security_event(
            user,
            "invitation_accepted",
            username=user.username,
            clinic_id=user.clinic_id,
            detail={"user": user.pk, "invitation": found.pk, "address": address[:45]},
        )
    return user
