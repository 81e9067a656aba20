"""Evaluating the knowledge base's rules against the facts of an intake.

``because(rule, facts, kb)`` returns None when the rule does not hold, and otherwise the intake
facts that made it hold, in words, so that every conclusion can say why.
"""

from __future__ import annotations

from collections.abc import Mapping

from crampcare.core.facts import Facts
from crampcare.core.labs import LabValue
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import FieldBound, LabBound, Rule

Reasons = list[str] | None


def _names(kb: KnowledgeBase, vocab: str) -> Mapping[str, str]:
    return kb.vocab_names[vocab]


# rule key -> (Facts attribute holding the ids present, label in the reason, vocabulary)
MEMBERSHIP = {
    "finding": ("findings", "finding", "findings"),
    "trigger": ("triggers", "trigger", "triggers"),
    "tcm_sign": ("tcm_signs", "sign", "tcm_signs"),
    "device": ("devices", "device", "devices"),
    "region": ("regions", "region", "regions"),
}


def _window(test: str, facts: Facts) -> tuple[LabValue, ...]:
    """The results of a test within its staleness window, most recent first: a rule holds when
    any of them meets it, so that a dangerous result is never hidden by a later one."""
    results = facts.lab_results.get(test)
    return results.window if results is not None else ()


def _lab(bound: LabBound, facts: Facts, below: bool) -> Reasons:
    found: list[str] = []
    for result in _window(bound.test, facts):
        if bound.relative_to_upper_limit:
            if result.high is None:
                continue
            limit = bound.value * result.high
            text = f"{bound.value:g} x upper limit ({limit:g} {result.unit})"
        else:
            limit = bound.value * result.lab.conversions[bound.unit]
            text = f"{bound.value:g} {bound.unit}"
        if result.value < limit if below else result.value > limit:
            found.append(f"{result.described} is {'below' if below else 'above'} {text}")
    return found or None


def _outside_range(test: str, facts: Facts, below: bool = True, above: bool = True) -> Reasons:
    """Outside the reporting laboratory's own range when given, else the kb's default range."""
    found: list[str] = []
    for result in _window(test, facts):
        whose = "the laboratory's" if result.range_from_report else "the default"
        low, high = result.low, result.high
        if below and low is not None and result.value < low:
            found.append(f"{result.described} is below {whose} range (low {low:g} {result.unit})")
        elif above and high is not None and result.value > high:
            found.append(f"{result.described} is above {whose} range (high {high:g} {result.unit})")
    return found or None


def _at_least(bound: FieldBound, facts: Facts) -> Reasons:
    value = getattr(facts.intake.document.complaint, bound.field)
    if value is None or value < bound.value:
        return None
    return [f"{bound.field.replace('_', ' ')} {value:g} (at least {bound.value:g})"]


def _trimester(wanted: int, facts: Facts) -> Reasons:
    preg = facts.pregnancy
    if not preg.pregnant:
        return None
    if preg.trimester is None:
        return [f"{preg.reason}; weeks not recorded, so every trimester's cautions apply"]
    if preg.trimester != wanted:
        return None
    return [f"{preg.reason}: trimester {wanted}"]


def because(rule: Rule, facts: Facts, kb: KnowledgeBase) -> Reasons:  # noqa: C901 - one switch
    if rule.all is not None:
        reasons: list[str] = []
        for sub in rule.all:
            got = because(sub, facts, kb)
            if got is None:
                return None
            reasons.extend(r for r in got if r not in reasons)
        return reasons
    if rule.any is not None:
        found: list[str] = []
        for sub in rule.any:
            got = because(sub, facts, kb)
            if got is not None:
                found.extend(r for r in got if r not in found)
        return found if found else None
    if rule.not_ is not None:
        return None if because(rule.not_, facts, kb) is not None else []
    for key, (facts_attr, label, vocab) in MEMBERSHIP.items():
        wanted = getattr(rule, key)
        if wanted is not None:
            if wanted not in getattr(facts, facts_attr):
                return None
            return [f"{label}: {_names(kb, vocab).get(wanted, wanted)}"]
    if rule.device_electronic is not None:
        names = _names(kb, "devices")
        present = sorted(names[d] for d in facts.electronic_devices)
        if bool(present) != rule.device_electronic:
            return None
        return [f"implanted electronic device: {', '.join(present)}"] if present else []
    if rule.complaint_kind is not None:
        kind = facts.intake.document.complaint.kind
        return [f"complaint: {kind}"] if kind == rule.complaint_kind else None
    if rule.nocturnal is not None:
        nocturnal = facts.intake.document.complaint.nocturnal
        if nocturnal != rule.nocturnal:
            return None
        return ["cramps at night"] if nocturnal else ["not at night"]
    if rule.pregnant is not None:
        if facts.pregnant != rule.pregnant:
            return None
        return [facts.pregnancy_reason or "pregnant"] if facts.pregnant else ["not pregnant"]
    for flag in ("bleeding_disorder", "first_acupuncture", "needle_phobia"):
        wanted = getattr(rule, flag)
        if wanted is not None:
            value = getattr(facts.intake.document.history, flag)
            if value != wanted:
                return None
            return [flag.replace("_", " ")] if value else [f"no {flag.replace('_', ' ')}"]
    if rule.medication_effect is not None:
        matches = facts.medication_effects.get(rule.medication_effect, ())
        return [f"medication: {m.matched}" for m in matches] or None
    if rule.medication is not None:
        matches = facts.medication_ids.get(rule.medication, ())
        return [f"medication: {m.matched}" for m in matches] or None
    if rule.condition is not None:
        matches = facts.condition_ids.get(rule.condition, ())
        return [f"condition: {m.matched}" for m in matches] or None
    if rule.lab_below is not None:
        return _lab(rule.lab_below, facts, below=True)
    if rule.lab_above is not None:
        return _lab(rule.lab_above, facts, below=False)
    if rule.lab_outside_range is not None:
        return _outside_range(rule.lab_outside_range, facts)
    if rule.lab_below_range is not None:
        return _outside_range(rule.lab_below_range, facts, above=False)
    if rule.lab_above_range is not None:
        return _outside_range(rule.lab_above_range, facts, below=False)
    if rule.at_least is not None:
        return _at_least(rule.at_least, facts)
    if rule.age_at_least is not None:
        return [f"age {facts.age}"] if facts.age >= rule.age_at_least else None
    if rule.age_below is not None:
        return [f"age {facts.age}"] if facts.age < rule.age_below else None
    if rule.pregnancy_trimester is not None:
        return _trimester(rule.pregnancy_trimester, facts)
    raise ValueError(f"rule with no known key: {rule!r}")  # the schema makes this unreachable
