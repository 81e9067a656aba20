"""The demo clinic: three users and the patients of ``demo_people`` whose intakes, between them,
raise every red flag and caution of the knowledge base, each assessed through the same use cases
as the API; ``demo_sessions`` gives four more patients plans, sessions and bookings, and
``demo_diary`` two of them a cramp diary. Passwords are random and returned once, for the
caller to print."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from crampcare.clinic import accounts, assessments, invitations, patients, plans
from crampcare.clinic.demo_diary import add_diaries
from crampcare.clinic.demo_people import EVERYDAY_PEOPLE
from crampcare.clinic.demo_sessions import COURSE_PEOPLE, add_courses
from crampcare.clinic.demo_urgent import URGENT_PEOPLE
from crampcare.kb.loader import KnowledgeBase
from crampcare.records.models import Clinic, User

CLINIC = "Willow Street Acupuncture (demo)"
PEOPLE = EVERYDAY_PEOPLE + URGENT_PEOPLE + COURSE_PEOPLE

USERS = [
    {
        "username": "demo-admin",
        "role": "clinic_admin",
        "first_name": "Ruth",
        "last_name": "Adeyemi",
    },
    {
        "username": "demo-practitioner",
        "role": "practitioner",
        "first_name": "Mei",
        "last_name": "Lin",
        "licence_number": "L.Ac. OR-AC-004217",
    },
    {"username": "demo-frontdesk", "role": "front_desk", "first_name": "Sam", "last_name": "Ortiz"},
]


def exists() -> bool:
    return Clinic.objects.filter(name=CLINIC).exists()


def build(kb: KnowledgeBase) -> dict[str, Any]:
    """Create the demo clinic. Returns its users with their one-time passwords and a summary."""
    with transaction.atomic():
        admin_in = {**USERS[0], "password": _password()}
        accounts.first_admin(CLINIC, admin_in)
        admin = User.objects.get(username=USERS[0]["username"])
        logins = [
            {"username": admin.username, "role": admin.role, "password": admin_in["password"]}
        ]
        for spec in USERS[1:]:
            password = _password()
            made = accounts.create_user(admin, spec)
            # the demo accepts each invitation with the password it prints
            invitations.accept({"token": made["invitation"]["token"], "password": password}, "demo")
            login = {"username": spec["username"], "role": spec["role"], "password": password}
            logins.append(login)
        practitioner = User.objects.get(username="demo-practitioner")
        rows = []
        for person, intake in PEOPLE:
            patient = patients.create_patient(practitioner, person)
            a = assessments.create_assessment(
                practitioner, {"patient_id": patient["id"], "intake": intake}, kb
            )
            rows.append(
                {
                    "patient": f"{person['given_name']} {person['family_name']}",
                    "urgency": a["urgency"],
                    "needling_allowed": a["needling_allowed"],
                    "assessment": a,
                }
            )
        _first_plan(practitioner, rows[0]["assessment"], kb)
        add_courses(practitioner, {r["patient"]: r["assessment"] for r in rows}, kb)
        add_diaries(practitioner)
    return {
        "clinic": CLINIC,
        "users": logins,
        "patients": [{k: v for k, v in r.items() if k != "assessment"} for r in rows],
    }


def _first_plan(actor: User, assessment: dict[str, Any], kb: KnowledgeBase) -> None:
    ids = [plans.point_id(p["code"], p.get("region")) for p in assessment["result"]["points"]]
    if not ids:
        return
    plans.create_plan(
        actor,
        assessment["id"],
        {
            "accepted": ids[:-1],
            "removed": [{"point": ids[-1], "reason": "fewer needles at a first visit"}],
            "note": "Review at session 4.",
        },
        kb,
    )


def _password() -> str:
    return secrets.token_urlsafe(12)
