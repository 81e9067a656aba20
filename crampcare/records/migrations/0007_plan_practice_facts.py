# The practice view's facts of each plan stored with it (core.practice.plan_facts): added,
# filled in for the plans already made from their assessment, intake and points, then required.

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations, models

from crampcare.core.practice import plan_facts

BATCH = 500


def backfill(apps: Any, schema_editor: Any) -> None:
    """Every existing plan's facts, by the same function that ``clinic.plans`` uses for a new
    one, read from its assessment's result, its intake's document and its points."""
    plans = apps.get_model("records", "TreatmentPlan")
    plan_points = apps.get_model("records", "PlanPoint")
    db = schema_editor.connection.alias
    points: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    rows = plan_points.objects.using(db).values_list("plan_id", "point", "decision")
    for plan_id, point, decision in rows.iterator():
        points[plan_id].append((point, decision))
    batch = []
    every = plans.objects.using(db).select_related("assessment__intake").order_by("pk")
    for plan in every.iterator(chunk_size=BATCH):
        facts = plan_facts(
            plan.assessment.result or {}, plan.assessment.intake.document or {}, points[plan.pk]
        )
        plan.presentation = facts.presentation
        plan.protocol = facts.protocol
        plan.sessions_max = facts.sessions_max
        plan.intake_episodes_per_week = facts.intake_episodes_per_week
        batch.append(plan)
        if len(batch) == BATCH:
            _save(plans, db, batch)
            batch = []
    _save(plans, db, batch)


def _save(plans: Any, db: str, batch: list[Any]) -> None:
    fields = ["presentation", "protocol", "sessions_max", "intake_episodes_per_week"]
    plans.objects.using(db).bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0006_reviews"),
    ]

    operations = [
        migrations.AddField(
            model_name="treatmentplan",
            name="presentation",
            field=models.TextField(default="", help_text="core.practice.presentation_key"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="treatmentplan",
            name="protocol",
            field=models.TextField(default="", help_text="core.practice.protocol_key"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="treatmentplan",
            name="sessions_max",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="the assessment's course maximum", null=True
            ),
        ),
        migrations.AddField(
            model_name="treatmentplan",
            name="intake_episodes_per_week",
            field=models.FloatField(
                blank=True, help_text="the intake's complaint.episodes_per_week", null=True
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="treatmentplan",
            constraint=models.CheckConstraint(
                condition=~models.Q(presentation="") & ~models.Q(protocol=""),
                name="plan_practice_facts",
            ),
        ),
    ]
