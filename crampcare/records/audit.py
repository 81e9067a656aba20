"""The append-only, hash-chained audit log.

Each entry's ``hash`` is SHA-256 over its content and the previous entry's hash, so changing an
entry breaks its own hash and removing one breaks the link of the next; ``AuditHead`` holds the
last number and hash, so removing entries from the end shows too. Appends are serialised by a
row lock on the head (PostgreSQL) or by SQLite's single writer, inside the caller's transaction:
if the request fails, its audit entries roll back with its changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from crampcare.records.models import AuditEntry, AuditHead

GENESIS = "0" * 64
SYSTEM = "system"


def _digest(entry: AuditEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "clinic_id": entry.clinic_id,
        "action": entry.action,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "patient_id": entry.patient_id,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append(
    actor: Any,
    action: str,
    record_type: str,
    record_id: object = "",
    *,
    patient_id: object = "",
    clinic_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry. ``actor`` is a user, or None for the system (CLI, first-run setup)."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        user = actor if actor is not None and getattr(actor, "pk", None) else None
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now().astimezone(UTC),
            actor_id=user.pk if user else None,
            actor=user.get_username() if user else SYSTEM,
            clinic_id=clinic_id if clinic_id is not None else getattr(user, "clinic_id", None),
            action=action,
            record_type=record_type,
            record_id=str(record_id),
            patient_id=str(patient_id),
            detail=detail or {},
            prev_hash=head.hash,
        )
        entry.hash = _digest(entry)
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class Report:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> Report:
    """Recompute the chain; every problem names the entry (by its number) and what is wrong."""
    report = Report()
    expected, prev_hash = 1, GENESIS
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        report.entries += 1
        if entry.seq > expected:
            gap = f"{expected}" if entry.seq == expected + 1 else f"{expected} to {entry.seq - 1}"
            report.problems.append(f"entry {gap} was removed (numbers jump to {entry.seq})")
        elif entry.seq < expected:
            report.problems.append(f"entry {entry.seq} is out of order or duplicated")
        if _digest(entry) != entry.hash:
            report.problems.append(
                f"entry {entry.seq} was changed: its content does not match its hash"
            )
        if entry.prev_hash != prev_hash and entry.seq == expected:
            report.problems.append(
                f"entry {entry.seq} does not follow entry {entry.seq - 1}: "
                f"entry {entry.seq - 1} was changed or replaced"
            )
        expected, prev_hash = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        report.problems.append("the chain head is missing")
        return report
    report.head_seq, report.head_hash = head.seq, head.hash
    last = expected - 1
    if head.seq > last:
        gap = f"{last + 1}" if head.seq == last + 1 else f"{last + 1} to {head.seq}"
        report.problems.append(f"entry {gap} was removed from the end of the log")
    elif head.seq < last:
        report.problems.append(
            f"entry {head.seq + 1} to {last} were not appended through crampcare "
            "(they are past the recorded head)"
        )
    elif head.hash != prev_hash:
        report.problems.append(f"entry {last} was changed or replaced: it does not match the head")
    return report


def security_event(
    actor: Any,
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
    the account's clinic when known. ``detail`` holds names and ids, never a typed value such as
    a password. Refusals (``*_failed``) are kept even if the request's transaction rolls back.
    """
    return append(
        actor,
        action,
        "account",
        _clean_id(username),
        clinic_id=clinic_id,
        detail=detail,
    )


def _clean_id(value: object) -> str:
    """An id as stored: printable, at most 64 characters (ids may come from a request)."""
    text = "".join(ch for ch in str(value) if ch.isprintable())
    return text[:64]
