"""The superbill: what a patient needs to claim from an insurer.

The practice (the clinic's name), the practitioners who treated with their licence numbers, the
patient (name, birth date), and for each date of service the CPT codes with their units, from
``crampcare.core.billing.bill`` over the patient's closed and signed sessions (one initial code
per patient per day), with the ICD-10-CM diagnoses of the assessment. Totals are in units:
crampcare records no fees. The rules that decide a unit without being verified (rounding,
payer limits) are printed as the bill names them, and so are the increments not billed.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import ascii_uppercase
from typing import Any

from crampcare.reports.documents import Record
from crampcare.reports.documents.wording import day, full_name

TEMPLATE = "superbill.html"
NOT_RECORDED = (
    "crampcare does not record the practice's address, tax identification number, NPI or fees: "
    "add them before sending this to an insurer"
)


def context(
    record: Record, bill: Mapping[str, Any], practitioners: list[dict[str, Any]]
) -> dict[str, Any]:
    """``bill``: ``core.billing.bill`` over the sessions; ``practitioners``: who treated on
    those dates, ``[{"name", "licence_number", "dates"}]``."""
    diagnoses = [
        {**d, "pointer": ascii_uppercase[i] if i < len(ascii_uppercase) else str(i + 1)}
        for i, d in enumerate(bill["diagnoses"])
    ]
    pointers = "".join(d["pointer"] for d in diagnoses if d["code"])
    lines = [
        {
            "date": day(line["date"]),
            "code": line["code"],
            "description": line["description"],
            "units": line["units"],
            "pointers": pointers,
        }
        for line in bill["lines"]
    ]
    patient = record.patient
    return {
        "title": f"Superbill for {full_name(patient)}",
        "clinic": record.clinic,
        "today": day(record.today),
        "practitioner": None,
        "practitioners": practitioners,
        "patient": {
            "name": full_name(patient),
            "born": day(patient["birth_date"]),
            "sex": patient.get("sex", ""),
            "address": patient.get("address", ""),
        },
        "dates_of_service": ", ".join(day(d) for d in sorted({ln["date"] for ln in bill["lines"]})),
        "lines": lines,
        "total_units": bill["total_units"],
        "diagnoses": diagnoses,
        "not_billed": [
            {"date": day(n["date"]), "because": n["because"]} for n in bill["not_billed"]
        ],
        "issues": bill["issues"],
        "not_recorded": NOT_RECORDED,
    }
