"""FHIR imports: what each import of a patient's record brought, beside the intake it
pre-filled. The intake holds what is current; ``record`` keeps the history too (stopped
medications, resolved conditions, older laboratory results, allergies, pain scores)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class FhirImport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        "records.Patient", on_delete=models.PROTECT, related_name="fhir_imports"
    )
    intake = models.ForeignKey(
        "records.Intake", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=300)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    counts = models.JSONField(default=dict)
    issues = models.JSONField(default=list)
    record = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["patient", "imported_at"])]
