"""The documents of a patient as PDFs: the letter to the physician, the handout, the superbill.

Clinical content: practitioners only (``Can.CLINICAL``); another clinic's patient is not found.
Every download is audited (action ``download``, record type ``document``, with the kind, the
assessment and the sessions it was made from). The letter and the handout need an assessment;
the superbill needs a closed or signed session and reconciled needle counts (409 otherwise,
naming what to do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.utils import timezone

from crampcare import services
from crampcare.clinic import outcomes as outcome_use_cases
from crampcare.clinic.access import Can, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, NotFound
from crampcare.clinic.patients import to_dict
from crampcare.clinic.session_view import compose, refuse, session_dicts
from crampcare.core.billing import Unbillable, bill
from crampcare.core.session import InvalidSession, parse_session
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit
from crampcare.records.models import (
    Assessment,
    DiaryLink,
    Patient,
    SessionStatus,
    TreatmentSession,
)
from crampcare.reports.documents import KINDS, Record, handout, letter, render, superbill

WHAT = "document"
FILENAMES = {
    "physician-letter": "letter-to-physician",
    "handout": "patient-handout",
    "superbill": "superbill",
}


def _person(user: Any) -> dict[str, Any]:
    return {
        "name": user.get_full_name() or user.get_username(),
        "licence_number": user.licence_number,
    }


def _sessions(patient: Patient) -> list[TreatmentSession]:
    """The closed and signed sessions, oldest first (an open session is not finished)."""
    return list(
        TreatmentSession.objects.filter(
            patient=patient, status__in=[SessionStatus.CLOSED, SessionStatus.LOCKED]
        )
        .select_related("assessment", "plan", "signed_by", "created_by", "updated_by")
        .order_by("date", "created_at")
    )


def _diary_link(patient: Patient) -> dict[str, Any] | None:
    link = (
        DiaryLink.objects.filter(
            patient=patient, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )
    return None if link is None else {"expires_at": link.expires_at}


def _assessment(patient: Patient) -> Assessment:
    assessment = Assessment.objects.filter(patient=patient).order_by("-created_at").first()
    if assessment is None:
        raise Conflict("the patient has no assessment: assess them first", "patient_id")
    return assessment


def _bill(rows: list[TreatmentSession], kb: KnowledgeBase) -> dict[str, Any]:
    if not rows:
        raise Conflict("no closed or signed session: there is nothing to bill yet", "patient_id")
    try:
        documents = [parse_session(compose(s), kb) for s in rows]
    except InvalidSession as exc:  # valid when closed; the kb changed since
        raise Conflict(f"a session is no longer valid: {exc}", "status") from None
    try:
        return bill(documents, rows[-1].assessment.result, [f"session {s.id}" for s in rows])
    except Unbillable as exc:
        raise refuse(exc.errors) from None


def _practitioners(rows: list[TreatmentSession]) -> list[dict[str, Any]]:
    """Who treated: the practitioner who signed each session, else who recorded it."""
    found: dict[int, dict[str, Any]] = {}
    for s in rows:
        user = s.signed_by or s.created_by
        if user is not None:
            found.setdefault(user.pk, _person(user))
    return list(found.values())


def document(actor: Actor, patient_id: object, kind: str, diary_url: str = "") -> bytes:
    """The PDF of one document of the patient. ``diary_url``: a diary link just made (its URL
    exists only at creation), printed on the handout."""
    return download(actor, patient_id, kind, diary_url)[1]


def download(actor: Actor, patient_id: object, kind: str, diary_url: str = "") -> tuple[str, bytes]:
    """The file name to save the document as and its PDF."""
    require(actor, Can.CLINICAL, WHAT)
    if kind not in KINDS:
        raise NotFound(f"no document {kind!r}; documents: {', '.join(KINDS)}")
    patient = patient_for(actor, patient_id)
    pdf, detail = make(
        patient,
        actor.clinic.name,
        _person(actor),
        kind,
        services.knowledge_base(),
        lambda: outcome_use_cases.outcomes(actor, patient.id),
        diary_url,
    )
    audit.append(actor, "download", WHAT, kind, patient_id=patient.id, detail=detail)
    return filename(kind, patient.family_name), pdf


def make(
    patient: Patient,
    clinic: str,
    issuer: dict[str, Any],
    kind: str,
    kb: KnowledgeBase,
    outcomes: Callable[[], dict[str, Any] | None],
    diary_url: str = "",
) -> tuple[bytes, dict[str, Any]]:
    """The PDF of one document of ``patient`` issued by ``issuer`` ({"name", "licence_number"})
    and what it was made from; ``Conflict`` when it cannot be made yet. Not audited: the caller
    audits (a download, an export)."""
    rows = _sessions(patient)
    record = Record(
        clinic=clinic,
        practitioner=issuer,
        patient=to_dict(patient),
        today=timezone.localdate(),
        sessions=session_dicts(list(rows), kb),
    )
    detail: dict[str, Any] = {"kind": kind, "sessions": [str(s.id) for s in rows]}
    if kind == "superbill":
        context = superbill.context(record, _bill(rows, kb), _practitioners(rows))
        template = superbill.TEMPLATE
    else:
        assessment = _assessment(patient)
        detail["assessment"] = str(assessment.id)
        record = replace(record, assessment=assessment.result)
        if kind == "physician-letter":
            record = replace(record, outcomes=outcomes())
            context, template = letter.context(record, kb), letter.TEMPLATE
        else:
            link = _diary_link(patient)
            if diary_url:
                link = {**(link or {}), "url": diary_url}
            record = replace(record, diary_link=link)
            context, template = handout.context(record, kb), handout.TEMPLATE
    return render.render(template, context), detail


def filename(kind: str, family_name: str) -> str:
    """The file name a download is saved as: "letter-to-physician-ayres-2026-03-12.pdf"."""
    family = "".join(c for c in family_name.lower() if c.isascii() and c.isalnum()) or "patient"
    return f"{FILENAMES[kind]}-{family}-{timezone.localdate().isoformat()}.pdf"
