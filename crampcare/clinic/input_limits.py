"""The bounds every number and document from outside must keep, checked in one place.

Input reaches crampcare as JSON bodies (the API), form fields and query strings (the pages) and
JSON or YAML files (the CLI). Whatever the shell, the same four kinds of input are refused here
with a message naming the field, before anything is stored (docs/design.md, "Bounds on input"):

- whole numbers without bounds: a query or form number is ASCII digits, at most
  ``MAX_DIGITS`` of them, within the bounds of its field; a whole number inside a document is
  within +-``MAX_SAFE_INTEGER`` (the largest integer every JSON reader holds exactly);
- numbers that are not finite: ``Infinity``, ``NaN`` and literals such as ``1e309``;
- digits that are not ASCII: ``int()`` reads Arabic-Indic digits (``'٣'`` is 3) and
  ``str.isdigit()`` accepts ``'²'``, which ``int()`` then refuses; neither is used on input;
- nesting: a document deeper than ``MAX_DEPTH`` lists or objects. Parsing is guarded against
  ``RecursionError``, and the walk here is iterative, so no recursive code downstream (schema
  validation, rendering) ever sees deep nesting.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from crampcare.clinic.errors import Invalid, Unreadable

MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1
MAX_DIGITS = 15  # digits of a number typed into a form or a query string
MAX_OFFSET = 10**9  # list offsets: far beyond any clinic, far within 64-bit databases

_DIGITS = f"[0-9]{{1,{MAX_DIGITS}}}"
WHOLE = re.compile(f"[+-]?{_DIGITS}")
DECIMAL = re.compile(f"[+-]?(?:{_DIGITS}(?:\\.[0-9]{{0,{MAX_DIGITS}}})?|\\.{_DIGITS})")


def whole_number(raw: str, field: str, *, low: int, high: int) -> int:
    """A query or form value as a whole number from ``low`` to ``high`` (ASCII digits only);
    raises ``Invalid`` naming ``field`` otherwise."""
    text = raw.strip()
    if not WHOLE.fullmatch(text):
        raise Invalid([(field, f"must be a whole number from {low} to {high}")])
    value = int(text)
    if not low <= value <= high:
        raise Invalid([(field, f"must be a whole number from {low} to {high}")])
    return value


def form_number(raw: str) -> int | float | None:
    """A form field's text as a number: ``"25"`` -> 25, ``"1.5"`` -> 1.5; None when it is not a
    plain decimal number of ASCII digits (at most ``MAX_DIGITS`` before and after the point)."""
    text = raw.strip()
    if WHOLE.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return None


def text_problem(value: str) -> str | None:
    """Why a string may not be stored (NUL, lone surrogates), or None."""
    if "\x00" in value:
        return "must not contain the NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def _number_problem(value: Any) -> str | None:
    if value is _OVERSIZED or (
        isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER
    ):
        return f"must be a number from -{MAX_SAFE_INTEGER} to {MAX_SAFE_INTEGER}"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    return None


def document_problems(data: Any, path: str = "") -> list[tuple[str, str]]:
    """Every problem inside a parsed JSON or YAML document, by dotted path: nesting deeper than
    ``MAX_DEPTH``, numbers out of bounds or not finite, strings with NUL or lone surrogates.
    Iterative, so a document of any depth is walked without recursion."""
    problems: list[tuple[str, str]] = []
    stack: list[tuple[Any, str, int]] = [(data, path, 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                problems.append((where or "(document)", f"nests deeper than {MAX_DEPTH} levels"))
                continue
            problem = None
            items = value.items() if isinstance(value, dict) else enumerate(value)
            children = []
            for key, child in items:
                if isinstance(value, list):
                    sub = f"{where}[{key}]"
                else:
                    sub = f"{where}.{key}" if where else str(key)
                    if isinstance(key, str) and (bad := text_problem(key)):
                        problems.append((sub, bad))
                children.append((child, sub, depth + 1))
            stack.extend(reversed(children))
        else:
            problem = _number_problem(value)
        if problem:
            problems.append((where or "(document)", problem))
    return problems


class _Oversized:
    """A JSON number literal with too many digits to read (Python refuses over 4,300)."""


_OVERSIZED = _Oversized()


def _read_int(text: str) -> Any:
    return int(text) if len(text) <= 20 else _OVERSIZED


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str | bytes, field: str = "(body)") -> Any:
    """Parse JSON and check it with ``document_problems``: ``Unreadable`` (400) when it is not
    JSON or nests too deeply to read, ``Invalid`` (422) naming each out-of-bounds value."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_int=_read_int)
    except RecursionError:
        raise Unreadable(f"nests deeper than {MAX_DEPTH} levels", field) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unreadable(f"not valid JSON ({exc})", field) from None
    prefix = "" if field.startswith("(") else field
    problems = document_problems(data, prefix)
    if problems:
        raise Invalid(problems)
    return data
