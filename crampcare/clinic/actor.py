"""Who acts on the records: the type every use case's ``actor`` has.

An actor is a signed-in user of one clinic (``crampcare.records.models.User``: the browser's
``request.user`` behind a signed-in page, the API's ``request.auth``), or the system acting on
the command line as a clinic admin of one clinic (``crampcare.clinic.admin.SystemAdmin``, with
no account: ``pk`` is None). Both have a clinic and a role; ``crampcare.clinic.access`` decides
what the role grants. Nobody signed in is not an actor: the web layer refuses the request first.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from crampcare.clinic.errors import Unauthenticated
from crampcare.records.models import Clinic, User


class Actor(Protocol):
    """The authenticated user with clinic and role, as the use cases and access checks read it."""

    @property
    def pk(self) -> int | None:
        """The account's id; None for the system, which has no account."""

    @property
    def clinic(self) -> Clinic: ...

    @property
    def clinic_id(self) -> int: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str:
        """One of ``crampcare.records.models.Role``."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def confirmed_at(self) -> dt.datetime | None:
        """When the owner accepted their invitation; None: the account sees no clinical record."""

    @property
    def email(self) -> str: ...

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...

    def get_username(self) -> str: ...

    def get_role_display(self) -> str: ...


def account(actor: Actor) -> User:
    """The actor's own account, for what only a person can do (change their password, sign a
    session, write an addendum); the system has none: ``Unauthenticated``."""
    if not isinstance(actor, User) or actor.pk is None:
        raise Unauthenticated("sign in first: this needs a user's own account")
    return actor


def author(actor: Actor | None) -> User | None:
    """Who to record as a row's author: the actor's account, or None for the system."""
    return actor if isinstance(actor, User) and actor.pk is not None else None
