"""TCM pattern differentiation: which traditional patterns the intake's signs point to."""

from __future__ import annotations

from crampcare.core.citations import cite
from crampcare.core.contract import PatternOut
from crampcare.core.facts import Facts
from crampcare.kb.loader import KnowledgeBase

ICD11 = "http://id.who.int/icd/release/11/mms"
_VOCAB = {
    "trigger": "triggers",
    "tcm_sign": "tcm_signs",
    "tongue": "tongue",
    "pulse": "pulse",
    "finding": "findings",
}
_LABEL = {
    "trigger": "trigger",
    "tcm_sign": "sign",
    "tongue": "tongue",
    "pulse": "pulse",
    "finding": "finding",
}


def _present(facts: Facts, kind: str) -> frozenset[str]:
    return {
        "trigger": facts.triggers,
        "tcm_sign": facts.tcm_signs,
        "tongue": facts.tongue,
        "pulse": facts.pulse,
        "finding": facts.findings,
    }[kind]


def differentiate(facts: Facts, kb: KnowledgeBase) -> list[PatternOut]:
    """Patterns whose weighted evidence reaches their threshold, strongest first."""
    found: list[PatternOut] = []
    for pattern in kb.patterns.values():
        score = 0
        reasons: list[str] = []
        for ev in pattern.evidence:
            if ev.id in _present(facts, ev.kind):
                score += ev.weight
                name = kb.vocab_names[_VOCAB[ev.kind]][ev.id]
                reasons.append(f"{_LABEL[ev.kind]}: {name}")
        if score < pattern.threshold:
            continue
        icd11 = next((c.code for c in pattern.codes if c.system == ICD11), None)
        found.append(
            {
                "id": pattern.id,
                "name": pattern.name,
                "icd11": icd11,
                "score": score,
                "because": reasons,
                "verification": pattern.verification.value,
                "sources": cite(kb, pattern.sources),
            }
        )
    found.sort(key=lambda p: (-p["score"], p["id"]))
    return found
