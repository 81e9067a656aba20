"""The append-only, hash-chained audit log: one chain per clinic, signed checkpoints outside.

``append`` records one access or change. Inside a request the entry is held with the
connection and written, with its chain's head locked for milliseconds, right before the
request's transaction commits (``audit_buffer``): it commits or rolls back with the change,
and no lock is held across a request or shared between clinics. Each entry's hash covers its
content and the previous entry's hash (``audit_chain``); ``audit_checkpoints`` signs each
chain's head with an Ed25519 key and keeps the signatures in a file outside the database, and
``verify`` (``audit_verify``) checks the chains against them. docs/audit.md: the threat model.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from django.utils import timezone

from crampcare.records import audit_buffer
from crampcare.records.audit_chain import GENESIS, LEGACY, SYSTEM, chain_for
from crampcare.records.audit_verify import Report, verify
from crampcare.records.models import AuditEntry, User

__all__ = ["GENESIS", "LEGACY", "SYSTEM", "Report", "append", "security_event", "verify"]

# refusals record an attempt that happened: they are kept when the request's changes roll back
STICKY_ACTIONS = frozenset({"denied"})


def append(
    actor: object,
    action: str,
    record_type: str,
    record_id: object = "",
    *,
    patient_id: object = "",
    clinic_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry. ``actor`` is a user; anyone else (None, the command line's stand-in for a
    clinic admin) is recorded as the system (CLI, first-run setup).

    The entry goes to the chain of ``clinic_id`` (default: the actor's clinic). It is numbered
    and linked when written: at the end of the transaction, or at once outside one.
    """
    user = actor if isinstance(actor, User) and actor.pk is not None else None
    clinic = clinic_id if clinic_id is not None else user.clinic_id if user else None
    entry = AuditEntry(
        chain=chain_for(clinic),
        at=timezone.now().astimezone(UTC),
        actor_id=user.pk if user else None,
        actor=user.get_username() if user else SYSTEM,
        clinic_id=clinic,
        action=action,
        record_type=record_type,
        record_id=_clean_id(record_id),
        patient_id=_clean_id(patient_id),
        detail=json.loads(json.dumps(detail or {}, allow_nan=False)),  # fails here, not at commit
    )
    sticky = action in STICKY_ACTIONS or action.endswith("_failed")
    audit_buffer.add(entry, sticky=sticky)
    return entry


def security_event(
    actor: object,
    action: str,
    *,
    username: str,
    clinic_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """An event of access itself: ``sign_in``, ``sign_in_failed``, ``sign_out``, ``token_issue``,
    ``token_revoke``, ``user_create``, ``role_change``, ``password_change``, ``deactivate``...

    ``actor`` is who did it (None when nobody is signed in, e.g. a failed sign-in); ``username``
    names the account the event is about (the name tried, for a failed sign-in); ``clinic_id``
    the account's clinic when known (else the actor's, else the ``system`` chain). ``detail``
    holds names and ids, never a typed value such as a password. Refusals (``*_failed``) are
    kept even if the request's transaction rolls back.
    """
    return append(actor, action, "account", username, clinic_id=clinic_id, detail=detail)


def _clean_id(value: object) -> str:
    """An id as stored: printable, at most 64 characters (ids may come from a request)."""
    text = "".join(ch for ch in str(value) if ch.isprintable())
    return text[:64]
