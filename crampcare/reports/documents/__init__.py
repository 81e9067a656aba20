"""The documents a clinic sends out, as PDFs: the letter to the patient's physician, the patient
handout and the superbill.

Each module (``letter``, ``handout``, ``superbill``) turns the plain data of ``Record`` into the
context of its template (pure: no database, no clock); ``render`` lays the HTML out as a PDF.
``crampcare.clinic.documents`` gathers the record, checks who may have it and audits the download.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

KINDS: Final = ("physician-letter", "handout", "superbill")


@dataclass(frozen=True)
class Record:
    """What the documents are made from, as the clinic's use cases give it."""

    clinic: str
    practitioner: dict[str, Any]  # {"name", "licence_number"}: who issues the document
    patient: dict[str, Any]  # clinic.patients.to_dict
    today: dt.date
    assessment: dict[str, Any] | None = None  # the current assessment's result
    sessions: list[dict[str, Any]] = field(default_factory=list)  # closed/signed, oldest first
    outcomes: dict[str, Any] | None = None  # crampcare.core.outcomes.outcomes
    diary_link: dict[str, Any] | None = None  # {"expires_at", "url" (only when just made)}
