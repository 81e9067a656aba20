"""Accounts in the JSON API (mounted by ``web.api`` under /auth and /users): tokens, sign-out
everywhere, passwords, invitations, and a clinic admin's users. Each operation calls one use case
of ``clinic.accounts`` or ``clinic.invitations``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from crampcare.clinic import accounts, invitations
from crampcare.clinic.account_schemas import (
    AccountOut,
    AccountWithInvitation,
    InvitationAccept,
    PasswordChange,
    RoleChange,
    SignedOut,
    UserEventOut,
    UserInvite,
)
from crampcare.clinic.schemas import Credentials, ErrorOut, TokenOut
from crampcare.web.actor import actor_of
from crampcare.web.client import client_address

ERRORS: dict[int, type[Schema] | Any] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)
}


class BearerOnly(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = accounts.token_user(token)
        if user is not None:
            request.user = user
        return user


def _bearer(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


# --- auth ----------------------------------------------------------------------------------

auth = Router(tags=["auth"])


@auth.post("/token", auth=None, response={201: TokenOut, **ERRORS})
def create_token(request: HttpRequest, payload: Credentials) -> Status[dict[str, Any]]:
    """Exchange a username and password for a bearer token (throttled like the sign-in page:
    429 with Retry-After while the account or address must wait)."""
    return Status(201, accounts.issue_token(payload, client_address(request)))


@auth.delete("/token", auth=BearerOnly(), response={204: None, **ERRORS})
def revoke_token(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this request was made with."""
    accounts.revoke_token(_bearer(request))
    return Status(204, None)


@auth.get("/me", response={200: AccountOut, **ERRORS})
def me(request: HttpRequest) -> dict[str, Any]:
    return accounts.me(actor_of(request))


@auth.post("/sign-out-everywhere", response={200: SignedOut, **ERRORS})
def sign_out_everywhere(request: HttpRequest) -> dict[str, Any]:
    """End every session and revoke every token of your account, this one included."""
    result = accounts.sign_out_everywhere(actor_of(request))
    if request.session.session_key:
        logout(request)
    return result


@auth.post("/password", response={200: AccountOut, **ERRORS})
def change_password(request: HttpRequest, payload: PasswordChange) -> dict[str, Any]:
    """Change your own password (the current one first). Every token is revoked, this one
    included, and every other signed-in browser is signed out."""
    result = accounts.change_password(actor_of(request), payload, client_address(request))
    if request.session.session_key:
        update_session_auth_hash(request, actor_of(request))  # this browser stays signed in
    return result


@auth.post("/invitation", auth=None, response={200: AccountOut, **ERRORS})
def accept_invitation(request: HttpRequest, payload: InvitationAccept) -> dict[str, Any]:
    """Accept an invitation: set your own password; the account is confirmed. Then sign in."""
    return accounts.user_dict(invitations.accept(payload, client_address(request)))


# --- users ---------------------------------------------------------------------------------

users = Router(tags=["users"])


@users.get("", response={200: list[AccountOut], **ERRORS})
def list_users(request: HttpRequest) -> list[dict[str, Any]]:
    """The users of your clinic (clinic admins)."""
    return accounts.list_users(actor_of(request))


@users.post("", response={201: AccountWithInvitation, **ERRORS})
def create_user(request: HttpRequest, payload: UserInvite) -> Status[dict[str, Any]]:
    """Invite a user to your clinic (clinic admins). Practitioners need a licence number. The
    answer holds the invitation (shown once): the user sets their own password through it."""
    return Status(201, accounts.create_user(actor_of(request), payload))


@users.get("/events", response={200: list[UserEventOut], **ERRORS})
def user_events(request: HttpRequest) -> list[dict[str, Any]]:
    """Your clinic's account events, newest first (clinic admins)."""
    return accounts.user_events(actor_of(request))


@users.post("/{user_id}/role", response={200: AccountWithInvitation, **ERRORS})
def change_role(request: HttpRequest, user_id: int, payload: RoleChange) -> dict[str, Any]:
    """Change a user's role (not your own). Given a clinical role, the user confirms again
    through a new invitation (in the answer) before they see clinical records."""
    return accounts.change_role(actor_of(request), user_id, payload)


@users.post("/{user_id}/deactivate", response={200: AccountOut, **ERRORS})
def deactivate_user(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """Deactivate a user: their sessions and tokens end at once."""
    return accounts.deactivate_user(actor_of(request), user_id)


@users.post("/{user_id}/reset-password", response={200: AccountWithInvitation, **ERRORS})
def reset_password(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """Reset a user's password: they set a new one through the invitation in the answer."""
    return accounts.reset_password(actor_of(request), user_id)


@users.post("/{user_id}/sign-out-everywhere", response={200: SignedOut, **ERRORS})
def sign_out_user_everywhere(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """End every session and revoke every token of a user of your clinic."""
    return accounts.sign_out_everywhere(actor_of(request), user_id)
