"""A module whose import alone leaves a mark: the file named by HORIZON_TEST_CANARY. Tests name it
as an Inspect agent that the worker must refuse without importing it."""

from __future__ import annotations

import os
from pathlib import Path

_canary = os.environ.get("HORIZON_TEST_CANARY")
if _canary:
    Path(_canary).write_text("imported")


def agent() -> None:
    """Never reached: the module's import is the attack."""
