"""The shapes of the account operations: invitations, role changes, passwords, sign-out, events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from crampcare.clinic.schemas import (
    CLEAN,
    Email,
    Input,
    Licence,
    Password,
    PersonName,
    Role,
    Username,
    UserOut,
    bounds,
)

InvitationToken = Annotated[str, bounds(1, 200), CLEAN]


class UserInvite(Input):
    """A new user: they set their own password through the invitation link."""

    username: Username
    role: Role
    first_name: PersonName = ""
    last_name: PersonName = ""
    email: Email = ""
    licence_number: Licence = ""


class RoleChange(Input):
    role: Role
    licence_number: Licence = ""


class PasswordChange(Input):
    current_password: Password
    new_password: Password


class InvitationAccept(Input):
    token: InvitationToken
    password: Password


class InvitationOut(BaseModel):
    token: str = Field(description="shown only once; the user opens path or sends token")
    path: str
    expires_at: dt.datetime


class AccountOut(UserOut):
    confirmed: bool = Field(description="the user has set their own password (invitation)")


class AccountWithInvitation(AccountOut):
    invitation: InvitationOut | None = None


class SignedOut(BaseModel):
    user_id: int
    tokens_revoked: int


class UserEventOut(BaseModel):
    at: dt.datetime
    action: str
    actor: str
    user_id: str
    detail: dict[str, Any]
