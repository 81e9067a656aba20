"""The database's part of a backup: a consistent snapshot, and the tables it holds.

SQLite: the online backup API copies the live database page by page into a new file (a
consistent snapshot while the server writes; WAL readers and writers are not blocked), which is
then switched to a single-file journal and checked with ``PRAGMA integrity_check`` and
``PRAGMA foreign_key_check``.

PostgreSQL: every table of the backup (``models()``) as Django's JSON lines, read in one
``REPEATABLE READ READ ONLY`` transaction (one snapshot of all tables), in dependency order.
This needs no ``pg_dump`` of the server's exact version, and it restores into SQLite or
PostgreSQL alike (docs/backups.md, "Decisions").
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Model

SQLITE_MEMBER = "database.sqlite3"
JSONL_MEMBER = "database.jsonl"


class ExactEncoder(DjangoJSONEncoder):
    """Times with their microseconds (Django's encoder keeps milliseconds, and the audit
    chain's hashes cover the exact time)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class SnapshotError(Exception):
    """The snapshot failed its integrity check."""


def models() -> list[type[Model]]:
    """Every table a backup holds: the records app's models and their many-to-many tables,
    parents before children (cycles, such as clinic and user, broken by label)."""
    found = list(apps.get_app_config("records").get_models(include_auto_created=True))
    labels = {m._meta.label: m for m in found}
    needs: dict[str, set[str]] = {}
    for model in found:
        targets = {
            f.related_model._meta.label
            for f in model._meta.concrete_fields
            if f.is_relation and isinstance(f.related_model, type)  # resolved: never "self"
        }
        needs[model._meta.label] = {t for t in targets if t in labels and t != model._meta.label}
    ordered: list[str] = []
    while needs:
        ready = sorted(label for label, wanted in needs.items() if wanted <= set(ordered))
        if not ready:  # a cycle: take the first in name order, its other side follows
            ready = [min(needs, key=lambda label: (len(needs[label] - set(ordered)), label))]
        ordered += ready
        for label in ready:
            del needs[label]
    return [labels[label] for label in ordered]


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    rows = MigrationRecorder(connections[alias]).applied_migrations()
    applied: dict[str, list[str]] = {}
    for app, name in sorted(rows):
        applied.setdefault(app, []).append(name)
    return applied


def counts(alias: str = "default") -> dict[str, int]:
    return {m._meta.db_table: m._base_manager.using(alias).count() for m in models()}


def sqlite_snapshot(target: Path) -> None:
    """Copy the live SQLite database into ``target`` with the online backup API."""
    source = connections["default"]
    source.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        source.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.commit()
    finally:
        copy.close()
    check_sqlite(target)


def check_sqlite(path: Path) -> None:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` on a snapshot; raise if either fails."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise SnapshotError(f"the database snapshot is damaged: {'; '.join(result[:3])}")
            dangling = db.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:
                table, rowid, parent = dangling[0][:3]
                raise SnapshotError(
                    f"the database snapshot has {len(dangling)} broken reference(s), e.g. "
                    f"row {rowid} of {table} to {parent}"
                )
    except sqlite3.DatabaseError as exc:
        raise SnapshotError(f"the database snapshot cannot be read: {exc}") from None


def sqlite_facts(path: Path) -> dict[str, Any]:
    """The snapshot's tables and migrations, read from the snapshot itself."""
    from crampcare.backup import sources

    with sources.opened_sqlite(path) as alias:
        return {"tables": counts(alias), "migrations": applied_migrations(alias)}


def jsonl_dump(target: Path) -> dict[str, Any]:
    """Every table as JSON lines in one repeatable-read snapshot; its tables and migrations."""
    connection = connections["default"]
    with transaction.atomic(), target.open("w", encoding="utf-8") as out:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        tables = {}
        for model in models():
            rows = model._base_manager.order_by("pk")
            tables[model._meta.db_table] = rows.count()
            serializers.serialize("jsonl", _each(rows), stream=out, cls=ExactEncoder)
        migrations = applied_migrations()
    return {"tables": tables, "migrations": migrations}


def _each(rows: Any) -> Iterator[Model]:
    yield from rows.iterator(chunk_size=2000)
