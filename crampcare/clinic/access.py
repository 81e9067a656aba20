"""Who may do what. Roles are per clinic, and nobody reaches another clinic's records.

| capability      | practitioner | front desk | clinic admin |
|-----------------|:------------:|:----------:|:------------:|
| demographics    |      ✓       |     ✓      |      ✓       |
| clinical        |      ✓       |            |              |
| schedule        |      ✓       |     ✓      |              |
| manage users    |              |            |      ✓       |
| practice reports|      ✓       |            |      ✓       |

"clinical" covers intakes, assessments, treatment plans and sessions. "schedule" is the course
of sessions and its bookings (numbers, dates and times, the iCalendar file): what the front desk
needs to book a patient, without the clinical content. "practice reports" is the practice view's
aggregates (responder rates, sessions per course, adverse event rates, diary adherence); only a
role that also has "clinical" sees patients named in it.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TypeGuard, TypeVar

from django.db.models import Model

from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Forbidden, NotFound, Unauthenticated
from crampcare.records import audit
from crampcare.records.models import Patient, Role


class Can(StrEnum):
    DEMOGRAPHICS = "demographics"
    CLINICAL = "clinical"
    SCHEDULE = "schedule"
    MANAGE_USERS = "manage_users"
    PRACTICE_REPORTS = "practice_reports"


GRANTS: dict[str, frozenset[Can]] = {
    Role.PRACTITIONER: frozenset(
        {Can.DEMOGRAPHICS, Can.CLINICAL, Can.SCHEDULE, Can.PRACTICE_REPORTS}
    ),
    Role.FRONT_DESK: frozenset({Can.DEMOGRAPHICS, Can.SCHEDULE}),
    Role.CLINIC_ADMIN: frozenset({Can.DEMOGRAPHICS, Can.MANAGE_USERS, Can.PRACTICE_REPORTS}),
}


def _present(actor: Actor | None) -> TypeGuard[Actor]:
    """Signed in with an active account (the web layers pass only signed-in users; this also
    holds the line should one pass nobody)."""
    return actor is not None and actor.is_authenticated and actor.is_active


def may(actor: Actor | None, capability: Can) -> bool:
    if not _present(actor):
        return False
    if capability == Can.CLINICAL and actor.confirmed_at is None:
        return False  # an account not yet confirmed by its owner (the invitation) sees none
    return capability in GRANTS.get(actor.role, frozenset())


def require(
    actor: Actor | None,
    capability: Can,
    what: str,
    record_id: object = "",
    *,
    patient_id: object = "",
) -> None:
    """Refuse (and audit the refusal, with the record and patient asked for when the caller
    names them) unless the actor's role grants ``capability``."""
    if not _present(actor):
        raise Unauthenticated("sign in first")
    if not may(actor, capability):
        detail = {"needs": capability.value}
        audit.append(actor, "denied", what, record_id, patient_id=patient_id, detail=detail)
        if capability in GRANTS.get(actor.role, frozenset()):
            raise Forbidden(
                "confirm your account first: set your own password through your invitation link"
            )
        raise Forbidden(f"a {actor.get_role_display().lower()} may not {_verb(capability)}")


def _verb(capability: Can) -> str:
    return {
        Can.DEMOGRAPHICS: "see patients' details",
        Can.CLINICAL: "see or change clinical records (intakes, assessments, plans)",
        Can.SCHEDULE: "see or book the course of sessions",
        Can.MANAGE_USERS: "manage user accounts",
        Can.PRACTICE_REPORTS: "see the practice's outcome reports",
    }[capability]


# a refusal of a record the actor's clinic does not have (absent, or another clinic's: one 404)
_ABSENT = {"reason": "not_found"}


def uuid_key(value: object) -> uuid.UUID | None:
    """A record id from outside (a UUID from the URL or the API, or text) as a UUID key; None
    for one that cannot be (it names no record)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def int_key(value: object) -> int | None:
    """A whole-number id from outside (ASCII digits, below 64 bits); None for any other."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def patient_for(actor: Actor, patient_id: object, *, lock: bool = False) -> Patient:
    """The actor's clinic's patient, or ``NotFound`` (also for another clinic's patient)."""
    query = Patient.objects.filter(clinic_id=actor.clinic_id)
    if lock:
        query = query.select_for_update()
    key = uuid_key(patient_id)
    patient = query.filter(pk=key).first() if key is not None else None
    if patient is None:
        audit.append(actor, "denied", "patient", patient_id, patient_id=patient_id, detail=_ABSENT)
        raise NotFound(f"no patient {patient_id}")
    return patient


R = TypeVar("R", bound=Model)


def record_for(model: type[R], actor: Actor, ident: object, what: str, *related: str) -> R:
    """A record of one of the actor's clinic's patients, or ``NotFound`` (also for a record of
    another clinic, so that its existence does not leak)."""
    record = (
        model._default_manager.select_related(*related)
        .filter(pk=ident, patient__clinic_id=actor.clinic_id)
        .first()
    )
    if record is None:
        audit.append(actor, "denied", what.replace(" ", "_"), ident, detail=_ABSENT)
        raise NotFound(f"no {what} {ident}")
    return record


def records_of_patient(
    model: type[R], actor: Actor, patient_id: object, what: str, order: str, *related: str
) -> list[R]:
    """Every record of one of the actor's clinic's patients, newest first; the listing is
    audited with the ids it returned."""
    patient = patient_for(actor, patient_id)
    rows = list(
        model._default_manager.filter(patient=patient).select_related(*related).order_by(order)
    )
    audit.append(
        actor, "list", what, patient_id=patient.id, detail={"ids": [str(r.pk) for r in rows]}
    )
    return rows
