"""Audit entries held per database connection and written in one short step before commit.

A request runs in one transaction (``ATOMIC_REQUESTS``). ``audit.append`` inside it does not
touch the chain: it adds the entry to this connection's buffer. Right before the transaction
commits, the buffer is written: each chain's head row is locked (in chain order), the entries
numbered and linked, inserted in one statement, and the heads moved on; then the commit. So a
chain's head is locked for the few milliseconds of that write, never across a request, and
clinics never wait on each other (a request writes to its own clinic's chain).

- The entries commit or roll back with the request's changes (a failed request leaves neither).
- A rolled-back savepoint drops the entries appended inside it, except refusals ("sticky"
  entries: ``denied``, ``*_failed``), which record an attempt that did happen; if the whole
  transaction rolls back, those are written right after it in a transaction of their own.
- Outside a transaction (the CLI, a script) an entry is written at once.

The hooks live on the connection object: on first use its class is swapped for a subclass that
wraps ``savepoint``, ``savepoint_rollback``, ``savepoint_commit``, ``commit``, ``rollback``,
``set_autocommit`` and ``close``, so it works with Django's own backends, unconfigured.
Under Django's ``TestCase`` the test's outer transaction never commits: the buffer is written
when the outermost block that is not the test's own is left, which is the same moment as far
as the code under test can tell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from crampcare.records.audit_chain import GENESIS, seal
from crampcare.records.models import AuditEntry, AuditHead

log = logging.getLogger("crampcare.audit")


@dataclass
class Pending:
    entry: AuditEntry
    sticky: bool


class _Buffered:
    """Mixed into the connection's class (see ``install``)."""

    audit_pending: list[Pending]
    audit_marks: dict[str, int]
    audit_survivors: list[AuditEntry]
    atomic_blocks: list[Any]
    in_atomic_block: bool
    alias: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # a connection Django makes from this one's class (the test database's set-up does)
        super().__init__(*args, **kwargs)
        self.audit_pending, self.audit_marks, self.audit_survivors = [], {}, []

    def savepoint(self) -> Any:
        sid = super().savepoint()  # type: ignore[misc]
        if sid is not None:
            self.audit_marks[sid] = len(self.audit_pending)
        return sid

    def savepoint_rollback(self, sid: str) -> None:
        super().savepoint_rollback(sid)  # type: ignore[misc]
        mark = self.audit_marks.get(sid, 0)  # a savepoint older than the buffer: nothing before
        kept = [p for p in self.audit_pending[mark:] if p.sticky]
        self.audit_pending = self.audit_pending[:mark] + kept

    def savepoint_commit(self, sid: str) -> None:
        super().savepoint_commit(sid)  # type: ignore[misc]
        self.audit_marks.pop(sid, None)
        if self.audit_pending and not in_application_transaction(self):
            write(self._take())  # the outermost block inside a TestCase's transaction

    def commit(self) -> None:
        if self.audit_pending:
            write(self._take())  # still inside the transaction: fails it if it fails
        super().commit()  # type: ignore[misc]

    def rollback(self) -> None:
        self.audit_survivors += [p.entry for p in self.audit_pending if p.sticky]
        self._take()
        super().rollback()  # type: ignore[misc]

    def set_autocommit(self, autocommit: bool, *args: Any, **kwargs: Any) -> None:
        super().set_autocommit(autocommit, *args, **kwargs)  # type: ignore[misc]
        if autocommit and self.audit_survivors:
            survivors, self.audit_survivors = self.audit_survivors, []
            try:
                with transaction.atomic(using=self.alias):
                    write(survivors)
            except DatabaseError:
                log.exception("audit: %d refusal entries could not be written", len(survivors))

    def close(self) -> None:
        self._take()
        self.audit_survivors = []
        super().close()  # type: ignore[misc]

    def _take(self) -> list[AuditEntry]:
        entries = [p.entry for p in self.audit_pending]
        self.audit_pending, self.audit_marks = [], {}
        return entries


_CLASSES: dict[type, type] = {}


def install(connection: Any) -> Any:
    """The connection, with the buffer's hooks (once per connection object)."""
    if not isinstance(connection, _Buffered):
        base = type(connection)
        if base not in _CLASSES:
            _CLASSES[base] = type(f"AuditBuffered{base.__name__}", (_Buffered, base), {})
        connection.audit_pending, connection.audit_marks, connection.audit_survivors = [], {}, []
        connection.__class__ = _CLASSES[base]
    return connection


def in_application_transaction(connection: Any) -> bool:
    """In an atomic block that is not only a TestCase's own (Django marks those)."""
    return bool(connection.in_atomic_block) and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def add(entry: AuditEntry, *, sticky: bool) -> None:
    """Buffer ``entry`` for the end of the transaction, or write it now if there is none."""
    connection = install(transaction.get_connection())
    if in_application_transaction(connection):
        connection.audit_pending.append(Pending(entry, sticky))
    else:
        with transaction.atomic():
            write([entry])


def write(entries: list[AuditEntry]) -> None:
    """Number, link and insert ``entries`` (each already has its ``chain``), in the current
    transaction: heads locked in chain order, one INSERT, one UPDATE per chain."""
    if not entries:
        return
    chains = sorted({e.chain for e in entries})
    heads = _locked_heads(chains)
    missing = [c for c in chains if c not in heads]
    if missing:  # a clinic's first entry: make its head (another request may do so at once)
        with connection.cursor() as cursor:
            for chain in missing:
                cursor.execute(
                    f"INSERT INTO {AuditHead._meta.db_table} (chain, seq, hash) "
                    "VALUES (%s, 0, %s) ON CONFLICT (chain) DO NOTHING",
                    [chain, GENESIS],
                )
        heads.update(_locked_heads(missing))
    for chain in chains:
        seal((e for e in entries if e.chain == chain), heads[chain])
    AuditEntry.objects.bulk_create(entries)
    for chain in chains:
        head = heads[chain]
        AuditHead.objects.filter(pk=head.pk).update(seq=head.seq, hash=head.hash)


def _locked_heads(chains: list[str]) -> dict[str, AuditHead]:
    rows = AuditHead.objects.select_for_update().filter(chain__in=chains).order_by("chain")
    return {head.chain: head for head in rows}
