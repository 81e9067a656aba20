"""One intake in, one assessment out: the clinical engine's entry point.

Pure: no I/O, no clock. ``today`` and the knowledge base are passed in, and the same intake and
knowledge-base version give the same assessment, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from crampcare.core.citations import cite
from crampcare.core.contract import (
    SCHEMA_ID,
    AdviceOut,
    Assessment,
    CautionOut,
    Needling,
    PresentationOut,
    RedFlagOut,
)
from crampcare.core.facts import Facts, gather_facts
from crampcare.core.intake import parse_intake
from crampcare.core.lab_tiers import lab_results_out
from crampcare.core.patterns import differentiate
from crampcare.core.planning import course, electroacupuncture, needle_limit, session
from crampcare.core.prescribing import apply_safety, candidates, fit_needle_count
from crampcare.core.rules import because
from crampcare.core.safety import Effects, active_cautions, names
from crampcare.core.screening import contributing_factors, red_flags, referral
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Condition, Urgency

DISCLAIMER = (
    "Decision support for a licensed practitioner, not a diagnosis and not a substitute for "
    "medical care. Check every suggestion against your own examination and judgement."
)
FALLBACK_PRESENTATION = "cramp_spasm_unspecified"


def _presentation(cond: Condition, reasons: list[str], kb: KnowledgeBase) -> PresentationOut:
    return {
        "id": cond.id,
        "name": cond.name,
        "codes": [{"system": c.system, "code": c.code, "display": c.display} for c in cond.codes],
        "because": reasons,
        "sources": cite(kb, cond.sources),
    }


def presentations(facts: Facts, kb: KnowledgeBase) -> list[PresentationOut]:
    """The presentations whose rule fits the complaint; the unspecified one when none does."""
    out: list[PresentationOut] = []
    for cond in kb.conditions.values():
        if cond.kind != "presentation" or cond.applies_when is None:
            continue
        reasons = because(cond.applies_when, facts, kb)
        if reasons is not None:
            out.append(_presentation(cond, reasons, kb))
    if not out and FALLBACK_PRESENTATION in kb.conditions:
        fallback = kb.conditions[FALLBACK_PRESENTATION]
        out.append(_presentation(fallback, ["no more specific presentation fits"], kb))
    return out


def _needling(
    urgency: Urgency,
    effects: Effects,
    flags: list[RedFlagOut],
    cautions: Sequence[CautionOut] = (),
) -> Needling:
    if urgency.rank >= Urgency.urgent.rank:
        return {
            "allowed": False,
            "reason": f"A red flag of urgency '{urgency.value}' needs medical assessment "
            "first: defer acupuncture until the referral is answered.",
        }
    stopping = [f["name"] for f in flags if f["stops_needling"]]
    if stopping:
        return {
            "allowed": False,
            "reason": f"Defer acupuncture until medical assessment: {', '.join(stopping)}.",
        }
    if effects.needling_not_allowed:
        return {
            "allowed": False,
            "reason": f"Defer acupuncture: {names(effects.needling_not_allowed)}.",
        }
    reason = "No red flag or caution stops needling"
    if urgency is not Urgency.none:
        reason += f"; the '{urgency.value}' referral can proceed alongside treatment"
    if cautions:
        listed = "; ".join(c["name"].lower() for c in cautions)
        reason += f". Needle with cautions that change the plan: {listed}"
    return {"allowed": True, "reason": reason + "."}


def _advice(facts: Facts, kb: KnowledgeBase, needling_allowed: bool) -> list[AdviceOut]:
    out: list[AdviceOut] = []
    for item in kb.advice.values():
        if (item.after_needling or item.self_care) and not needling_allowed:
            continue
        if item.when is not None and because(item.when, facts, kb) is None:
            continue
        out.append(
            {
                "id": item.id,
                "text": item.text,
                "certainty": item.certainty.value,
                "sources": cite(kb, item.sources),
            }
        )
    return out


def _evidence(found: list[PresentationOut], kb: KnowledgeBase) -> tuple[str, tuple[str, ...]]:
    """The first paragraph, in the plan's order (the most specific first), whose presentation was
    found; else the general one."""
    found_ids = {pres["id"] for pres in found}
    for entry in kb.plan.presentation_evidence:
        if entry.presentation in found_ids:
            return entry.statement, entry.sources
    return kb.plan.evidence_statement, kb.plan.evidence_sources


def assess_intake(facts: Facts, kb: KnowledgeBase, today: dt.date) -> Assessment:
    flags = red_flags(facts, kb)
    factors = contributing_factors(facts, kb)
    refer = referral(flags, factors, kb)
    caution_list, effects = active_cautions(facts, kb)
    needling = _needling(Urgency(refer["urgency"]), effects, flags, caution_list)
    found_presentations = presentations(facts, kb)
    found_patterns = differentiate(facts, kb)
    cands = candidates(facts, kb, found_presentations, found_patterns)
    points, avoid = apply_safety(cands, facts, kb, effects)
    allowed = needling["allowed"]
    points = fit_needle_count(points, needle_limit(kb, effects)) if allowed else []
    electro = electroacupuncture(effects, allowed, flags)
    advice = _advice(facts, kb, allowed)
    evidence, evidence_sources = _evidence(found_presentations, kb)
    return {
        "schema": SCHEMA_ID,
        "kb_version": kb.version,
        "assessed_on": today.isoformat(),
        "referral": refer,
        "needling": needling,
        "red_flags": flags,
        "lab_results": lab_results_out(facts, flags, kb),
        "contributing_factors": factors,
        "conditions": found_presentations,
        "patterns": found_patterns,
        "points": points,
        "avoid_points": avoid,
        "cautions": caution_list,
        "electroacupuncture": electro,
        "session": session(points, kb, effects, electro, allowed, avoid),
        "course": course(kb, allowed),
        "advice": [a["text"] for a in advice],
        "advice_details": advice,
        "evidence": evidence,
        "evidence_sources": cite(kb, evidence_sources),
        "unrecognised": {
            "medications": list(facts.unrecognised_medications),
            "conditions": list(facts.unrecognised_conditions),
        },
        "disclaimer": DISCLAIMER,
    }


def assess(raw: Any, kb: KnowledgeBase, today: dt.date) -> Assessment:
    """Validate ``raw`` against crampcare.intake/1 and assess it. Raises ``InvalidIntake``."""
    intake = parse_intake(raw, kb, today)
    return assess_intake(gather_facts(intake, kb), kb, today)
