"""Deceased patients (marked from their FHIR record) keep their records and are offered no
treatment: assessing, planning and starting a session refuse them."""

from __future__ import annotations

from crampcare.clinic.errors import Conflict
from crampcare.records.models import Patient


def refuse_if_deceased(patient: Patient, field: str) -> None:
    if patient.deceased:
        when = f" on {patient.deceased_on.isoformat()}" if patient.deceased_on else ""
        raise Conflict(
            f"the patient's record says they died{when}: no assessment, plan or treatment "
            "is offered",
            field,
        )
