"""Where the repository's test inputs are: the bundled suite and the task-format fixtures."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The bundled suite (tasks/), which tests/tasks checks as a whole.
TASKS_ROOT = REPO_ROOT / "tasks"
# Small tasks written in the METR Task Standard and Harbor formats, for the importers.
TASK_FORMAT_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "task_formats"
