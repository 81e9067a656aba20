"""Restoring a backup into an empty database and data directory.

The backup is checked whole first (``archive.opened``: hashes, integrity, passphrase); then
the target must be empty (or ``force``: its database is backed up, then emptied, and its audit
files set aside); the schema is made by this crampcare's migrations; the rows are loaded with
their own ids, table by table in dependency order, in one transaction (from the SQLite snapshot,
brought up to this crampcare's migrations, or from the JSON lines); PostgreSQL's sequences are
moved past them; the audit files are put in place; and the audit chains are verified against
the restored checkpoints. So a backup of SQLite restores into PostgreSQL and back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from crampcare.backup import archive, snapshot, sources
from crampcare.records import audit
from crampcare.records.models import AuditHead


class RestoreError(Exception):
    """The restore was refused or failed; the message says what was (or was not) changed."""


@dataclass
class Restored:
    manifest: dict[str, Any]
    tables: dict[str, int]
    kb_version: str  # the running crampcare's
    audit: audit.Report
    safety_backup: Path | None = None
    set_aside: list[Path] = field(default_factory=list)


def audit_files() -> dict[str, Path]:
    key = Path(settings.AUDIT_KEY_FILE)
    return {
        "audit_checkpoints.jsonl": Path(settings.AUDIT_CHECKPOINT_FILE),
        "audit_key.pem": key,
        "audit_key.pem.pub": key.with_name(key.name + ".pub"),
    }


def what_is_there() -> list[str]:
    """What the target holds already: tables with rows, and audit files. (The empty chain
    heads the migrations make are not a record.)"""
    existing = set(connection.introspection.table_names())
    found = []
    for model in snapshot.models():
        if model._meta.db_table not in existing:
            continue
        rows = model._base_manager.all()
        if model is AuditHead:
            rows = rows.filter(seq__gt=0)
        if count := rows.count():
            found.append(f"{count} row(s) in {model._meta.db_table}")
    found += [str(path) for path in audit_files().values() if path.exists()]
    return found


def restore(path: Path, passphrase: str | None, *, force: bool = False) -> Restored:
    from crampcare import services

    with archive.opened(path, passphrase) as backup:
        _check_migrations(backup.manifest)
        present = what_is_there()
        safety: Path | None = None
        aside: list[Path] = []
        if present and not force:
            shown = "; ".join(present[:6]) + ("; ..." if len(present) > 6 else "")
            raise RestoreError(
                f"the target is not empty ({shown}); nothing was restored. Restore into an "
                "empty data directory and database, or give --force (the current database is "
                "backed up first, then replaced)"
            )
        if present:
            safety, aside = _clear()
        call_command("migrate", interactive=False, verbosity=0)
        tables = _load(backup)
        _place_audit_files(backup)
    report = audit.verify()
    audit.append(
        None,
        "restore",
        "database",
        path.name,
        detail={"file": path.name, "backup_created_at": backup.manifest["created_at"]},
    )
    return Restored(
        backup.manifest, tables, services.knowledge_base().version, report, safety, aside
    )


def _check_migrations(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise RestoreError(
            f"the backup was made by a newer crampcare ({manifest.get('crampcare_version')}; "
            f"migrations unknown here: {', '.join(unknown[:3])}); nothing was restored. "
            "Restore it with that version or a later one"
        )
    held = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    wanted = {key for key in known if key[0] in manifest.get("migrations", {})}
    if snapshot.JSONL_MEMBER in manifest["members"] and held != wanted:
        # JSON lines load through this crampcare's models: they must be of the same schema
        raise RestoreError(
            f"the backup was made by an older crampcare ({manifest.get('crampcare_version')}) "
            "from PostgreSQL; nothing was restored. Restore it with that version, then "
            "upgrade (its migrations bring the data along)"
        )


def _clear() -> tuple[Path, list[Path]]:
    """Back up what is there, then drop every table and set the audit files aside."""
    from crampcare.backup import make

    try:
        safety = make.take(None).path
    except make.BackupError as exc:
        raise RestoreError(f"the current database could not be backed up first: {exc}") from None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = []
    for path in audit_files().values():
        if path.exists():
            moved = path.with_name(f"{path.name}.before-restore-{stamp}")
            os.replace(path, moved)
            aside.append(moved)
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
        for table in tables:
            cursor.execute(
                f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}"
                + (" CASCADE" if connection.vendor == "postgresql" else "")
            )
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys=ON")
        else:  # the triggers' functions, which the migrations make again
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() AND NOT EXISTS "
                "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    return safety, aside


def _load(backup: archive.Opened) -> dict[str, int]:
    """Every row of the backup with its own id, in one transaction; the counts loaded."""
    models = snapshot.models()
    with transaction.atomic():
        with connection.cursor() as cursor:  # the rows the migrations made (empty chain heads)
            for model in reversed(models):
                if model._base_manager.exists():
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        guards = _guards_off(models)
        database = backup.member(snapshot.SQLITE_MEMBER)
        if database is not None:
            with sources.opened_sqlite(database, migrate=True) as alias:
                for model, batch in sources.batches_from_alias(alias):
                    model._base_manager.bulk_create(batch)
        else:
            jsonl = backup.member(snapshot.JSONL_MEMBER)
            if jsonl is None:
                raise RestoreError(f"{backup.path.name} holds no database")
            for model, batch in sources.batches_from_jsonl(jsonl):
                model._base_manager.bulk_create(batch)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # check the foreign keys now, then re-arm
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in guards:
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        tables = snapshot.counts()
        differ = [
            f"{table}: {count} in the backup, {tables.get(table, 0)} restored"
            for table, count in backup.manifest["tables"].items()
            if tables.get(table, 0) != count
        ]
        if differ:
            raise RestoreError(
                "the restored rows do not match the backup's counts ("
                + "; ".join(differ[:3])
                + "); the restore was rolled back"
            )
    return tables


def _guards_off(models: list[type[Any]]) -> list[str]:
    """Switch off the triggers that guard records against later edits (a signed session
    refuses new adverse events, say) for the loading, in this transaction; the statements that
    switch them back on. The rows were valid when they were backed up."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            return [sql for _, sql in triggers]
        tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        return [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in tables]


def _place_audit_files(backup: archive.Opened) -> None:
    for member, target in audit_files().items():
        source = backup.member(member)
        if source is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.with_name(f".{target.name}.restoring-{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(source.read_bytes())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
