"""The clinic's retention period and the report of the records kept past it. Clinic admins only.

A record is kept ``retention_years`` after the patient's last visit. The last visit is the date
of the patient's newest treatment session; a patient never treated was last seen at their newest
intake, else on the day they were registered (a decision, docs/privacy.md). A record is past its
retention period from the day after ``kept_until``; the report lists such records for the clinic
to review and, where it is lawful, erase (``clinic.erasure``). Nothing is erased by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Forbidden, Invalid, Unauthenticated
from crampcare.records import audit
from crampcare.records.models import (
    RETENTION_YEARS_MAX,
    Clinic,
    Intake,
    Patient,
    Role,
    TreatmentSession,
)


def require_admin(
    actor: Actor | None, what: str, record_id: object = "", *, patient_id: object = ""
) -> None:
    """Refuse (audited) anyone but an active clinic admin."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Unauthenticated("sign in first")
    if actor.role != Role.CLINIC_ADMIN:
        detail = {"needs": Role.CLINIC_ADMIN.value}
        audit.append(actor, "denied", what, record_id, patient_id=patient_id, detail=detail)
        raise Forbidden(f"only a clinic admin may see or change the clinic's {what}")


def kept_until(last_visit: dt.date, years: int) -> dt.date:
    """The last day a record is kept: ``years`` after the last visit (29 February: the 28th)."""
    year = last_visit.year + years
    try:
        return last_visit.replace(year=year)
    except ValueError:
        return last_visit.replace(year=year, day=28)


def last_visit(session: dt.date | None, intake: dt.date | None, registered: dt.date) -> dt.date:
    """The newest session's date, else the newest intake's, else the registration day."""
    return session or intake or registered


def parse_years(value: Any) -> int | None:
    """``retention_years`` as given: a whole number of years (1 to 100) or null (not set)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid([("retention_years", "must be a whole number of years, or null")])
    text = str(value).strip()
    if text == "":
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        raise Invalid([("retention_years", "must be a whole number of years, or null")])
    years = int(text)
    if not 1 <= years <= RETENTION_YEARS_MAX:
        raise Invalid([("retention_years", f"must be from 1 to {RETENTION_YEARS_MAX} years")])
    return years


def settings(actor: Actor) -> dict[str, Any]:
    require_admin(actor, "retention")
    clinic = Clinic.objects.get(pk=actor.clinic_id)
    return {"clinic": clinic.name, "retention_years": clinic.retention_years}


def set_retention(actor: Actor, data: Any) -> dict[str, Any]:
    """Change the clinic's retention period (``{"retention_years": 10}``; null: not set)."""
    require_admin(actor, "retention")
    if not isinstance(data, dict) or "retention_years" not in data:
        raise Invalid([("retention_years", "is required (a whole number of years, or null)")])
    unknown = sorted(set(data) - {"retention_years"})
    if unknown:
        raise Invalid([(name, "is not a clinic setting") for name in unknown])
    years = parse_years(data["retention_years"])
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=actor.clinic_id)
        clinic.retention_years = years
        clinic.stamp(actor)
        clinic.save(update_fields=["retention_years", "updated_at", "updated_by"])
        audit.append(actor, "update", "clinic", clinic.pk, detail={"fields": ["retention_years"]})
    return {"clinic": clinic.name, "retention_years": years}


def report(actor: Actor, today: dt.date | None = None) -> dict[str, Any]:
    """The records of the admin's clinic kept past the retention period, oldest first."""
    require_admin(actor, "retention")
    out = _report(Clinic.objects.get(pk=actor.clinic_id), today or timezone.localdate())
    _audit(actor, actor.clinic_id, out)
    return out


def report_for_cli(clinic_id: int, today: dt.date | None = None) -> dict[str, Any]:
    """The same report for the CLI (the system, for one clinic)."""
    out = _report(Clinic.objects.get(pk=clinic_id), today or timezone.localdate())
    _audit(None, clinic_id, out)
    return out


def _audit(actor: Actor | None, clinic_id: int, out: dict[str, Any]) -> None:
    ids = [item["id"] for item in out["items"]]
    audit.append(actor, "list", "retention", clinic_id=clinic_id, detail={"ids": ids})


def _report(clinic: Clinic, today: dt.date) -> dict[str, Any]:
    years = clinic.retention_years
    out: dict[str, Any] = {
        "clinic": clinic.name,
        "retention_years": years,
        "today": today.isoformat(),
        "count": 0,
        "items": [],
    }
    if years is None:
        return out
    newest_session = TreatmentSession.objects.filter(patient=OuterRef("pk")).order_by("-date")
    newest_intake = Intake.objects.filter(patient=OuterRef("pk")).order_by("-taken_on")
    patients = Patient.objects.filter(clinic=clinic).annotate(
        last_session=Subquery(newest_session.values("date")[:1]),
        last_intake=Subquery(newest_intake.values("taken_on")[:1]),
    )
    items = []
    for p in patients.order_by("family_name", "given_name", "id"):
        registered = timezone.localdate(p.created_at)
        last = last_visit(p.last_session, p.last_intake, registered)
        until = kept_until(last, years)
        if until < today:
            basis = "session" if p.last_session else "intake" if p.last_intake else "registered"
            items.append(
                {
                    "id": str(p.id),
                    "given_name": p.given_name,
                    "family_name": p.family_name,
                    "birth_date": p.birth_date.isoformat(),
                    "last_visit": last.isoformat(),
                    "last_visit_from": basis,
                    "kept_until": until.isoformat(),
                }
            )
    items.sort(key=lambda i: (i["kept_until"], i["family_name"], i["id"]))
    out.update(count=len(items), items=items)
    return out
