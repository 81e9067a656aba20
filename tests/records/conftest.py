from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.parallel import _triggers_back_after_flush, committed_world  # noqa: F401  (fixtures)
from tests.world import world  # noqa: F401  (the named world, as a fixture)


@pytest.fixture(autouse=True)
def _audit_files(settings: Any, tmp_path: Path) -> None:
    """The audit key and checkpoint file of each test in its own directory."""
    settings.AUDIT_KEY_FILE = str(tmp_path / "audit_key.pem")
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit_checkpoints.jsonl")
