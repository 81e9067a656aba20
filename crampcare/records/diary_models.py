"""The patient's cramp diary: private links (stored as a hash) and one entry per patient per day.

A ``DiaryLink`` holds only the SHA-256 of its token; the token itself is shown once, to the
practitioner who creates the link. ``DiaryGuess`` counts requests with a wrong token per client
address so that guessing is throttled. ``models.py`` imports this module so that Django finds the
models.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from crampcare.records.models import Patient, Tracked

CRAMPS_MAX = 200
SCALE_MAX = 10
DURATION_MAX_MINUTES = 1440


class DiarySource(models.TextChoices):
    PATIENT = "patient"
    PRACTITIONER = "practitioner"


class DiaryLink(Tracked):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diary_links")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "created_at"])]


def _range(field: str, high: int, *, nullable: bool) -> Q:
    within = Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": high})
    return (Q(**{f"{field}__isnull": True}) | within) if nullable else within


class DiaryEntry(Tracked):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diary_entries")
    date = models.DateField()
    cramps = models.IntegerField(help_text="cramps that day (count)")
    worst_severity = models.SmallIntegerField(null=True, blank=True, help_text="0-10")
    typical_duration_minutes = models.IntegerField(null=True, blank=True)
    sleep_disturbance = models.SmallIntegerField(null=True, blank=True, help_text="0-10")
    regions = models.JSONField(default=list, blank=True, help_text="region ids (kb vocabulary)")
    source = models.CharField(max_length=12, choices=DiarySource.choices)
    link = models.ForeignKey(
        DiaryLink, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )

    class Meta:
        ordering = ["-date"]
        constraints = [
            # one entry per patient per day, whatever the races
            models.UniqueConstraint(fields=["patient", "date"], name="diary_entry_day_unique"),
            models.CheckConstraint(
                condition=_range("cramps", CRAMPS_MAX, nullable=False), name="diary_cramps_range"
            ),
            models.CheckConstraint(
                condition=_range("worst_severity", SCALE_MAX, nullable=True),
                name="diary_severity_range",
            ),
            models.CheckConstraint(
                condition=_range("typical_duration_minutes", DURATION_MAX_MINUTES, nullable=True),
                name="diary_duration_range",
            ),
            models.CheckConstraint(
                condition=_range("sleep_disturbance", SCALE_MAX, nullable=True),
                name="diary_sleep_range",
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in DiarySource]), name="diary_source_known"
            ),
        ]


class DiaryGuess(models.Model):
    """A request to /diary/<token> whose token matched no live link, kept for throttling."""

    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
