"""The audit log's chains: which chain an entry belongs to, and the hash that links it.

Every clinic has its own chain (``clinic-<id>``); entries of no clinic (first-run set-up, a
failed sign-in with an unknown name) go to ``system``. The single chain written before chains
were per clinic is kept unchanged as ``legacy`` and still verified with its own digest (no
``chain`` in it), so that migrating never rewrote evidence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC

from crampcare.records.models import AuditEntry, AuditHead

GENESIS = "0" * 64
SYSTEM = "system"
LEGACY = "legacy"


def chain_for(clinic_id: int | None) -> str:
    return SYSTEM if clinic_id is None else f"clinic-{clinic_id}"


def digest(entry: AuditEntry) -> str:
    """SHA-256 over the entry's content and the previous entry's hash (canonical JSON)."""
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
    if entry.chain != LEGACY:
        payload["chain"] = entry.chain
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(entries: Iterable[AuditEntry], head: AuditHead) -> None:
    """Number and link ``entries`` after ``head`` (all of one chain), moving the head on."""
    for entry in entries:
        entry.chain = head.chain
        entry.seq, entry.prev_hash = head.seq + 1, head.hash
        entry.hash = digest(entry)
        head.seq, head.hash = entry.seq, entry.hash
