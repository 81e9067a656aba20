"""Recognising conditions: free text (negation before or after the phrase; past mentions of
current-only conditions), SNOMED CT (listed concepts and curated value sets), ICD-10-CM (codes,
families, category ranges) and ICD-11 (stems, ranges, postcoordinated clusters). An item may
match several conditions; what matched nothing is reported.

Free text is read clause by clause (split at , ; . and line breaks), so "pregnant, HIV negative"
stays pregnant while "pregnancy test - negative" and "pregnancy: negative" do not.
"""

from __future__ import annotations

import datetime as dt
import re

from crampcare.core.intake import CodedItem
from crampcare.core.recognition.common import Hit, Match, describe_code, recognise
from crampcare.kb.index import fold
from crampcare.kb.loader import KnowledgeBase

# a cue within this many words before the phrase negates it ("no known liver disease")
NEGATION_WINDOW = 3
NEGATIONS = frozenset(
    {
        "no",
        "not",
        "denies",
        "denied",
        "without",
        "negative",
        "neg",
        "non",
        "never",
        "excluded",
        "nil",
        "none",
        "absent",
        "free",
        "rule",
        "ruled",
        "r/o",
    }
)
# a cue within this many words after the phrase negates it ("pregnancy test negative")
NEGATION_AFTER_WINDOW = 3
NEGATIONS_AFTER = frozenset({"negative", "neg", "denied", "excluded", "absent", "ruled"})
# "no", "none", "nil" after the phrase negate only when they end the clause ("pregnancy: no")
NEGATIONS_CLOSING = frozenset({"no", "none", "nil"})
# words that end a cue's reach: "no diabetes but pregnant" is pregnant
BREAKS = frozenset({"but", "however", "although", "though", "and", "with", "except", "yet"})
# before the phrase: it is over ("previous pregnancy", "history of pregnancy")
PAST_BEFORE = frozenset(
    {
        "previous",
        "previously",
        "prior",
        "past",
        "former",
        "earlier",
        "history",
        "hx",
        "h/o",
        "had",
        "last",
        "longer",
        "ex",
        "after",
        "post",
    }
)
# after the phrase: it is over ("pregnancy ended", "pregnant 3 years ago")
PAST_AFTER = frozenset(
    {
        "ago",
        "ended",
        "over",
        "resolved",
        "terminated",
        "lost",
        "loss",
        "delivered",
        "previously",
        "before",
        "until",
    }
)
PAST_AFTER_WINDOW = 4
_CLAUSES = re.compile(r"[,;.\n]+(?!\d)")
_TOKEN = re.compile(r"[a-z][a-z'\-/]*|\d+")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# a pregnancy lasts at most 44 weeks (the intake's own bound on pregnancy_weeks): a full date
# older than that is in the past of any current pregnancy
LONGEST_PREGNANCY_DAYS = 44 * 7


def clauses(text: str) -> list[str]:
    """Folded clauses of a free-text entry ("pregnant, hiv negative" -> two clauses)."""
    return [c.strip() for c in _CLAUSES.split(fold(text)) if c.strip()]


def _reach(words: list[str]) -> list[str]:
    """The words up to the first break word."""
    out: list[str] = []
    for w in words:
        if w in BREAKS:
            break
        out.append(w)
    return out


def _before(words: list[str], start: int, size: int) -> list[str]:
    """Up to ``size`` words before ``start``, nearest first, numbers skipped, up to a break."""
    return _reach([w for w in reversed(words[:start]) if not w.isdigit()][:size])


def _after(words: list[str], end: int, size: int) -> list[str]:
    """Up to ``size`` words after ``end``, numbers skipped ("pregnancy 28/40 test negative")."""
    return _reach([w for w in words[end:] if not w.isdigit()][:size])


def negated(words: list[str], start: int, end: int) -> bool:
    if any(w in NEGATIONS for w in _before(words, start, NEGATION_WINDOW)):
        return True
    after = _after(words, end, NEGATION_AFTER_WINDOW)
    if any(w in NEGATIONS_AFTER for w in after):
        return True
    rest = [w for w in words[end:] if not w.isdigit()]
    return 0 < len(rest) <= 2 and rest[-1] in NEGATIONS_CLOSING and rest == after[: len(rest)]


def dated_past(clause: str, today: dt.date | None) -> bool:
    """A date, or the end of a year, more than a pregnancy's length before today: "pregnant in
    2019" is over, while "pregnant since 2025-12" read in January 2026 may not be."""
    if today is None:
        return False
    longest = dt.timedelta(days=LONGEST_PREGNANCY_DAYS)
    for y, m, d in _ISO_DATE.findall(clause):
        try:
            if dt.date(int(y), int(m), int(d)) + longest < today:
                return True
        except ValueError:
            continue
    years = _YEAR.findall(_ISO_DATE.sub(" ", clause))
    return any(dt.date(int(y), 12, 31) + longest < today for y in years)


def in_the_past(words: list[str], start: int, end: int, clause: str, today: dt.date | None) -> bool:
    if any(w in PAST_BEFORE for w in _before(words, start, NEGATION_WINDOW)):
        return True
    if any(w in PAST_AFTER for w in _after(words, end, PAST_AFTER_WINDOW)):
        return True
    return dated_past(clause, today)


def _find(words: list[str], phrase: list[str]) -> list[int]:
    size = len(phrase)
    return [i for i in range(len(words) - size + 1) if words[i : i + size] == phrase]


def condition_from_text(kb: KnowledgeBase, text: str, today: dt.date | None = None) -> list[Hit]:
    hits: list[Hit] = []
    seen: set[str] = set()
    for clause in clauses(text):
        words = _TOKEN.findall(clause)
        for phrase, cond_id in kb.index.condition_phrases:
            if cond_id in seen:
                continue
            cond = kb.conditions[cond_id]
            target = _TOKEN.findall(phrase)
            for start in _find(words, target):
                end = start + len(target)
                if negated(words, start, end):
                    continue
                if cond.current_only and in_the_past(words, start, end, clause, today):
                    continue
                hits.append((cond_id, f"{text!r} (phrase {phrase!r})"))
                seen.add(cond_id)
                break
    return hits


def condition_from_code(kb: KnowledgeBase, item: CodedItem) -> list[Hit]:
    label = describe_code(item)
    return [
        (hit.condition, label if hit.how == "code" else f"{label}, {hit.how}")
        for hit in kb.index.conditions.lookup(item.system, item.code)
    ]


def recognise_conditions(
    kb: KnowledgeBase, items: tuple[str | CodedItem, ...], today: dt.date | None = None
) -> tuple[list[Match], list[str]]:
    """Recognised conditions (an item may match several) and the entries that matched nothing.
    ``today`` dates free text: without it, a year or date is not read as past."""
    return recognise(
        items,
        lambda item: condition_from_code(kb, item),
        lambda text: condition_from_text(kb, text, today),
    )
