from tests.parallel import _triggers_back_after_flush, committed_world  # noqa: F401  (fixtures)
from tests.world import world  # noqa: F401  (the named world, as a fixture)
