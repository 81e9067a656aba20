"""Every table that holds a patient's data besides the patient row, and the patient's rows in it.

One list for the record export (every row the clinic holds about the patient) and for erasure
(every row removed). The order deletes a row before the rows it refers to: addenda and adverse
events before their session, sessions, bookings and reviews before their plan, plans before their
assessment, imports before the intake they pre-filled. A test checks that every model that refers
to a patient, directly or through another model, is listed here.

The audit log is not listed: its entries hold ids (the patient's random UUID) and are never
changed (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

from crampcare.records.booking_models import Booking
from crampcare.records.diary_models import DiaryEntry, DiaryLink
from crampcare.records.fhir_models import FhirImport
from crampcare.records.models import (
    Assessment,
    Intake,
    PlanPoint,
    SessionAddendum,
    SessionAdverseEvent,
    TreatmentPlan,
    TreatmentSession,
)
from crampcare.records.review_models import ReviewDecision

# (name, model, the lookup from the model to the patient)
TABLES: tuple[tuple[str, type[Model], str], ...] = (
    ("session_addenda", SessionAddendum, "session__patient"),
    ("adverse_events", SessionAdverseEvent, "patient"),
    ("diary_entries", DiaryEntry, "patient"),
    ("diary_links", DiaryLink, "patient"),
    ("reviews", ReviewDecision, "patient"),
    ("bookings", Booking, "patient"),
    ("sessions", TreatmentSession, "patient"),
    ("plan_points", PlanPoint, "plan__patient"),
    ("plans", TreatmentPlan, "patient"),
    ("fhir_imports", FhirImport, "patient"),
    ("assessments", Assessment, "patient"),
    ("intakes", Intake, "patient"),
)

# secrets, not the patient's data: left out of an export
SECRET_FIELDS = frozenset({"token_hash"})


def rows(patient_id: object) -> Iterator[tuple[str, QuerySet[Any]]]:
    """Each table's rows of the patient, in deletion order."""
    for name, model, lookup in TABLES:
        yield name, model._default_manager.filter(**{lookup: patient_id}).order_by("pk")


def plain(row: Model) -> dict[str, Any]:
    """A row as JSON-ready values: every column but secrets (ids, dates as ISO text)."""
    out: dict[str, Any] = {}
    for f in row._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        out[f.attname] = _json(getattr(row, f.attname))
    return out


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value
