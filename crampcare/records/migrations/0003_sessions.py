"""Treatment sessions, their adverse events and addenda.

Besides the constraints on the models, triggers (SQLite and PostgreSQL) keep a signed session
as it was signed: UPDATE and DELETE of a locked session row are refused, and so are adverse
events added to, changed on or removed from a locked session; addenda are append-only.
"""

import uuid
from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SESSION = "records_treatmentsession"
EVENT = "records_sessionadverseevent"
ADDENDUM = "records_sessionaddendum"
LOCKED = "the session is signed and locked: add an addendum"
ADDENDA = "addenda are append-only"

SQLITE = [
    f"""CREATE TRIGGER {SESSION}_locked_no_update BEFORE UPDATE ON {SESSION}
        WHEN OLD.status = 'locked' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {SESSION}_locked_no_delete BEFORE DELETE ON {SESSION}
        WHEN OLD.status = 'locked' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {EVENT}_locked_no_insert BEFORE INSERT ON {EVENT}
        WHEN (SELECT status FROM {SESSION} WHERE id = NEW.session_id) = 'locked'
        BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {EVENT}_locked_no_update BEFORE UPDATE ON {EVENT}
        WHEN (SELECT status FROM {SESSION} WHERE id = OLD.session_id) = 'locked'
        BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {EVENT}_locked_no_delete BEFORE DELETE ON {EVENT}
        WHEN (SELECT status FROM {SESSION} WHERE id = OLD.session_id) = 'locked'
        BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {ADDENDUM}_no_update BEFORE UPDATE ON {ADDENDUM}
        BEGIN SELECT RAISE(ABORT, '{ADDENDA}'); END""",
    f"""CREATE TRIGGER {ADDENDUM}_no_delete BEFORE DELETE ON {ADDENDUM}
        BEGIN SELECT RAISE(ABORT, '{ADDENDA}'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER {SESSION}_locked_no_update",
    f"DROP TRIGGER {SESSION}_locked_no_delete",
    f"DROP TRIGGER {EVENT}_locked_no_insert",
    f"DROP TRIGGER {EVENT}_locked_no_update",
    f"DROP TRIGGER {EVENT}_locked_no_delete",
    f"DROP TRIGGER {ADDENDUM}_no_update",
    f"DROP TRIGGER {ADDENDUM}_no_delete",
]
POSTGRES = [
    f"""CREATE FUNCTION crampcare_session_locked() RETURNS trigger AS $$
        BEGIN
            IF OLD.status = 'locked' THEN RAISE EXCEPTION '{LOCKED}'; END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {SESSION}_locked BEFORE UPDATE OR DELETE ON {SESSION}
        FOR EACH ROW EXECUTE FUNCTION crampcare_session_locked()""",
    f"""CREATE FUNCTION crampcare_session_event_locked() RETURNS trigger AS $$
        DECLARE sid uuid;
        BEGIN
            IF TG_OP = 'INSERT' THEN sid := NEW.session_id; ELSE sid := OLD.session_id; END IF;
            IF EXISTS (SELECT 1 FROM {SESSION} WHERE id = sid AND status = 'locked') THEN
                RAISE EXCEPTION '{LOCKED}';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {EVENT}_locked BEFORE INSERT OR UPDATE OR DELETE ON {EVENT}
        FOR EACH ROW EXECUTE FUNCTION crampcare_session_event_locked()""",
    f"""CREATE FUNCTION crampcare_addendum_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{ADDENDA}'; END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {ADDENDUM}_append_only BEFORE UPDATE OR DELETE ON {ADDENDUM}
        FOR EACH ROW EXECUTE FUNCTION crampcare_addendum_append_only()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER {ADDENDUM}_append_only ON {ADDENDUM}",
    "DROP FUNCTION crampcare_addendum_append_only()",
    f"DROP TRIGGER {EVENT}_locked ON {EVENT}",
    "DROP FUNCTION crampcare_session_event_locked()",
    f"DROP TRIGGER {SESSION}_locked ON {SESSION}",
    "DROP FUNCTION crampcare_session_locked()",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_audit_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="TreatmentSession",
            fields=[
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("date", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed"), ("locked", "Locked")],
                        default="open",
                        max_length=10,
                    ),
                ),
                (
                    "document",
                    models.JSONField(default=dict, help_text="the crampcare.session/1 document"),
                ),
                (
                    "omitted",
                    models.JSONField(
                        default=list,
                        help_text="plan points left out this session: [{point, reason}]",
                    ),
                ),
                ("needles_inserted", models.IntegerField(default=0)),
                ("needles_removed", models.IntegerField(default=0)),
                ("needle_lot", models.CharField(blank=True, default="", max_length=60)),
                ("retention_started_at", models.DateTimeField(blank=True, null=True)),
                ("retention_ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "contact_started_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="set while the practitioner is with the patient",
                        null=True,
                    ),
                ),
                ("contact_electrical", models.BooleanField(default=False)),
                ("contact_reinsertion", models.BooleanField(default=False)),
                ("signed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="records.assessment",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="records.patient",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="records.treatmentplan",
                    ),
                ),
                (
                    "signed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SessionAdverseEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("kind", models.CharField(max_length=30)),
                ("severity", models.CharField(max_length=10)),
                ("serious", models.BooleanField()),
                ("action", models.TextField(blank=True, default="", max_length=1000)),
                ("description", models.TextField(blank=True, default="", max_length=1000)),
                (
                    "at",
                    models.CharField(
                        help_text="local clock time HH:MM on the session's date", max_length=5
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="records.clinic",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="records.patient",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adverse_events",
                        to="records.treatmentsession",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at"],
            },
        ),
        migrations.CreateModel(
            name="SessionAddendum",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("reason", models.TextField(max_length=500)),
                ("text", models.TextField(max_length=4000)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="addenda",
                        to="records.treatmentsession",
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(fields=["patient", "date"], name="records_tre_patient_223443_idx"),
        ),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(fields=["status"], name="records_tre_status_48d0a8_idx"),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")),
                fields=("patient",),
                name="one_open_session_per_patient",
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.CheckConstraint(
                condition=models.Q(("needles_inserted__gte", 0), ("needles_removed__gte", 0)),
                name="session_needle_counts_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.CheckConstraint(
                condition=models.Q(("needles_removed__lte", models.F("needles_inserted"))),
                name="session_removed_not_above_inserted",
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "closed", "locked"])),
                name="session_status_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="treatmentsession",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "locked"), _negated=True),
                    models.Q(("signed_at__isnull", False), ("signed_by__isnull", False)),
                    _connector="OR",
                ),
                name="locked_session_is_signed",
            ),
        ),
        migrations.AddIndex(
            model_name="sessionadverseevent",
            index=models.Index(
                fields=["clinic", "serious", "created_at"], name="records_ses_clinic__e9d55b_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="sessionadverseevent",
            index=models.Index(
                fields=["patient", "serious"], name="records_ses_patient_96b452_idx"
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
