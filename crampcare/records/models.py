"""The records. Every record knows who created and last changed it, and when (``Tracked``).

Clinical records (intakes, assessments, plans) are never edited in place: a new intake version,
a re-assessment or a new plan is a new row, so the history stays whole.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Tracked(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    def stamp(self, actor: Any, *, created: bool = False) -> None:
        """Set who and when; ``actor`` is a user or None (the system, e.g. first-run setup)."""
        now = timezone.now()
        user = actor if actor is not None and actor.pk else None
        if created:
            self.created_at, self.created_by = now, user
        self.updated_at, self.updated_by = now, user


RETENTION_YEARS_MAX = 100


class Clinic(Tracked):
    name = models.CharField(max_length=200)
    # how long a patient's record is kept after their last visit (None: not set); the
    # retention report lists the records past it (crampcare/clinic/retention.py)
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_years__isnull=True)
                | (Q(retention_years__gte=1) & Q(retention_years__lte=RETENTION_YEARS_MAX)),
                name="clinic_retention_years_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


class User(AbstractUser, Tracked):
    """A person of one clinic. ``confirmed_at`` is set when they accepted their invitation (set
    their own password): until then they see no clinical content. ``sessions_epoch`` is part of
    every signed-in session's hash: raising it signs the user out of every browser at once."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=20, choices=Role.choices)
    licence_number = models.CharField(max_length=60, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    sessions_epoch = models.PositiveIntegerField(default=0)

    REQUIRED_FIELDS = ["email"]

    def _get_session_auth_hash(self, secret: Any = None) -> str:
        # Django's session hash (an HMAC of the password hash) with the epoch added
        return salted_hmac(
            "crampcare.records.User.session_auth_hash",
            f"{self.password}:{self.sessions_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case"),
            models.CheckConstraint(
                condition=~Q(role="practitioner") | ~Q(licence_number=""),
                name="practitioner_has_licence",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="user_role_known"
            ),
        ]


class Sex(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Patient(Tracked):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    phone = models.CharField(max_length=40, blank=True, default="")
    email = models.EmailField(max_length=254, blank=True, default="")
    address = models.TextField(max_length=500, blank=True, default="")
    consent_treatment = models.BooleanField(default=False)
    consent_treatment_at = models.DateTimeField(null=True, blank=True)
    consent_data_processing = models.BooleanField(default=False)
    consent_data_processing_at = models.DateTimeField(null=True, blank=True)
    # the identity of the patient's FHIR record ("system|value" of its first identifier, else
    # "Patient/<id>"): importing the record again updates this patient (crampcare/fhir)
    fhir_identity = models.CharField(max_length=300, blank=True, default="")
    # deceased patients are kept for the record and offered no treatment
    deceased = models.BooleanField(default=False)
    deceased_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=[s.value for s in Sex]), name="patient_sex_known"
            ),
            # one patient per FHIR record in a clinic, also under parallel imports
            models.UniqueConstraint(
                fields=["clinic", "fhir_identity"],
                condition=~Q(fhir_identity=""),
                name="patient_fhir_identity_unique",
            ),
        ]


class Intake(Tracked):
    """One version of a patient's ``crampcare.intake/1`` document, as it was submitted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    version = models.PositiveIntegerField()
    schema = models.CharField(max_length=40, default="crampcare.intake/1")
    taken_on = models.DateField(help_text="the clinical 'today' the intake is assessed against")
    document = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="intake_version_unique")
        ]


class Assessment(Tracked):
    """The engine's output for one intake under one knowledge-base version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="assessments")
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    kb_version = models.CharField(max_length=80)
    assessed_on = models.DateField()
    urgency = models.CharField(max_length=12)
    needling_allowed = models.BooleanField()
    result = models.JSONField()
    current = models.BooleanField(
        default=True, help_text="the intake's current assessment (not superseded); one per intake"
    )

    class Meta:
        indexes = [models.Index(fields=["patient", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["intake"],
                condition=Q(current=True),
                name="one_current_assessment_per_intake",
            )
        ]


class TreatmentPlan(Tracked):
    """The prescription the practitioner accepted from an assessment (CDS Hooks feedback).

    The practice view's facts of the plan (``core.practice.plan_facts``) are stored with it
    when it is made, so the view groups and counts columns, not assessment documents."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    note = models.TextField(max_length=2000, blank=True, default="")
    presentation = models.TextField(help_text="core.practice.presentation_key")
    protocol = models.TextField(help_text="core.practice.protocol_key")
    sessions_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="the assessment's course maximum"
    )
    intake_episodes_per_week = models.FloatField(
        null=True, blank=True, help_text="the intake's complaint.episodes_per_week"
    )

    class Meta:
        # the practice view's newest plan of each patient, read from the index alone
        indexes = [models.Index(fields=["patient", "created_at", "id"], name="plan_newest")]
        constraints = [
            # the keys are never empty: a plan made without its facts is refused, not miscounted
            models.CheckConstraint(
                condition=~Q(presentation="") & ~Q(protocol=""), name="plan_practice_facts"
            ),
        ]


class Decision(models.TextChoices):
    ACCEPTED = "accepted"
    REMOVED = "removed"
    ADDED = "added"


class PlanPoint(models.Model):
    """One point of a plan: a suggestion accepted or removed, or a point the practitioner added.
    Every removal and addition carries its reason."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveIntegerField()
    point = models.CharField(max_length=40, help_text="code, or ASHI@region for Ashi points")
    code = models.CharField(max_length=10)
    side = models.CharField(max_length=10)
    region = models.CharField(max_length=20, blank=True, default="")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "point"], name="plan_point_unique"),
            models.CheckConstraint(
                condition=Q(decision="accepted") | ~Q(reason=""), name="override_has_reason"
            ),
        ]


