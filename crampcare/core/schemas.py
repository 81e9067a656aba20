"""JSON Schemas of the contracts, generated from the code that defines them.

The intake schema is the pydantic model's, with the knowledge base's vocabularies filled in as
enumerations; the assessment schema is generated from the typed dictionaries in ``contract``;
the session schema is the ``Session`` model's, with the kb's regions as an enumeration.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from crampcare.core.contract import Assessment
from crampcare.core.intake import VOCAB_FIELDS, IntakeDocument
from crampcare.core.session import Session
from crampcare.kb.loader import KnowledgeBase

DEFS_OF = {"complaint": "Complaint", "tcm": "Tcm", "history": "History"}


def _enum_items(prop: dict[str, Any], values: list[str]) -> None:
    if prop.get("type") == "array":
        prop["items"] = {"type": "string", "enum": values}
    else:
        prop.pop("type", None)
        prop["enum"] = values


def intake_schema(kb: KnowledgeBase) -> dict[str, Any]:
    schema = IntakeDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://crampcare.invalid/schemas/intake-1.json"
    schema["title"] = "crampcare.intake/1"
    for keys, vocab in VOCAB_FIELDS:
        values = sorted(kb.vocab_ids[vocab])
        if len(keys) == 1:
            _enum_items(schema["properties"][keys[0]], values)
        else:
            section, field = keys
            _enum_items(schema["$defs"][DEFS_OF[section]]["properties"][field], values)
    lab = schema["$defs"]["LabResult"]["properties"]
    lab["test"] = {
        "anyOf": [{"type": "string", "enum": sorted(kb.vocab_ids["labs"])}, {"type": "null"}],
        "default": None,
        "title": "Test",
    }
    return schema


def assessment_schema() -> dict[str, Any]:
    schema = TypeAdapter(Assessment).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://crampcare.invalid/schemas/assessment-1.json"
    schema["title"] = "crampcare.assessment/1"
    return schema


def session_schema(kb: KnowledgeBase) -> dict[str, Any]:
    schema = Session.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://crampcare.invalid/schemas/session-1.json"
    schema["title"] = "crampcare.session/1"
    point = schema["$defs"]["SessionPoint"]["properties"]
    point["region"] = {
        "anyOf": [{"type": "string", "enum": sorted(kb.vocab_ids["regions"])}, {"type": "null"}],
        "default": None,
        "title": "Region",
        "description": "ASHI points only, and required there",
    }
    point["code"]["description"] = (
        "WHO standard code (LI4, GB34), a catalogued extra point (EXHN3) or ASHI; any case, "
        "hyphens allowed"
    )
    return schema
