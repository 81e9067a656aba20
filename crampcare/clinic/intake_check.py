"""Checking an intake without storing it: the web form uses this to list every problem at once
when some of its fields could not even be put into the document (text in a number field)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crampcare.clinic.access import Can, patient_for, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.schemas import check_text
from crampcare.core.intake import InvalidIntake, parse_intake
from crampcare.kb.loader import KnowledgeBase


def check_intake(
    actor: Actor, patient_id: object, document: Any, kb: KnowledgeBase
) -> list[tuple[str, str]]:
    """Every problem of ``document`` as the patient's next intake, by field path under
    ``intake``, exactly as ``assessments.create_assessment`` would report them; nothing is
    stored. Raises like the other use cases when the actor may not store an intake."""
    require(actor, Can.CLINICAL, "intake")
    patient_for(actor, patient_id)
    problems = check_text(document, "intake")
    if problems:
        return problems
    try:
        parse_intake(document, kb, timezone.localdate())
    except InvalidIntake as exc:
        return [(f"intake.{p}" if p != "(document)" else "intake", m) for p, m in exc.errors]
    return []
