"""Screening: the red flags that call for referral, and the factors that feed the cramps."""

from __future__ import annotations

from crampcare.core.citations import cite
from crampcare.core.contract import FactorOut, RedFlagOut, Referral
from crampcare.core.facts import Facts
from crampcare.core.lab_tiers import tier_flags
from crampcare.core.rules import because
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Certainty, Medication, Urgency, Verification


def _at_least_as_severe(flag: RedFlagOut, other: RedFlagOut) -> bool:
    return (
        Urgency(flag["urgency"]).rank >= Urgency(other["urgency"]).rank
        and (flag["stops_needling"] or not other["stops_needling"])
        and (flag["stops_electroacupuncture"] or not other["stops_electroacupuncture"])
    )


def red_flags(facts: Facts, kb: KnowledgeBase) -> list[RedFlagOut]:
    """Red flags that hold, most urgent first: the knowledge base's flags, and one flag per
    laboratory test whose results reach a severity tier. A flag that combines a test with
    findings replaces that test's tier flag (and the flags it names) when it is at least as
    severe, so that one cause shows one action."""
    held: dict[str, RedFlagOut] = {}
    for flag in kb.red_flags.values():
        reasons = because(flag.when, facts, kb)
        if reasons is None:
            continue
        stops = flag.stops_needling or flag.urgency.rank >= Urgency.urgent.rank
        held[flag.id] = {
            "id": flag.id,
            "name": flag.name,
            "urgency": flag.urgency.value,
            "summary": flag.summary,
            "action": flag.action,
            "because": reasons,
            "stops_needling": stops,
            # no needling means no electrical stimulation either
            "stops_electroacupuncture": flag.stops_electroacupuncture or stops,
            "verification": flag.verification.value,
            "sources": cite(kb, flag.sources),
        }
    tiers = tier_flags(facts, kb)
    dropped: set[str] = set()
    for flag_id, out in held.items():
        entry = kb.red_flags[flag_id]
        for other in entry.supersedes_flags:
            if other in held and _at_least_as_severe(out, held[other]):
                dropped.add(other)
        for test in entry.supersedes_lab_tiers:
            if test in tiers and _at_least_as_severe(out, tiers[test]):
                dropped.add(tiers[test]["id"])
    found = [f for f in (*held.values(), *tiers.values()) if f["id"] not in dropped]
    found.sort(key=lambda f: (-Urgency(f["urgency"]).rank, f["id"]))
    return found


def _classes_nearest_first(med: Medication, kb: KnowledgeBase) -> list[Medication]:
    order: list[str] = []
    todo = list(med.member_of)
    while todo:
        class_id = todo.pop(0)
        if class_id not in order:
            order.append(class_id)
            todo.extend(kb.medications[class_id].member_of)
    return [kb.medications[c] for c in order]


def _medication_factors(facts: Facts, kb: KnowledgeBase) -> list[FactorOut]:
    out: list[FactorOut] = []
    for match in facts.medication_effects.get("cramp", ()):
        med = kb.medications[match.id]
        # what the ingredient and each class above it (nearest first) say about cramps
        chain = [med, *_classes_nearest_first(med, kb)]
        told = [m for m in chain if m.cramp_association]
        lead = told[-1] if told else med  # the class statement carries the evidence
        summary = " ".join(
            (m.cramp_association or "") if m is med else f"{m.name}: {m.cramp_association}"
            for m in told
        )
        out.append(
            {
                "id": med.id,
                "kind": "medication",
                "matched": [match.matched],
                "summary": f"{med.name}. {summary or 'Linked to cramps.'}",
                "certainty": (lead.certainty or Certainty.very_low).value,
                "verification": lead.verification.value,
                "sources": cite(kb, [s for m in told or [med] for s in m.sources]),
            }
        )
    return out


