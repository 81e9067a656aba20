"""The audit log in one chain per clinic (docs/audit.md), append-only triggers for the new layout.

The entries written before are kept as they are, in a chain named ``legacy`` that ``audit
verify`` still checks with its own digest: re-chaining them would have recomputed every hash,
which is exactly what the log must show when someone else does it. The old head becomes the
legacy chain's head. The triggers are dropped for the table change (SQLite rebuilds the table)
and made again: entries refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), and a chain's
head never moves back or to another chain.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

ENTRY, HEAD = "records_auditentry", "records_audithead"
APPEND_ONLY = "the audit log is append-only"
FORWARD_ONLY = "an audit chain head only moves forward"

SQLITE_DROP = [f"DROP TRIGGER {ENTRY}_no_update", f"DROP TRIGGER {ENTRY}_no_delete"]
SQLITE_CREATE = [
    f"""CREATE TRIGGER {ENTRY}_no_update BEFORE UPDATE ON {ENTRY}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER {ENTRY}_no_delete BEFORE DELETE ON {ENTRY}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER {HEAD}_forward_only BEFORE UPDATE ON {HEAD}
        WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain
        BEGIN SELECT RAISE(ABORT, '{FORWARD_ONLY}'); END""",
]
SQLITE_UNDO = [f"DROP TRIGGER {HEAD}_forward_only", *SQLITE_DROP]
# the legacy head was made with pk=1 by 0002, past the id sequence: move the sequence on
POSTGRES_SEQUENCE = (
    f"SELECT setval(pg_get_serial_sequence('{HEAD}', 'id'), "
    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {HEAD}), false)"
)
POSTGRES_DROP = [f"DROP TRIGGER {ENTRY}_append_only ON {ENTRY}"]
POSTGRES_CREATE = [
    f"""CREATE TRIGGER {ENTRY}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {ENTRY}
        FOR EACH STATEMENT EXECUTE FUNCTION crampcare_audit_append_only()""",
    f"""CREATE FUNCTION crampcare_audit_head_forward_only() RETURNS trigger AS $$
        BEGIN
            IF NEW.seq < OLD.seq OR NEW.chain <> OLD.chain THEN
                RAISE EXCEPTION '{FORWARD_ONLY}';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {HEAD}_forward_only BEFORE UPDATE ON {HEAD}
        FOR EACH ROW EXECUTE FUNCTION crampcare_audit_head_forward_only()""",
    POSTGRES_SEQUENCE,
]
POSTGRES_UNDO = [
    f"DROP TRIGGER {HEAD}_forward_only ON {HEAD}",
    "DROP FUNCTION crampcare_audit_head_forward_only()",
    *POSTGRES_DROP,
]


def _sql(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0008_accounts_hardened")]

    operations = [
        migrations.RunPython(
            _sql({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
            _sql({"sqlite": SQLITE_CREATE[:2], "postgresql": POSTGRES_CREATE[:1]}),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(default="legacy", max_length=40),
            preserve_default=False,
        ),
        migrations.AlterField(model_name="auditentry", name="seq", field=models.BigIntegerField()),
        migrations.AlterModelOptions(name="auditentry", options={"ordering": ["id"]}),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_one_entry_per_seq"
            ),
        ),
        migrations.AddField(
            model_name="audithead",
            name="chain",
            field=models.CharField(default="legacy", max_length=40, unique=True),
            preserve_default=False,
        ),
        migrations.RunPython(
            _sql({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _sql({"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO}),
        ),
    ]
