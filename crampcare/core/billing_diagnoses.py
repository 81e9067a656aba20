"""The ICD-10-CM diagnoses of a bill, read from a ``crampcare.assessment/1`` document.

Primary: the presentations the assessment recognised (``conditions``), with their ICD-10-CM codes
from the knowledge base. Secondary: the contributing conditions (``contributing_factors`` of kind
condition). The assessment carries no code for a contributing condition, so its code is given as
not known rather than guessed; a code family such as "M54.5-" is not a complete code and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"


def _primary(condition: Mapping[str, Any]) -> list[dict[str, Any]]:
    name = condition.get("name", condition.get("id", "?"))
    codes = [c for c in condition.get("codes", []) if c.get("system") == ICD10CM]
    if not codes:
        return [
            {
                "role": "primary",
                "condition": name,
                "code": None,
                "display": None,
                "note": "ICD-10-CM code not known: the knowledge base gives none for this "
                "presentation",
            }
        ]
    out = []
    for code in codes:
        complete = not str(code["code"]).endswith("-")
        out.append(
            {
                "role": "primary",
                "condition": name,
                "code": code["code"],
                "display": code.get("display"),
                "note": ""
                if complete
                else "a code family, not a complete code: choose the complete code it names",
            }
        )
    return out


def _secondary(factor: Mapping[str, Any]) -> dict[str, Any]:
    matched = "; ".join(str(m) for m in factor.get("matched", []))
    return {
        "role": "secondary",
        "condition": factor.get("id", "?"),
        "code": None,
        "display": matched or None,
        "note": "ICD-10-CM code not known: the assessment does not carry codes for contributing "
        "conditions; code it from the patient's record",
    }


def diagnoses(assessment: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Primary, then secondary diagnoses; empty without an assessment."""
    if assessment is None:
        return []
    primary = [d for c in assessment.get("conditions", []) for d in _primary(c)]
    secondary = [
        _secondary(f)
        for f in assessment.get("contributing_factors", [])
        if f.get("kind") == "condition"
    ]
    return primary + secondary
