"""The intake form as the template shows it: sections, fields with their values, options and
errors, and the laboratory rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crampcare.clinic import input_limits
from crampcare.clinic.errors import ClinicError
from crampcare.kb.loader import KnowledgeBase
from crampcare.web.forms import LAB_PARTS, LAB_PATH, IntakeForm, by_field
from crampcare.web.intake_fields import (
    BLANK_LAB_ROWS,
    FIELDS,
    MAX_LAB_ROWS,
    field_id,
    intake_sections,
)


def options(kb: KnowledgeBase, vocab: str) -> list[tuple[str, str]]:
    return [(term.id, term.name) for term in getattr(kb.vocab, vocab)]


def render_intake(form: IntakeForm, kb: KnowledgeBase, extra_lab_rows: int = 0) -> dict[str, Any]:
    """The template context of the intake form: sections of fields with values and errors."""
    errors = by_field(form.errors)
    sections = []
    for section in intake_sections():
        fields = []
        for spec in section.fields:
            value = form.values.get(spec.name, [] if spec.kind == "checks" else "")
            item: dict[str, Any] = {
                "name": spec.name,
                "id": field_id(spec.name),
                "label": spec.label,
                "kind": spec.kind,
                "help": spec.help,
                "required": spec.required,
                "attrs": spec.attrs,
                "value": value,
                "errors": errors.get(spec.name, []),
            }
            if spec.vocab:
                chosen = set(value) if isinstance(value, list) else {value}
                item["options"] = [
                    {
                        "id": oid,
                        "name": name,
                        "checked": oid in chosen,
                        "html_id": field_id(f"{spec.name}-{oid}"),
                    }
                    for oid, name in options(kb, spec.vocab)
                ]
            if spec.kind == "lines":
                item["coded"] = [_coded_item(raw) for raw in form.coded.get(spec.name, [])]
            if spec.kind == "labs":
                item["rows"] = lab_rows(form, errors, extra_lab_rows)
                item["tests"] = [
                    {"id": lab.id, "name": lab.name, "unit": lab.unit} for lab in kb.vocab.labs
                ]
                item["units"] = sorted({u for lab in kb.vocab.labs for u in lab.conversions})
            fields.append(item)
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "intro": section.intro,
                "fields": fields,
                "errors": errors.get(section.key, []),
            }
        )
    summary = [
        {
            "field": name,
            "href": "#" + field_id(name) if name else "",
            "message": message,
            "label": _label(name),
        }
        for name, message in form.errors
    ]
    return {"sections": sections, "summary": summary}


def _label(name: str) -> str:
    if not name:
        return ""
    match = LAB_PATH.match(name)
    if match:
        return f"Laboratory result {int(match.group(1)) + 1}" + (
            f", {match.group(2).lstrip('.').replace('_', ' ')}" if match.group(2) else ""
        )
    spec = FIELDS.get(name)
    return spec.label if spec else name.replace("_", " ").capitalize()


def _coded_item(raw: str) -> dict[str, str]:
    try:
        item = input_limits.load_json(raw, "coded entry")
    except ClinicError:
        item = {}
    if not isinstance(item, dict):
        item = {}
    text = item.get("display") or item.get("code") or "coded entry"
    return {"raw": raw, "text": f"{text} ({item.get('system', '?')} {item.get('code', '?')})"}


def lab_rows(form: IntakeForm, errors: Mapping[str, list[str]], extra: int) -> list[dict[str, Any]]:
    rows = list(form.labs)
    blank = {part: "" for part in LAB_PARTS}
    wanted = max(len(rows) + extra, BLANK_LAB_ROWS if not rows else len(rows) + extra)
    while len(rows) < min(wanted, MAX_LAB_ROWS):
        rows.append(dict(blank))
    out = []
    for i, row in enumerate(rows):
        name = f"history.labs[{i}]"
        out.append(
            {
                "index": i,
                "number": i + 1,
                "name": name,
                "id": field_id(name),
                "errors": errors.get(name, []),
                "parts": {
                    part: {
                        "name": f"{name}.{part}",
                        "id": field_id(f"{name}.{part}"),
                        "value": row.get(part, ""),
                        "errors": errors.get(f"{name}.{part}", []),
                    }
                    for part in LAB_PARTS
                },
            }
        )
    return out
