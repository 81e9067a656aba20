"""The record tests' fixtures: the named world, and the committed world of the parallel tests
with the fixtures it depends on (taken by name, so that a rename in tests/parallel.py does not
break this directory)."""

import pytest

from tests import parallel
from tests.world import world  # noqa: F401  (the named world, as a fixture)

globals().update(
    {
        name: value
        for name, value in vars(parallel).items()
        if isinstance(value, type(pytest.fixture(lambda: None)))
    }
)
