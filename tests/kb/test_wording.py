"""What the knowledge base says to a practitioner reads as prose: no entry's text names another
entry by its internal id ("see loop_diuretics") or carries a maintainer's remark about codes
("its RxNorm code was not checked and is left out"); those belong in YAML comments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from crampcare.kb.loader import KnowledgeBase

KINDS = ("medications", "conditions", "red_flags", "cautions", "points", "patterns", "advice")
# fields that hold ids or rules, not prose
NOT_PROSE = frozenset({"id", "sources", "member_of", "source", "effects", "when", "requires"})
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
MAINTENANCE = re.compile(r"not checked and (?:is|are) left out|code was checked", re.IGNORECASE)


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in NOT_PROSE:
                yield from _texts(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}[{i}]")


def _all_texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    return [
        text
        for kind in KINDS
        for key, entry in getattr(kb, kind).items()
        for text in _texts(entry, f"{kind}.{key}")
    ]


def test_no_text_names_an_entry_by_its_internal_id(kb: KnowledgeBase) -> None:
    ids = {key for kind in (*KINDS, "sources") for key in getattr(kb, kind)}
    found = [(where, word) for where, text in _all_texts(kb) for word in SNAKE.findall(text)]
    assert [(where, word) for where, word in found if word in ids] == []


def test_no_text_carries_a_maintainers_remark(kb: KnowledgeBase) -> None:
    assert [where for where, text in _all_texts(kb) if MAINTENANCE.search(text)] == []


@pytest.mark.parametrize(
    "text", ["see loop_diuretics", "Its RxNorm code was not checked and is left out."]
)
def test_the_checks_catch_what_they_look_for(text: str) -> None:
    assert SNAKE.search(text) or MAINTENANCE.search(text)
