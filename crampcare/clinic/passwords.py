"""The password rule: at least 12 characters (Django's validator) and not easy to guess, by
zxcvbn's estimate (Dropbox's estimator: dictionaries, names, keyboard patterns, repeats, dates).

``StrengthValidator`` is a Django password validator (settings ``AUTH_PASSWORD_VALIDATORS``), so
every way of setting a password (an invitation, a change, the first admin) applies it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

ESTIMATE_CHARS = 100  # zxcvbn slows down on long input; a longer password is not weaker


class StrengthValidator:
    """Refuse a password whose zxcvbn score is below ``min_score`` (0-4; 3 means about 10^8
    guesses or more are needed, by zxcvbn's own scale)."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [
            str(getattr(user, name, "") or "")
            for name in ("username", "first_name", "last_name", "email")
        ]
        clinic = getattr(user, "clinic", None) if getattr(user, "clinic_id", None) else None
        if clinic is not None:
            inputs.append(clinic.name)
        result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=[i for i in inputs if i])
        if result["score"] >= self.min_score:
            return
        feedback = result.get("feedback") or {}
        hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        detail = " ".join(h for h in hints if h)
        raise ValidationError(
            "This password is too easy to guess." + (f" {detail}" if detail else ""),
            code="password_too_guessable",
        )

    def get_help_text(self) -> str:
        return "Your password must not be easy to guess (several uncommon words work well)."
