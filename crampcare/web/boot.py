"""Configure Django for a command or the server. Called explicitly, never at import of the CLI."""

from __future__ import annotations

import os

SETTINGS_MODULE = "crampcare.web.settings"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()
