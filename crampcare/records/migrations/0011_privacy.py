"""Retention and erasure: the clinic's retention period, the erasures, and triggers that let an
erasure delete a signed session.

Migration 0003's triggers keep a signed (locked) session, its adverse events and its addenda
unchangeable. They are replaced by the same triggers with one exception: DELETE is allowed for a
patient listed in ``records_patienterasure``, the row an erasure writes first in its transaction
(crampcare/clinic/erasure.py). UPDATE stays refused, and nothing else may delete them.
"""

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
ERASED = "(SELECT 1 FROM records_patienterasure WHERE patient_id = {})"
SESSION_OF = f"(SELECT patient_id FROM {SESSION} WHERE id = OLD.session_id)"

SQLITE = [
    f"DROP TRIGGER {SESSION}_locked_no_delete",
    f"DROP TRIGGER {EVENT}_locked_no_delete",
    f"DROP TRIGGER {ADDENDUM}_no_delete",
    f"""CREATE TRIGGER {SESSION}_locked_no_delete BEFORE DELETE ON {SESSION}
        WHEN OLD.status = 'locked' AND NOT EXISTS {ERASED.format("OLD.patient_id")}
        BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {EVENT}_locked_no_delete BEFORE DELETE ON {EVENT}
        WHEN (SELECT status FROM {SESSION} WHERE id = OLD.session_id) = 'locked'
        AND NOT EXISTS {ERASED.format("OLD.patient_id")}
        BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {ADDENDUM}_no_delete BEFORE DELETE ON {ADDENDUM}
        WHEN NOT EXISTS {ERASED.format(SESSION_OF)}
        BEGIN SELECT RAISE(ABORT, '{ADDENDA}'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER {SESSION}_locked_no_delete",
    f"DROP TRIGGER {EVENT}_locked_no_delete",
    f"DROP TRIGGER {ADDENDUM}_no_delete",
    f"""CREATE TRIGGER {SESSION}_locked_no_delete BEFORE DELETE ON {SESSION}
        WHEN OLD.status = 'locked' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {EVENT}_locked_no_delete BEFORE DELETE ON {EVENT}
        WHEN (SELECT status FROM {SESSION} WHERE id = OLD.session_id) = 'locked'
        BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER {ADDENDUM}_no_delete BEFORE DELETE ON {ADDENDUM}
        BEGIN SELECT RAISE(ABORT, '{ADDENDA}'); END""",
]


def _postgres(erasable: bool) -> list[str]:
    def erased(patient: str) -> str:
        return f"TG_OP = 'DELETE' AND EXISTS {ERASED.format(patient)}" if erasable else "FALSE"

    return [
        f"""CREATE OR REPLACE FUNCTION crampcare_session_locked() RETURNS trigger AS $$
        BEGIN
            IF OLD.status = 'locked' AND NOT ({erased("OLD.patient_id")}) THEN
                RAISE EXCEPTION '{LOCKED}';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE FUNCTION crampcare_session_event_locked() RETURNS trigger AS $$
        DECLARE sid uuid;
        BEGIN
            IF TG_OP = 'INSERT' THEN sid := NEW.session_id; ELSE sid := OLD.session_id; END IF;
            IF EXISTS (SELECT 1 FROM {SESSION} WHERE id = sid AND status = 'locked')
                AND NOT ({erased("OLD.patient_id")}) THEN
                RAISE EXCEPTION '{LOCKED}';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE FUNCTION crampcare_addendum_append_only() RETURNS trigger AS $$
        BEGIN
            IF {erased(SESSION_OF)} THEN RETURN OLD; END IF;
            RAISE EXCEPTION '{ADDENDA}';
        END $$ LANGUAGE plpgsql""",
    ]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": _postgres(erasable=True)})


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DOWN, "postgresql": _postgres(erasable=False)})


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0010_fhir_import"),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientErasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("patient_id", models.UUIDField(unique=True)),
                ("erased_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("patient_request", "The patient asked for erasure (right to erasure)"),
                            ("retention_expired", "The retention period has expired"),
                            ("consent_withdrawn", "Consent withdrawn and no other ground to keep"),
                            ("unlawful_processing", "The record was processed unlawfully"),
                            ("legal_obligation", "A legal obligation or court order to erase"),
                        ],
                        max_length=30,
                    ),
                ),
                ("counts", models.JSONField(default=dict, help_text="rows removed per table")),
            ],
        ),
        migrations.AddField(
            model_name="clinic",
            name="retention_years",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="clinic",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("retention_years__isnull", True),
                    models.Q(("retention_years__gte", 1), ("retention_years__lte", 100)),
                    _connector="OR",
                ),
                name="clinic_retention_years_range",
            ),
        ),
        migrations.AddField(
            model_name="patienterasure",
            name="clinic",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="records.clinic"
            ),
        ),
        migrations.AddField(
            model_name="patienterasure",
            name="erased_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="patienterasure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "reason__in",
                        [
                            "patient_request",
                            "retention_expired",
                            "consent_withdrawn",
                            "unlawful_processing",
                            "legal_obligation",
                        ],
                    )
                ),
                name="erasure_reason_known",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
