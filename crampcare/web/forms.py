"""HTML forms <-> the documents the record use cases take.

The pages post plain HTML forms. This module turns a form into the JSON-ready document of the
use case (a ``crampcare.intake/1`` intake, a plan decision), and the use case's error paths back
into the names of the fields to show each message next to. It holds no clinical rules: every
check of meaning is made by the use case (and so is the same for the API); only text that is not
a number where a number belongs is caught here, because a document cannot carry it.

Field names are the document's own paths (``complaint.worst_severity``,
``history.labs[1].unit``), so an error path names its field directly. The vocabularies offered
are read from the knowledge base at runtime.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from crampcare.clinic import input_limits
from crampcare.clinic.errors import ClinicError
from crampcare.web.intake_fields import FIELDS, MAX_LAB_ROWS, SCHEMA

# --- form state ----------------------------------------------------------------------------


@dataclass
class IntakeForm:
    """What the form shows: values by field name, lab rows, coded entries kept, errors."""

    values: dict[str, Any] = field(default_factory=dict)
    labs: list[dict[str, str]] = field(default_factory=list)
    coded: dict[str, list[str]] = field(default_factory=dict)  # JSON of each coded entry
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field name, message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_from_document(doc: Mapping[str, Any]) -> IntakeForm:
    """Prefill the form from a stored intake document (e.g. the patient's latest)."""
    form = IntakeForm()
    for name, spec in FIELDS.items():
        value = _get(doc, name)
        if spec.kind == "labs":
            continue
        if spec.kind == "checks":
            form.values[name] = [str(v) for v in value] if isinstance(value, list) else []
        elif spec.kind == "check":
            form.values[name] = value is True
        elif spec.kind == "lines":
            items = value if isinstance(value, list) else []
            form.values[name] = "\n".join(str(v) for v in items if isinstance(v, str))
            form.coded[name] = [json.dumps(v, sort_keys=True) for v in items if isinstance(v, dict)]
        else:
            form.values[name] = _text(value)
    for lab in _get(doc, "history.labs") or []:
        if isinstance(lab, Mapping):
            form.labs.append(
                {
                    "test": _text(lab.get("test") or ""),
                    "loinc": _text(lab.get("loinc") or ""),
                    "value": _text(lab.get("value")),
                    "unit": _text(lab.get("unit")),
                    "reference_low": _text(lab.get("reference_low")),
                    "reference_high": _text(lab.get("reference_high")),
                    "date": _text(lab.get("date") or ""),
                }
            )
    return form


def _get(doc: Mapping[str, Any], name: str) -> Any:
    value: Any = doc
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _put(doc: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


LAB_PARTS = ("test", "loinc", "value", "unit", "reference_low", "reference_high", "date")
LAB_KEY = re.compile(r"^history\.labs\[([0-9]{1,3})\]\.(" + "|".join(LAB_PARTS) + ")$")


def _number(raw: str, kind: str) -> float | int | None:
    value = input_limits.form_number(raw)
    return None if kind == "int" and not isinstance(value, int) else value


NUMBER_MESSAGE = {"int": "must be a whole number", "float": "must be a number"}


def intake_from_post(post: QueryDict) -> tuple[dict[str, Any], IntakeForm, list[int]]:
    """The intake document a posted form describes, the form state to show again, and for each
    lab in the document the form row it came from. Text that is not a number where a number
    belongs is left out of the document and reported in ``form.errors``."""
    form = IntakeForm()
    doc: dict[str, Any] = {"schema": SCHEMA}
    for section in ("patient", "complaint", "tcm", "history"):
        doc[section] = {}
    doc["findings"] = []
    for name, spec in FIELDS.items():
        if spec.kind == "labs":
            continue
        if spec.kind == "checks":
            chosen = [v for v in post.getlist(name) if v]
            form.values[name] = chosen
            _put(doc, name, chosen)
        elif spec.kind == "check":
            ticked = post.get(name) in {"on", "true", "1", "yes"}
            form.values[name] = ticked
            _put(doc, name, ticked)
        elif spec.kind == "lines":
            raw = post.get(name, "")
            form.values[name] = raw
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            kept = [c for c in post.getlist(f"{name}.coded") if c]
            form.coded[name] = kept
            coded: list[Any] = []
            for item in kept:
                try:
                    coded.append(input_limits.load_json(item, name))
                except ClinicError:
                    form.errors.append((name, "a coded entry could not be read: remove it"))
            _put(doc, name, coded + lines)
        else:
            raw = post.get(name, "")
            form.values[name] = raw
            if not raw.strip():
                continue
            if spec.kind in NUMBER_MESSAGE:
                number = _number(raw, spec.kind)
                if number is None:
                    form.errors.append((name, NUMBER_MESSAGE[spec.kind]))
                    continue
                _put(doc, name, number)
            else:
                _put(doc, name, raw.strip())
    rows: dict[int, dict[str, str]] = {}
    for key in post:
        match = LAB_KEY.match(key)
        if match and int(match.group(1)) < MAX_LAB_ROWS:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = post.get(key, "")
    labs: list[dict[str, Any]] = []
    lab_rows: list[int] = []
    for index in sorted(rows):
        row = {part: rows[index].get(part, "") for part in LAB_PARTS}
        form.labs.append(row)
        shown = len(form.labs) - 1
        if not any(v.strip() for v in row.values()):
            continue
        lab: dict[str, Any] = {}
        for part in ("test", "loinc", "unit", "date"):  # the date: ISO, checked by the use case
            if row[part].strip():
                lab[part] = row[part].strip()
        for part in ("value", "reference_low", "reference_high"):
            if not row[part].strip():
                continue
            number = _number(row[part], "float")
            if number is None:
                form.errors.append((f"history.labs[{shown}].{part}", "must be a number"))
            else:
                lab[part] = number
        labs.append(lab)
        lab_rows.append(shown)
    doc["history"]["labs"] = labs
    return doc, form, lab_rows


INDEX = re.compile(r"\[\d+\]")
LAB_PATH = re.compile(r"^history\.labs\[(\d+)\](.*)$")


def intake_field(path: str, lab_rows: list[int]) -> str:
    """The form field an error path of the intake names (``""``: the form as a whole)."""
    for prefix in ("intake.", "document."):
        path = path.removeprefix(prefix)
    if path in {"intake", "document", "(document)", "schema"}:
        return ""
    match = LAB_PATH.match(path)
    if match:
        index = int(match.group(1))
        row = lab_rows[index] if index < len(lab_rows) else index
        return f"history.labs[{row}]{match.group(2)}"
    plain = INDEX.sub("", path)
    if plain in FIELDS or plain in {"patient", "complaint", "tcm", "history"}:
        return plain
    return ""


# pydantic's wording, said plainly
PLAIN = (
    (
        re.compile(r"^String should have at least (\d+) characters?$"),
        r"give at least \1 characters",
    ),
    (re.compile(r"^String should have at most (\d+) characters?$"), r"use at most \1 characters"),
    (re.compile(r"^Input should be less than or equal to (\S+)$"), r"must be \1 or less"),
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), r"must be \1 or more"),
    (re.compile(r"^Input should be a valid date.*$"), "must be a date (year-month-day)"),
    (
        re.compile(r"^Input should be 'left', 'right', 'both' or 'midline'$"),
        "choose left, right, both or midline",
    ),
)


def plain(message: str) -> str:
    for pattern, replacement in PLAIN:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def attach(
    form_errors: list[tuple[str, str]], problems: Iterable[tuple[str, str]], to_field: Any
) -> list[tuple[str, str]]:
    """Add a use case's problems (path, message) to the form's, named by form field."""
    out = list(form_errors)
    unreadable = {name for name, _ in form_errors}  # their other messages follow from that
    for path, raw in problems:
        name, message = to_field(path), plain(raw)
        if name and name in unreadable:
            continue
        if name == "" and ("." in path or "[" in path):
            message = f"{path}: {message}"
        if (name, message) not in out:
            out.append((name, message))
    return out


def by_field(errors: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, message in errors:
        grouped.setdefault(name, []).append(message)
    return grouped
