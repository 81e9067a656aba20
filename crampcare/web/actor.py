"""The actor of a request: the signed-in account the use cases act for.

Pages behind ``workbench.page`` and the JSON API (``api.TokenAuth`` sets ``request.user`` to the
token's account) reach the use cases only signed in; ``actor_of`` gives that account its type,
``crampcare.clinic.actor.Actor``, and refuses (401) should a request reach it without one.
"""

from __future__ import annotations

from django.http import HttpRequest

from crampcare.clinic.errors import Unauthenticated
from crampcare.records.models import User


def actor_of(request: HttpRequest) -> User:
    """The request's signed-in account, or ``Unauthenticated``."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Unauthenticated("sign in first")
    return user
