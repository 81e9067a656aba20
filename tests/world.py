"""A small named world for the record tests, on whichever database the run uses.

Willow clinic: Alice (practitioner), Fran (front desk), Adam (clinic admin).
Birch clinic: Bert (practitioner), who must never see Willow's records.
Patients: Ellen at Willow (consents given), Nadia at Willow (no consents), Otto at Birch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from crampcare import services
from crampcare.clinic import accounts, assessments, invitations, patients
from crampcare.kb.loader import KnowledgeBase
from tests.factories import make_intake

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    alice: Any
    fran: Any
    adam: Any
    bert: Any
    ellen: dict[str, Any]
    nadia: dict[str, Any]
    otto: dict[str, Any]
    assessment: dict[str, Any]
    kb: KnowledgeBase

    def user(self, name: str) -> Any:
        return getattr(self, name)


def person(given: str, family: str, consent: bool = True) -> dict[str, Any]:
    return {
        "given_name": given,
        "family_name": family,
        "birth_date": "1961-04-12",
        "sex": "female",
        "phone": "+44 20 7946 0000",
        "email": f"{given.lower()}@example.org",
        "consent_treatment": consent,
        "consent_data_processing": consent,
    }


def _user(admin: Any, username: str, role: str) -> Any:
    from crampcare.records.models import User

    extra = {"licence_number": f"LIC-{username}"} if role == "practitioner" else {}
    made = accounts.create_user(admin, {"username": username, "role": role, **extra})
    # the user confirms their account through the invitation, with their own password
    invitations.accept({"token": made["invitation"]["token"], "password": PASSWORD}, "test")
    return User.objects.get(username=username)


def build_world() -> World:
    from crampcare.records.models import User

    kb = services.knowledge_base()
    accounts.first_admin("Willow", {"username": "adam", "password": PASSWORD})
    adam = User.objects.get(username="adam")
    alice = _user(adam, "alice", "practitioner")
    fran = _user(adam, "fran", "front_desk")
    accounts.first_admin("Birch", {"username": "bella", "password": PASSWORD})
    bella = User.objects.get(username="bella")
    bert = _user(bella, "bert", "practitioner")
    ellen = patients.create_patient(alice, person("Ellen", "Ayres"))
    nadia = patients.create_patient(fran, person("Nadia", "Bloom", consent=False))
    otto = patients.create_patient(bert, person("Otto", "Crane"))
    assessment = assessments.create_assessment(
        alice, {"patient_id": ellen["id"], "intake": make_intake()}, kb
    )
    return World(alice, fran, adam, bert, ellen, nadia, otto, assessment, kb)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def token_for(user: Any) -> str:
    """A bearer token for ``user``, made directly (no password hashing: fast)."""
    import datetime as dt
    import hashlib
    import secrets

    from django.utils import timezone

    from crampcare.records.models import ApiToken

    raw = secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=user,
        key_hash=hashlib.sha256(raw.encode()).hexdigest(),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return raw


def api(user: Any | None) -> Any:
    """A test client that sends JSON with a bearer token for ``user`` (None: anonymous)."""
    from django.test import Client

    headers = {"Authorization": f"Bearer {token_for(user)}"} if user is not None else {}
    return Client(headers=headers)
