"""Reading FHIR R4 datatypes leniently: references, dates, codings. Anything malformed reads as
None or empty, so that one bad element never stops an import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any


def reference_key(reference: Any) -> str | None:
    """The id a reference points at: "urn:uuid:X", "Patient/X" and ".../Patient/X" give X."""
    if not isinstance(reference, str) or not reference:
        return None
    return reference.removeprefix("urn:uuid:").rstrip("/").rsplit("/", 1)[-1] or None


def subject_key(resource: Mapping[str, Any]) -> str | None:
    """The id of the patient a resource is about (``subject`` or ``patient``)."""
    for name in ("subject", "patient"):
        ref = resource.get(name)
        if isinstance(ref, Mapping):
            return reference_key(ref.get("reference"))
    return None


def fhir_date(value: Any) -> dt.date | None:
    """The day of a FHIR date or dateTime ("2019-03-04T10:00:00+01:00" -> 2019-03-04); None for
    partial dates ("2019", "2019-03") and anything unreadable."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def codings(concept: Any) -> list[Mapping[str, Any]]:
    """The codings of a CodeableConcept that carry a code."""
    if not isinstance(concept, Mapping) or not isinstance(concept.get("coding"), list):
        return []
    return [c for c in concept["coding"] if isinstance(c, Mapping) and c.get("code")]


def first_code(concept: Any) -> str | None:
    """The first code of a CodeableConcept (a status such as clinicalStatus), or None."""
    found = codings(concept)
    return str(found[0]["code"]) if found else None


def describe(concept: Any) -> str:
    """ "system|code, ..." of a CodeableConcept, for messages."""
    shown = [f"{c.get('system', '?')}|{c['code']}" for c in codings(concept)]
    return ", ".join(shown) or "no coding"
