"""The patient handout, in plain language.

From the current assessment's advice (``advice_details``), sorted by the knowledge base's marks:
what to expect in a session and aftercare (``after_needling``), self-care (``self_care``), each
with its certainty in plain words; the warning signs to act on and the assessment's red flags,
each with what to do and how soon; the sessions so far; and the cramp diary: the private link
when it has just been made (its URL exists only then), else where to find it.

Decision on the diary link (docs/documents.md): the link is stored only as a hash, so a handout
printed later says "use the link your clinic sent you" with its expiry date; the link itself is
printed only when it is passed in at creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from crampcare.kb.loader import KnowledgeBase
from crampcare.reports.documents import Record
from crampcare.reports.documents.wording import URGENCY_PLAIN, day, full_name

TEMPLATE = "handout.html"
# advice lines of the knowledge base that name warning signs and what to do about them
WARNINGS: Final = frozenset(
    {"calf_warning_signs", "delayed_warning", "statin_muscle_symptoms", "bleeding_aftercare"}
)
# the red flag of the knowledge base every patient is told about, whatever their assessment found
ALWAYS_TOLD: Final = "chest_pain_or_breathlessness"
PLAIN_CERTAINTY: Final = {
    "high": "We are confident about this: good research supports it.",
    "moderate": "Research supports this fairly well.",
    "low": "Research on this is limited, so we are not sure.",
    "very_low": "There is very little research on this, so we do not know how well it works.",
    "traditional": "This comes from traditional practice; it has not been tested in research.",
    "expert_opinion": "This is the advice of experienced practitioners, not tested research.",
}


def _advice(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "text": item["text"],
        "certainty": PLAIN_CERTAINTY.get(item["certainty"], ""),
    }


def context(record: Record, kb: KnowledgeBase) -> dict[str, Any]:
    a = record.assessment or {}
    groups: dict[str, list[dict[str, Any]]] = {
        "expect": [],
        "aftercare": [],
        "self_care": [],
        "warnings": [],
        "other": [],
    }
    for item in a.get("advice_details", []):
        entry = kb.advice.get(item["id"])
        if item["id"] in WARNINGS:
            group = "warnings"
        elif item["id"].startswith("what_to_expect"):
            group = "expect"
        elif entry is not None and entry.after_needling:
            group = "aftercare"
        elif entry is not None and entry.self_care:
            group = "self_care"
        else:
            group = "other"
        groups[group].append(_advice(item))
    flags = [
        {"name": f["name"], "what_to_do": URGENCY_PLAIN.get(f["urgency"], "")}
        for f in a.get("red_flags", [])
    ]
    always = kb.red_flags[ALWAYS_TOLD]
    link = record.diary_link
    name = full_name(record.patient)
    return {
        "title": f"Your acupuncture treatment: information for {name}",
        "clinic": record.clinic,
        "today": day(record.today),
        "practitioner": record.practitioner,
        "patient": {"name": name, "given_name": record.patient["given_name"]},
        "needling": a.get("needling") or {"allowed": False, "reason": ""},
        "has_assessment": bool(a),
        **groups,
        "red_flags": flags,
        "always": {"name": always.name, "what_to_do": URGENCY_PLAIN[always.urgency.value]},
        "sessions": [day(s["date"]) for s in record.sessions],
        "diary": None
        if link is None
        else {"url": link.get("url") or "", "expires": day(link.get("expires_at"))},
    }
