"""Reading a misspelt drug name as the one known drug it was meant to be, and never as another.

A word is read as a known name only when every known drug name within the allowed edit distance
belongs to one and the same medication, none of them is a look-alike drug outside the knowledge
base, and the word does not share a drug-class stem with a name whose prefix differs
(pitavastatin is never a misspelling of pravastatin). Anything else stays unrecognised and is
shown to the practitioner as written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crampcare.kb.index import deletions

MIN_LENGTH = 5  # shorter words are never guessed at (crampcare decision)
LONG_WORD = 9  # from this length two edits are allowed, below it one (crampcare decision)

# Endings shared by drugs of one class (USAN/INN stems). Two names with the same stem and
# different prefixes are different drugs of that class, however few letters differ.
CLASS_STEMS = (
    "statin",
    "sartan",
    "pril",
    "olol",
    "alol",
    "parin",
    "xaban",
    "gatran",
    "grel",
    "terol",
    "thiazide",
    "semide",
    "dipine",
    "prazole",
    "oxetine",
    "azepam",
    "azolam",
    "tidine",
    "floxacin",
    "mycin",
    "cillin",
    "coxib",
    "profen",
    "gliptin",
    "glitazone",
    "dronate",
    "triptan",
    "setron",
    "lukast",
    "afil",
    "citalopram",
)


def allowed_edits(word: str) -> int:
    """How many edits a misspelling of this length may carry (0: never guessed at)."""
    if len(word) < MIN_LENGTH:
        return 0
    return 2 if len(word) >= LONG_WORD else 1


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours);
    any value above ``limit`` is reported as ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return min(prev[-1], limit + 1)


def _stem_prefix(word: str) -> dict[str, str]:
    """The class stems a word carries, each with the letters before it."""
    found: dict[str, str] = {}
    for stem in CLASS_STEMS:
        at = word.rfind(stem)
        if at >= 2:
            found[stem] = word[:at]
    return found


def stems_clash(word: str, name: str) -> bool:
    """True when both carry one class stem after different prefixes."""
    mine, theirs = _stem_prefix(word), _stem_prefix(name)
    return any(stem in theirs and theirs[stem] != prefix for stem, prefix in mine.items())


def _candidates(
    word: str,
    limit: int,
    names: Sequence[tuple[str, str | None]],
    variants: Mapping[str, tuple[int, ...]] | None,
) -> Sequence[tuple[str, str | None]]:
    """The names that may lie within ``limit`` edits: those sharing a deletion variant with the
    word (each edit is at most one deletion on either side), else every name."""
    if variants is None:
        return names
    positions = {p for v in deletions(word, limit) for p in variants.get(v, ())}
    return [names[p] for p in sorted(positions)]


def read_misspelling(
    word: str,
    names: Sequence[tuple[str, str | None]],
    variants: Mapping[str, tuple[int, ...]] | None = None,
) -> tuple[str, str] | None:
    """(the known name, its medication id) that a misspelt word stands for, or None.

    ``names`` holds every one-word drug name known: kb names with their medication id, and
    look-alike drugs outside the kb with None; ``variants`` (from the kb index) narrows them to
    the few that can be close, so that a word costs a few look-ups instead of a scan."""
    limit = allowed_edits(word)
    if not limit:
        return None
    near = [
        (n, med)
        for n, med in _candidates(word, limit, names, variants)
        if edit_distance(word, n, limit) <= limit
    ]
    if not near or any(med is None for _, med in near):
        return None  # nothing close, or close to a drug the kb does not know
    if len({med for _, med in near}) != 1 or any(stems_clash(word, n) for n, _ in near):
        return None  # close to two drugs, or a class sibling with another prefix
    usable = [(n, med) for n, med in near if len(n) >= MIN_LENGTH]
    if not usable:
        return None
    name, med = min(usable, key=lambda row: (edit_distance(word, row[0], limit), row[0]))
    assert med is not None
    return name, med
