"""Small template filters for the workbench pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def words(value: Any) -> str:
    """An id as words: ``very_low`` -> ``Very low``."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def lookup(mapping: Mapping[str, Any] | None, key: Any) -> Any:
    """``mapping[key]``, or the key itself when the mapping has no such entry."""
    if not mapping:
        return key
    return mapping.get(str(key), key)


def _split(text: str) -> tuple[str, str]:
    head, dot, rest = str(text or "").partition(". ")
    return (head + ("." if dot else ""), rest.strip())


@register.filter
def first_sentence(value: Any) -> str:
    """The first sentence, without its full stop (a heading)."""
    return _split(value)[0].removesuffix(".")


@register.filter
def other_sentences(value: Any) -> str:
    return _split(value)[1]
