"""Task health checks: the rules (pure), the bundle conversion, and real checks in Docker on
deliberately broken tasks. The bundled suite's own health is checked in tests/tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from core.taskfolder import load_task_folder
from tests.factories import make_task_folder, task_folder_spec
from tests.support.paths import TASKS_ROOT
from workers.task_health import CheckRun, bundle_from_folder, check_task, summarize


def run(
    scaffold: str, binarized: int | None, score: float | None = None, error: str | None = None
) -> CheckRun:
    return CheckRun(
        scaffold=scaffold,
        repeat=0,
        score_cont=score if score is not None else (float(binarized) if binarized is not None else None),
        score_binarized=binarized,
        stop_reason="submitted" if error is None else None,
        duration_s=1.0,
        error=error,
    )


# --- the rules ----------------------------------------------------------------------------------


def test_healthy_when_every_oracle_passes_and_null_fails() -> None:
    healthy, flaky, problems = summarize([run("oracle", 1)] * 3, run("null", 0, 0.4), True)
    assert (healthy, flaky, problems) == (True, False, [])


def test_flaky_when_the_oracle_sometimes_fails() -> None:
    healthy, flaky, problems = summarize(
        [run("oracle", 1), run("oracle", 0), run("oracle", 1)], run("null", 0), True
    )
    assert not healthy and flaky
    assert problems == ["flaky: the reference solution passed 2 of 3 oracle runs"]


def test_oracle_that_never_passes() -> None:
    healthy, flaky, problems = summarize([run("oracle", 0, 0.5)] * 2, run("null", 0), True)
    assert not healthy and not flaky
    assert problems == ["the reference solution does not pass: oracle scores 0.5, 0.5"]


def test_null_that_passes() -> None:
    healthy, _, problems = summarize([run("oracle", 1)], run("null", 1, 1.0), True)
    assert not healthy and "doing nothing passes" in problems[0]


def test_infrastructure_errors_make_a_task_unhealthy() -> None:
    broken = run("oracle", None, error="scorer: scorer exited 1 without a score in [0, 1]")
    healthy, flaky, problems = summarize([run("oracle", 1), broken], run("null", 0), True)
    assert not healthy and flaky
    assert any("infrastructure error" in p and "scorer exited 1" in p for p in problems)


def test_no_solution_is_a_problem() -> None:
    healthy, flaky, problems = summarize([], run("null", 0), False)
    assert not healthy and not flaky and "no reference solution" in problems[0]


def test_bundle_from_folder(tmp_path: Path) -> None:
    folder = load_task_folder(make_task_folder(tmp_path))
    bundle = bundle_from_folder(folder)
    assert (bundle.task_id, bundle.version, bundle.time_limit_s) == ("add-numbers", 1, 600.0)
    assert bundle.environment == folder.environment and bundle.scorer == folder.scorer
    assert bundle.solution == folder.solution and bundle.limits == folder.limits
    assert bundle.instructions == folder.instructions


# --- in Docker ----------------------------------------------------------------------------------


def broken_task(tmp_path: Path, name: str, *, score: str | None = None, solve: str | None = None) -> Path:
    folder = make_task_folder(tmp_path, name, "broken", task_folder_spec(name, "broken"))
    if score is not None:
        (folder / "scorer" / "score.py").write_text(score)
    if solve is not None:
        (folder / "solution" / "solve.sh").write_text(solve)
    return folder


@pytest.mark.docker
def test_broken_tasks_are_reported(tmp_path: Path, docker_backend: Any) -> None:
    wrong_solution = broken_task(tmp_path, "wrong-solution", solve="#!/bin/bash\necho 6 > submission.txt\n")
    health = check_task(wrong_solution, docker_backend, oracle_repeats=2, run_id=-8002)
    assert not health.healthy and health.oracle_scores == [0.0, 0.0]
    assert health.problems == ["the reference solution does not pass: oracle scores 0, 0"]

    trivial = broken_task(tmp_path, "trivial", score="print(1.0)\n")
    health = check_task(trivial, docker_backend, oracle_repeats=1, run_id=-8003)
    assert not health.healthy and health.null_score == 1.0
    assert any("doing nothing passes" in p for p in health.problems)

    no_score = broken_task(tmp_path, "no-score", score="print('all good')\n")
    health = check_task(no_score, docker_backend, oracle_repeats=1, run_id=-8004)
    assert not health.healthy and health.oracle_scores == [None] and health.null is not None
    assert all(r.error and r.error.startswith("scorer:") for r in [*health.oracle, health.null])

    bad_image = broken_task(tmp_path, "bad-image")
    (bad_image / "environment" / "Dockerfile").write_text("FROM horizon-base\nRUN exit 3\n")
    health = check_task(bad_image, docker_backend, oracle_repeats=1, run_id=-8005)
    assert not health.healthy
    assert health.oracle[0].error is not None and health.oracle[0].error.startswith("image_build:")


@pytest.mark.docker
def test_answer_written_by_the_submit_tool_reaches_answer_scorers(
    tmp_path: Path, docker_backend: Any
) -> None:
    """The oracle's standard output is its submission: a solution that prints the answer instead
    of writing submission.txt passes too (the bundled scorers fall back to it)."""
    folder = make_task_folder(tmp_path)
    spec = yaml.safe_load((folder / "task.yaml").read_text())
    spec["scorer"]["command"] = "python3 /scorer/score.py"
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    (folder / "scorer" / "score.py").write_text(
        (TASKS_ROOT / "research_qa" / "unit-conversion" / "scorer" / "score.py")
        .read_text()
        .replace("EXPECTED = '42600'", "EXPECTED = '5'")
    )
    (folder / "solution" / "solve.sh").write_text("#!/bin/bash\necho 5\n")
    health = check_task(folder, docker_backend, oracle_repeats=1, run_id=-8006)
    assert health.healthy, health.problems
