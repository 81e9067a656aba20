from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crampcare.kb.loader import KnowledgeBase, load_kb

TODAY = dt.date(2026, 11, 27)
# Argon2 (the product's hasher) costs ~0.1 s per hash or sign-in by design; the record tests
# hash the world's passwords and sign in hundreds of times, where hashing is not under test.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The packaged knowledge base, loaded once and shared read-only."""
    return load_kb()


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest) -> None:
    """Tests with a database hash passwords with MD5 (fast), unless they ask for
    ``argon2_hashing``: the tests of hashing itself run on the product's Argon2."""
    names = request.fixturenames
    if "argon2_hashing" in names or not {"db", "transactional_db"} & set(names):
        return
    settings: Any = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def argon2_hashing(settings: Any) -> None:
    """The product's password hashers (Argon2 first), for the tests of hashing itself."""
    from crampcare.web import settings as product

    settings.PASSWORD_HASHERS = list(product.PASSWORD_HASHERS)
