"""Review decisions: what the practitioner decided when the patient page asked for a review of
the course (at the plan's review sessions, or when the diary showed worsening).

One decision per review of a plan (``key``: "session:4", "worsening:week:6"), whatever the races:
a database constraint. "reassess" and "refer" are links (to the intake and the physician letter);
"continue" is the decision recorded here. ``models.py`` imports this module so that Django finds
the model.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from crampcare.records.models import Patient, Tracked, TreatmentPlan


class ReviewChoice(models.TextChoices):
    CONTINUE = "continue"
    REASSESS = "reassess"
    REFER = "refer"


class ReviewDecision(Tracked):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reviews")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    key = models.CharField(max_length=40, help_text='the review decided: "session:4" ...')
    session_number = models.PositiveIntegerField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=ReviewChoice.choices)
    note = models.TextField(max_length=1000, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="review_decision_once"),
            models.CheckConstraint(
                condition=Q(decision__in=[c.value for c in ReviewChoice]),
                name="review_decision_known",
            ),
        ]
