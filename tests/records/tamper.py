"""What an attacker with write access to the database does: switch the append-only triggers
off (dropping them on SQLite, ``session_replication_role = replica`` on PostgreSQL), then
change, delete or rewrite entries and heads directly in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from crampcare.records.audit_chain import GENESIS, digest
from crampcare.records.models import AuditEntry, AuditHead

SQLITE_TRIGGERS = [
    "records_auditentry_no_update",
    "records_auditentry_no_delete",
    "records_audithead_forward_only",
]


@contextmanager
def triggers_off() -> Iterator[Any]:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cur.execute(f"DROP TRIGGER {name}")
        else:
            cur.execute("SET session_replication_role = replica")
        try:
            yield cur
        finally:
            if connection.vendor == "postgresql":
                cur.execute("SET session_replication_role = DEFAULT")


def sql(statement: str, params: list[Any]) -> None:
    with triggers_off() as cur:
        cur.execute(statement, params)


def rewrite(chain: str, seq: int, **changes: Any) -> None:
    """Change entry ``seq`` of ``chain`` and recompute every hash after it, and the head: the
    chain links up again, as if it had always said so."""
    entries = list(AuditEntry.objects.filter(chain=chain, seq__gte=seq).order_by("seq"))
    before = AuditEntry.objects.filter(chain=chain, seq=seq - 1).first()
    prev = before.hash if before else GENESIS
    with triggers_off() as cur:
        for entry in entries:
            if entry.seq == seq:
                for name, value in changes.items():
                    setattr(entry, name, value)
            entry.prev_hash = prev
            entry.hash = digest(entry)
            prev = entry.hash
            cur.execute(
                "UPDATE records_auditentry SET actor = %s, action = %s, prev_hash = %s, "
                "hash = %s WHERE id = %s",
                [entry.actor, entry.action, entry.prev_hash, entry.hash, entry.pk],
            )
        cur.execute("UPDATE records_audithead SET hash = %s WHERE chain = %s", [prev, chain])


def truncate(chain: str, keep: int) -> None:
    """Delete the entries after ``keep`` and set the head back to entry ``keep``: the chain
    that remains is whole and agrees with its head."""
    last = AuditEntry.objects.get(chain=chain, seq=keep)
    with triggers_off() as cur:
        cur.execute("DELETE FROM records_auditentry WHERE chain = %s AND seq > %s", [chain, keep])
        cur.execute(
            "UPDATE records_audithead SET seq = %s, hash = %s WHERE chain = %s",
            [keep, last.hash, chain],
        )


def remove_chain(chain: str) -> None:
    with triggers_off() as cur:
        cur.execute("DELETE FROM records_auditentry WHERE chain = %s", [chain])
        cur.execute("DELETE FROM records_audithead WHERE chain = %s", [chain])


def head(chain: str) -> AuditHead:
    return AuditHead.objects.get(chain=chain)