def _condition_factors(facts: Facts, kb: KnowledgeBase) -> list[FactorOut]:
    """History conditions that feed cramps. Pregnancy is one factor whatever made the patient
    count as pregnant (flag, code or current text): facts.pregnancy decides, not the matches."""
    out: list[FactorOut] = []
    pregnancy_conditions = sorted(c.id for c in kb.conditions.values() if c.pregnancy)
    for cond_id, matches in sorted(facts.condition_ids.items()):
        cond = kb.conditions[cond_id]
        if cond.kind != "history" or not cond.contributes or cond.pregnancy:
            continue
        out.append(
            {
                "id": cond.id,
                "kind": "condition",
                "matched": [m.matched for m in matches],
                "summary": f"{cond.name}: {cond.summary}",
                "certainty": (cond.certainty or Certainty.very_low).value,
                "verification": cond.verification.value,
                "sources": cite(kb, cond.sources),
            }
        )
    if facts.pregnant and pregnancy_conditions:
        cond = kb.conditions[pregnancy_conditions[0]]
        if cond.contributes:
            out.append(
                {
                    "id": cond.id,
                    "kind": "condition",
                    "matched": [facts.pregnancy_reason or "pregnant"],
                    "summary": f"{cond.name}: {cond.summary}",
                    "certainty": (cond.certainty or Certainty.very_low).value,
                    "verification": cond.verification.value,
                    "sources": cite(kb, cond.sources),
                }
            )
    return out


def _lab_factors(facts: Facts, kb: KnowledgeBase) -> list[FactorOut]:
    out: list[FactorOut] = []
    for test, result in sorted(facts.labs.items()):
        lab = result.lab
        low, high = result.low, result.high
        if low is not None and result.value < low:
            where = f"below the usual range (under {low:g} {lab.unit})"
        elif high is not None and result.value > high:
            where = f"above the usual range (over {high:g} {lab.unit})"
        else:
            continue
        out.append(
            {
                "id": f"lab_{test}",
                "kind": "lab",
                "matched": [f"{lab.name} {result.as_given} ({result.when})"],
                "summary": f"{lab.name} {result.as_given} ({result.when}) is {where}"
                + (
                    ", by the reporting laboratory's range."
                    if result.range_from_report
                    else ", by crampcare's default range; the laboratory's own range takes "
                    "precedence."
                ),
                "certainty": Certainty.low.value,
                "verification": lab.range_verification.value,
                "sources": cite(kb, lab.sources),
            }
        )
    return out


def _trigger_factors(facts: Facts, kb: KnowledgeBase) -> list[FactorOut]:
    out: list[FactorOut] = []
    for trigger in kb.vocab.triggers:
        if trigger.id not in facts.triggers or not trigger.factor_summary:
            continue
        out.append(
            {
                "id": f"trigger_{trigger.id}",
                "kind": "lifestyle" if trigger.lifestyle else "trigger",
                "matched": [f"trigger: {trigger.name}"],
                "summary": trigger.factor_summary,
                "certainty": (trigger.certainty or Certainty.very_low).value,
                "verification": (trigger.verification or Verification.unverified).value,
                "sources": cite(kb, trigger.sources),
            }
        )
    return out


def contributing_factors(facts: Facts, kb: KnowledgeBase) -> list[FactorOut]:
    return [
        *_medication_factors(facts, kb),
        *_condition_factors(facts, kb),
        *_lab_factors(facts, kb),
        *_trigger_factors(facts, kb),
    ]


def referral(flags: list[RedFlagOut], factors: list[FactorOut], kb: KnowledgeBase) -> Referral:
    """The most urgent referral any red flag asks for; a medication worth a review is routine."""
    urgency = Urgency.none
    reasons: list[str] = []
    for flag in flags:
        reasons.append(f"{flag['name']} ({flag['urgency']}): {flag['action']}")
        if Urgency(flag["urgency"]).rank > urgency.rank:
            urgency = Urgency(flag["urgency"])
    meds = [kb.medications[f["id"]].name for f in factors if f["kind"] == "medication"]
    if meds:
        reasons.append(
            f"Medication review by the prescriber (routine): {', '.join(meds)} can cause cramps."
        )
        if urgency.rank < Urgency.routine.rank:
            urgency = Urgency.routine
    return {"urgency": urgency.value, "reasons": reasons}
