"""Import issues in the shape of a FHIR OperationOutcome issue: severity, code (a FHIR
IssueType such as invalid, required, value, code-invalid, not-supported, informational),
diagnostics (in words) and expression (where in the file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEVERITIES = ("fatal", "error", "warning", "information")


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    diagnostics: str
    expression: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.diagnostics,
            "expression": list(self.expression),
        }


def issue(severity: str, code: str, where: str, message: str, path: str = "") -> Issue:
    """An issue at ``where`` (e.g. "Bundle.entry[3].resource"), or at one of its elements."""
    return Issue(severity, code, message, (f"{where}.{path}" if path else where,))
