"""The bundled suite is healthy in Docker: its reference solutions pass every time and doing
nothing fails, on a few tasks always and (marked `suite`) on the whole suite."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from core.taskfolder import discover_task_folders, load_task_folder
from tests.support.paths import TASKS_ROOT
from workers.task_health import check_task

FAST_SUBSET = ["lookup/read-token", "debugging/fix-pagination", "data_wrangling/sales-by-region"]


@pytest.mark.docker
@pytest.mark.parametrize("task", FAST_SUBSET)
def test_bundled_task_is_healthy(task: str, docker_backend: Any) -> None:
    health = check_task(TASKS_ROOT / task, docker_backend, oracle_repeats=3, run_id=-8001)
    assert health.healthy, health.problems
    assert not health.flaky
    assert health.oracle_scores == [1.0, 1.0, 1.0]
    assert health.null is not None and health.null.score_binarized == 0
    assert all(r.duration_s > 0 and "total_s" in r.timings for r in [*health.oracle, health.null])
    record = health.as_dict()
    assert record["content_hash"] == load_task_folder(TASKS_ROOT / task).content_hash
    assert record["oracle"][0]["scaffold"] == "oracle"


SUITE = discover_task_folders(TASKS_ROOT)


@pytest.mark.docker
@pytest.mark.suite
@pytest.mark.parametrize("task_dir", SUITE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_bundled_task_is_healthy(task_dir: Path, docker_backend: Any) -> None:
    started = time.monotonic()
    # Three sandboxes at once after the first oracle run: the whole suite fits CI's time.
    health = check_task(task_dir, docker_backend, oracle_repeats=3, run_id=-8100, parallel=3)
    assert health.healthy, health.problems
    assert not health.flaky
    print(f"{task_dir.name}: healthy in {time.monotonic() - started:.1f} s, null score {health.null_score}")
