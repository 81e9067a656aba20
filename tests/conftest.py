from __future__ import annotations

import datetime as dt

import pytest

from crampcare.kb.loader import KnowledgeBase, load_kb

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The packaged knowledge base, loaded once and shared read-only."""
    return load_kb()


@pytest.fixture
def today() -> dt.date:
    return TODAY
