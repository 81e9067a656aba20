"""Recognising medications and conditions as they arrive in real records. Every match says what
it matched; what matched nothing is reported, never dropped."""

from crampcare.core.recognition.common import Match
from crampcare.core.recognition.conditions import recognise_conditions
from crampcare.core.recognition.medications import (
    medication_from_code,
    medication_from_text,
    recognise_medications,
)

__all__ = [
    "Match",
    "medication_from_code",
    "medication_from_text",
    "recognise_conditions",
    "recognise_medications",
]
