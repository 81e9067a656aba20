"""Log records never carry a diary link's token (nor an invitation's: ``/invitation/<token>``).

Django logs request paths (``django.request``: "Not Found: /diary/<token>"; ``django.server``:
the request line; ``django.security.csrf``: the path refused), and a diary path's last part is
the patient's credential. ``settings.LOGGING`` puts this filter on those loggers and on the
console handler; it rewrites the message with ``/diary/[redacted]`` and drops the request object
the record carries.
"""

from __future__ import annotations

import logging
import re

DIARY_PATH = re.compile(r"/(diary|invitation)/[^/\s?#\"']+")
REDACTED = r"/\1/[redacted]"
MARKS = ("/diary/", "/invitation/")


def redact(text: str) -> str:
    return DIARY_PATH.sub(REDACTED, text)


class RedactDiaryTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the handler
            return True
        if any(mark in message for mark in MARKS):
            record.msg, record.args = redact(message), ()
        request = getattr(record, "request", None)
        seen = str(getattr(request, "path", "")) + str(request or "")
        if any(mark in seen for mark in MARKS):
            record.request = None
        return True
