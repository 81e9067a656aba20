"""Erasures: that a patient's record was erased, when, by whom and on what ground.

The row holds the patient's id (a random UUID, which the audit chain holds too) and nothing
that names the patient. It is written first in the erasure's transaction: the triggers that
keep signed sessions, their adverse events and addenda unchangeable let them be deleted only
for a patient listed here (migration 0011). ``models.py`` imports this module so that Django
finds the model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ErasureReason(models.TextChoices):
    PATIENT_REQUEST = "patient_request", "The patient asked for erasure (right to erasure)"
    RETENTION_EXPIRED = "retention_expired", "The retention period has expired"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn and no other ground to keep"
    UNLAWFUL_PROCESSING = "unlawful_processing", "The record was processed unlawfully"
    LEGAL_OBLIGATION = "legal_obligation", "A legal obligation or court order to erase"


class PatientErasure(models.Model):
    patient_id = models.UUIDField(unique=True)
    clinic = models.ForeignKey("records.Clinic", on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=30, choices=ErasureReason.choices)
    counts = models.JSONField(default=dict, help_text="rows removed per table")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=[r.value for r in ErasureReason]),
                name="erasure_reason_known",
            )
        ]
