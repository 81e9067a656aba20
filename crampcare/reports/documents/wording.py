"""How the documents word what the records hold: dates, certainty, urgency, point names, the
patient's name. The urgency meanings follow DESIGN.md's vocabulary of urgency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

CERTAINTY: Final = {
    "high": "high certainty",
    "moderate": "moderate certainty",
    "low": "low certainty",
    "very_low": "very low certainty",
    "traditional": "traditional use, not tested in trials",
    "expert_opinion": "expert opinion",
}
VERIFICATION: Final = {
    "primary": "checked against a primary source",
    "secondary": "from a secondary summary",
    "traditional": "traditional teaching",
    "expert_opinion": "expert opinion",
    "unverified": "UNVERIFIED",
}
# for the physician (DESIGN.md "Vocabulary of urgency")
URGENCY: Final = {
    "emergency": "emergency care now",
    "urgent": "medical assessment the same day",
    "soon": "review by the patient's physician within days to weeks",
    "routine": "for the physician's attention at the next opportunity",
    "none": "no referral needed: for your information",
}
# for the patient, in plain words
URGENCY_PLAIN: Final = {
    "emergency": "Call emergency services or go to an emergency department now.",
    "urgent": "See a doctor today.",
    "soon": "See your doctor in the next few days or weeks.",
    "routine": "Mention it to your doctor at your next visit.",
}


def day(value: Any) -> str:
    """ "12 March 2026" from a date, a datetime or an ISO string; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        value = dt.date.fromisoformat(str(value)[:10])
    return f"{value.day} {value:%B %Y}"


def full_name(patient: Mapping[str, Any]) -> str:
    return f"{patient['given_name']} {patient['family_name']}"


def certainty(value: str | None) -> str:
    return CERTAINTY.get(value or "", value or "certainty not stated")
