"""Bookings: the sessions of a patient's course booked ahead (date, time and length).

A booking is an appointment, not a clinical record: it says when, for which session number of
which plan's course, and nothing about the treatment. ``models.py`` imports this module so that
Django finds the model.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from crampcare.records.models import Patient, Tracked, TreatmentPlan

DURATION_MIN, DURATION_MAX = 10, 240


class BookingStatus(models.TextChoices):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"


class Booking(Tracked):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bookings")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="bookings")
    session_number = models.PositiveIntegerField(help_text="the course's session number")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    note = models.TextField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["patient", "starts_at"])]
        constraints = [
            # no two active bookings of one patient at the same time, whatever the races
            models.UniqueConstraint(
                fields=["patient", "starts_at"],
                condition=Q(status="booked"),
                name="booking_active_time_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in BookingStatus]),
                name="booking_status_known",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=DURATION_MIN)
                & Q(duration_minutes__lte=DURATION_MAX),
                name="booking_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(session_number__gte=1), name="booking_session_number_positive"
            ),
        ]
