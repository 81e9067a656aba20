"""Typed, immutable entries of the knowledge base, one module per kind of entry.

Every model forbids unknown keys, so a misspelt field in a data file is an error, not a silent
default. The loader (``loader.py``) validates each entry against these models and then checks the
references between files.
"""

from crampcare.kb.schema.base import (
    CODE_FORMATS,
    ID,
    POINT_CODE,
    SYSTEM_NAMES,
    Certainty,
    Cited,
    Code,
    Entry,
    PointRole,
    Position,
    Source,
    Term,
    Urgency,
    Verification,
)
from crampcare.kb.schema.catalogue import CataloguePoint
from crampcare.kb.schema.conditions import Condition, Pattern, PatternEvidence
from crampcare.kb.schema.labs import Lab, LabCode, LabTier
from crampcare.kb.schema.medications import Medication
from crampcare.kb.schema.points import (
    ChartMark,
    DepthRange,
    Indication,
    Point,
    PointCaution,
    PointUse,
)
from crampcare.kb.schema.rules import FieldBound, LabBound, Rule
from crampcare.kb.schema.safety import (
    Advice,
    Caution,
    CautionEffects,
    PlanDefaults,
    PresentationEvidence,
    RedFlag,
)
from crampcare.kb.schema.vocabularies import Device, Region, Trigger, Vocabularies

__all__ = [
    "CODE_FORMATS",
    "ID",
    "POINT_CODE",
    "SYSTEM_NAMES",
    "Advice",
    "CataloguePoint",
    "Caution",
    "CautionEffects",
    "Certainty",
    "ChartMark",
    "Cited",
    "Code",
    "Condition",
    "DepthRange",
    "Device",
    "Entry",
    "FieldBound",
    "Indication",
    "Lab",
    "LabBound",
    "LabCode",
    "LabTier",
    "Medication",
    "Pattern",
    "PatternEvidence",
    "PlanDefaults",
    "PresentationEvidence",
    "Point",
    "PointCaution",
    "PointRole",
    "PointUse",
    "Position",
    "RedFlag",
    "Region",
    "Rule",
    "Source",
    "Term",
    "Trigger",
    "Urgency",
    "Verification",
    "Vocabularies",
]
