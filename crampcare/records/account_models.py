"""Accounts: the sign-in throttle's counters and invitations. ``models.py`` imports this module so
that Django finds the models.

``SignInThrottle`` holds one row per account (the username as typed, lower-cased) and one per
client address: failures are counted by an atomic ``UPDATE ... SET failures = failures + 1`` on
the row, held locked while the password is checked, so that parallel guesses cannot all pass a
limit that each of them read before the others counted. ``Invitation`` holds only the SHA-256 of
its token; the link is shown once, to the admin who made it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from crampcare.records.models import User


class ThrottleKind(models.TextChoices):
    ACCOUNT = "account"
    ADDRESS = "address"


class SignInThrottle(models.Model):
    kind = models.CharField(max_length=10, choices=ThrottleKind.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="sign_in_throttle_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ThrottleKind]),
                name="sign_in_throttle_kind_known",
            ),
        ]
        indexes = [models.Index(fields=["last_failure_at"])]


class Invitation(models.Model):
    """A link for a new user (or one whose password was reset) to set their own password and
    confirm the account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
