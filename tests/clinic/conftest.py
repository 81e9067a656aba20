from tests.world import world  # noqa: F401  (the named world, as a fixture)
