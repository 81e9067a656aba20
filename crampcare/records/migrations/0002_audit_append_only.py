"""The audit log is append-only in the database itself: triggers refuse UPDATE and DELETE.

The chain's head row is created here, so that appending never races to create it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

GENESIS = "0" * 64
TABLE = "records_auditentry"

SQLITE = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DOWN = [f"DROP TRIGGER {TABLE}_no_update", f"DROP TRIGGER {TABLE}_no_delete"]
POSTGRES = [
    """CREATE FUNCTION crampcare_audit_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION crampcare_audit_append_only()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER {TABLE}_append_only ON {TABLE}",
    "DROP FUNCTION crampcare_audit_append_only()",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})
    apps.get_model("records", "AuditHead").objects.create(pk=1, seq=0, hash=GENESIS)


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("records", "AuditHead").objects.filter(pk=1).delete()
    _run(schema_editor, {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
