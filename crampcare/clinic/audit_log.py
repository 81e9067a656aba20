"""Reading the audit log: the clinic's log for its admin (filtered, a page at a time) and one
patient's access log ("who saw this record") for the clinic's practitioners and admins.

Both show what the entries hold and nothing else (no patient names or values are joined in),
except the person behind each entry's account in the access log, which a patient asks for. Each
reading is itself audited, with the filters' names only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from crampcare.clinic import input_limits
from crampcare.clinic.access import Can, may, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Forbidden, Invalid, Unauthenticated
from crampcare.records import audit
from crampcare.records.models import AuditEntry, User

PAGE_SIZE = 50
PRINT_LIMIT = 5000  # entries in the printable access log (it says when there are more)
FILTERS = ("date_from", "date_to", "user", "action", "record_type", "patient_id")
LIMITS = {"user": 150, "action": 20, "record_type": 30, "patient_id": 64}
# offered in the filter form (any other value may be typed)
ACTIONS: tuple[str, ...] = (
    "read",
    "list",
    "create",
    "update",
    "denied",
    "download",
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "token_issue",
    "token_revoke",
    "user_create",
    "invited",
    "invitation_accepted",
    "role_change",
    "deactivate",
    "reactivate",
    "password_change",
    "password_reset",
    "sign_out_everywhere",
)


def _dates(raw: dict[str, str]) -> dict[str, dt.date]:
    dates, problems = {}, []
    for name in ("date_from", "date_to"):
        text = raw.get(name, "").strip()
        if not text:
            continue
        try:
            if len(text) != 10:
                raise ValueError
            dates[name] = dt.date.fromisoformat(text)
        except ValueError:
            problems.append((name, "use a date as YYYY-MM-DD"))
    if not problems and len(dates) == 2 and dates["date_from"] > dates["date_to"]:
        problems.append(("date_to", "must not be before date_from"))
    if problems:
        raise Invalid(problems)
    return dates


def filters(raw: dict[str, str]) -> dict[str, Any]:
    """The filters as given (text stripped), or ``Invalid`` naming each bad one."""
    problems = []
    given: dict[str, Any] = {}
    for name, limit in LIMITS.items():
        text = str(raw.get(name, "")).strip()
        if len(text) > limit or input_limits.text_problem(text):
            problems.append((name, f"at most {limit} printable characters"))
        elif text:
            given[name] = text
    try:
        given.update(_dates(raw))
    except Invalid as exc:
        problems += exc.errors
    if problems:
        raise Invalid(problems)
    return given


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(rows: QuerySet[AuditEntry], given: dict[str, Any]) -> QuerySet[AuditEntry]:
    if "date_from" in given:
        rows = rows.filter(at__gte=_start_of(given["date_from"]))
    if "date_to" in given:
        rows = rows.filter(at__lt=_start_of(given["date_to"] + dt.timedelta(days=1)))
    if "user" in given:
        rows = rows.filter(actor__iexact=given["user"])
    if "action" in given:
        rows = rows.filter(action=given["action"])
    if "record_type" in given:
        rows = rows.filter(record_type=given["record_type"])
    if "patient_id" in given:
        rows = rows.filter(patient_id=given["patient_id"])
    return rows


def _before(raw: object) -> int | None:
    """Where a page starts: entries older than (written before) entry ``before``; None: newest.
    Pages are keyed by the entry, not counted, so entries written meanwhile shift nothing."""
    text = str(raw or "").strip()
    if not text:
        return None
    return input_limits.whole_number(text, "before", low=1, high=input_limits.MAX_SAFE_INTEGER)


def _page(
    rows: QuerySet[AuditEntry], before: int | None, size: int
) -> tuple[list[AuditEntry], int | None]:
    """Up to ``size`` entries, newest first, and the key of the next (older) page if any."""
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows.order_by("-pk")[: size + 1])
    older = found[size - 1].pk if len(found) > size else None
    return found[:size], older


def _entry(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor,
        "actor_id": e.actor_id,
        "action": e.action,
        "record_type": e.record_type,
        "record_id": e.record_id,
        "patient_id": e.patient_id,
        "detail": e.detail,
        # a template cannot call .items() on a dict with an "items" key
        "detail_pairs": sorted(e.detail.items()),
    }


def clinic_log(actor: Actor, raw: dict[str, str], before: object = None) -> dict[str, Any]:
    """A page of the clinic's audit log, newest first, for its clinic admin; ``before`` is the
    ``older`` key of the previous page."""
    require(actor, Can.MANAGE_USERS, "audit_log")
    given = filters(raw)
    start = _before(before)
    rows = _filtered(AuditEntry.objects.filter(clinic_id=actor.clinic_id), given)
    found, older = _page(rows, start, PAGE_SIZE)
    detail = {"filters": sorted(given), "before": start}
    audit.append(actor, "read", "audit_log", detail=detail)
    return {"entries": [_entry(e) for e in found], "before": start, "older": older}


# --- a patient's access log ----------------------------------------------------------------


def _may_read_access_log(actor: Actor, patient_id: object) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Unauthenticated("sign in first")
    if not (may(actor, Can.CLINICAL) or may(actor, Can.MANAGE_USERS)):
        detail = {"needs": "clinical or manage_users"}
        audit.append(
            actor, "denied", "access_log", patient_id, patient_id=patient_id, detail=detail
        )
        raise Forbidden("only the clinic's practitioners and admins see who saw a record")


def access_log(
    actor: Actor, patient_id: object, before: object = None, *, printable: bool = False
) -> dict[str, Any]:
    """Who saw or changed this patient's record, newest first: every entry naming the patient,
    with the person behind each account (their name and role today). ``printable``: every
    entry on one page (up to ``PRINT_LIMIT``), for the patient."""
    _may_read_access_log(actor, patient_id)
    patient = patient_for(actor, patient_id)
    rows = AuditEntry.objects.filter(clinic_id=actor.clinic_id).filter(
        Q(patient_id=str(patient.pk)) | Q(record_type="patient", record_id=str(patient.pk))
    )
    start = None if printable else _before(before)
    found, older = _page(rows, start, PRINT_LIMIT if printable else PAGE_SIZE)
    people = {
        u.pk: u for u in User.objects.filter(pk__in={e.actor_id for e in found if e.actor_id})
    }
    entries = []
    for e in found:
        person = people.get(e.actor_id) if e.actor_id else None
        name = f"{person.first_name} {person.last_name}".strip() if person else ""
        role = person.get_role_display() if person else ("the system" if not e.actor_id else "")
        entries.append({**_entry(e), "name": name, "role": role})
    audit.append(
        actor,
        "read",
        "access_log",
        patient.pk,
        patient_id=patient.pk,
        detail={"printable": printable, "before": start},
    )
    return {"patient": patient, "entries": entries, "before": start, "older": older}