class SessionStatus(models.TextChoices):
    OPEN = "open"
    CLOSED = "closed"
    LOCKED = "locked"


LOCKED_MESSAGE = "the session is signed and locked: add an addendum"


class TreatmentSession(Tracked):
    """One treatment session: its ``crampcare.session/1`` document and the live state the
    session page changes as it goes (needle counts, retention, the open contact interval).

    open -> closed (complete: counts reconciled, lot given) -> locked (signed). A database
    trigger refuses any change to a locked row; addenda are the only change after locking.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField()
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    document = models.JSONField(default=dict, help_text="the crampcare.session/1 document")
    omitted = models.JSONField(
        default=list, help_text="plan points left out this session: [{point, reason}]"
    )
    needles_inserted = models.IntegerField(default=0)
    needles_removed = models.IntegerField(default=0)
    needle_lot = models.CharField(max_length=60, blank=True, default="")
    retention_started_at = models.DateTimeField(null=True, blank=True)
    retention_ended_at = models.DateTimeField(null=True, blank=True)
    contact_started_at = models.DateTimeField(
        null=True, blank=True, help_text="set while the practitioner is with the patient"
    )
    contact_electrical = models.BooleanField(default=False)
    contact_reinsertion = models.BooleanField(default=False)
    signed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "date"]),
            models.Index(fields=["status"]),
            # the practice view's count, first and last date of each plan's sessions
            models.Index(fields=["plan", "status", "date"], name="session_plan_summary"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="open"),
                name="one_open_session_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(needles_inserted__gte=0) & Q(needles_removed__gte=0),
                name="session_needle_counts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(needles_removed__lte=models.F("needles_inserted")),
                name="session_removed_not_above_inserted",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SessionStatus]),
                name="session_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="locked") | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="locked_session_is_signed",
            ),
        ]


class SessionAdverseEvent(Tracked):
    """An adverse event of a session. ``serious`` is stored so that a practice can count them
    (per clinic) and a patient's banner can find them without reading documents."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    severity = models.CharField(max_length=10)
    serious = models.BooleanField()
    action = models.TextField(max_length=1000, blank=True, default="")
    description = models.TextField(max_length=1000, blank=True, default="")
    at = models.CharField(max_length=5, help_text="local clock time HH:MM on the session's date")

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["clinic", "serious", "created_at"]),
            models.Index(fields=["patient", "serious"]),
        ]


class SessionAddendum(models.Model):
    """A change to a signed session, kept beside the original: who, when, why, what."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(max_length=500)
    text = models.TextField(max_length=4000)

    class Meta:
        ordering = ["at", "id"]


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored. A revoked token is kept
    (``revoked_at``) so that the audit log's token ids stay meaningful."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class LoginFailure(models.Model):
    """A failed sign-in, kept as evidence: never removed by a later success, pruned only when
    older than ``LOGIN_FAILURE_KEEP_DAYS``. The throttle counts in ``SignInThrottle``."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class AuditEntry(models.Model):
    """One append-only, hash-chained entry: who did what to which record, and when.

    Each clinic has its own chain (``chain`` is ``clinic-<id>``, ``system`` for entries of no
    clinic, ``legacy`` for the single chain written before per-clinic chains); ``seq`` numbers
    the entries of one chain. ``hash`` is SHA-256 over the entry's content and ``prev_hash``;
    database triggers refuse UPDATE and DELETE. ``crampcare audit verify`` recomputes the chains
    and checks them against the signed checkpoints (docs/audit.md).
    """

    chain = models.CharField(max_length=40)
    seq = models.BigIntegerField()
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(max_length=150)
    clinic_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=20)
    record_type = models.CharField(max_length=30)
    record_id = models.CharField(max_length=64, blank=True, default="")
    patient_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_one_entry_per_seq")
        ]


class AuditHead(models.Model):
    """A chain's last entry number and hash, so that removing entries from the end shows."""

    chain = models.CharField(max_length=40, unique=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


from crampcare.records.account_models import Invitation, SignInThrottle  # noqa: E402, F401
from crampcare.records.booking_models import Booking, BookingStatus  # noqa: E402, F401
from crampcare.records.diary_models import (  # noqa: E402, F401
    DiaryEntry,
    DiaryGuess,
    DiaryLink,
    DiarySource,
)
from crampcare.records.erasure_models import ErasureReason, PatientErasure  # noqa: E402, F401
from crampcare.records.fhir_models import FhirImport  # noqa: E402, F401
from crampcare.records.review_models import ReviewChoice, ReviewDecision  # noqa: E402, F401
