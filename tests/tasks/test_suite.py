"""The bundled suite in tasks/: it validates, its human times spread over the log scale as the
method needs, its generated data matches its generators, and (run on this machine, without
Docker) every reference solution passes while doing nothing fails."""

from __future__ import annotations

import collections
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from core.taskfolder import TaskFolder, discover_task_folders, load_task_folder, validate_tree
from tests.support.paths import TASKS_ROOT

# METR's human-time buckets (minutes), plus the ends of the scale.
BUCKETS = [(0, 1), (1, 4), (4, 16), (16, 64), (64, 256), (256, float("inf"))]
MIN_PER_BUCKET = {(0, 1): 3, (1, 4): 3, (4, 16): 3, (16, 64): 3, (64, 256): 3, (256, float("inf")): 2}
# Reference runs that take several seconds on the host (the interpreters' hidden test programs).
SLOW_LOCAL = {"lisp-interpreter", "mini-sql", "regex-engine", "spreadsheet-engine", "line-diff"}
# Scored in minutes (16 simulated seeds): checked only by the Docker health check, the authority,
# which runs its oracle three times anyway.
DOCKER_ONLY = {"raft-kv"}

TASK_DIRS = discover_task_folders(TASKS_ROOT)
DEFAULT_MAX_TIME_LIMIT_S: int = Settings.model_fields["task_max_time_limit_s"].default


def load_all() -> list[TaskFolder]:
    return [load_task_folder(path) for path in TASK_DIRS]


def test_the_bundled_suite_validates() -> None:
    problems = validate_tree(TASKS_ROOT)
    assert problems == [], "\n".join(map(str, problems))


def test_suite_size_and_families() -> None:
    tasks = load_all()
    assert len(tasks) >= 30
    assert len({t.family for t in tasks}) >= 8
    assert len({t.id for t in tasks}) == len(tasks)


def test_human_times_cover_every_bucket() -> None:
    counts: collections.Counter[tuple[float, float]] = collections.Counter()
    for task in load_all():
        assert task.human_time is not None, f"{task.id} has no human time"
        minutes = task.human_time.minutes
        counts[next(b for b in BUCKETS if b[0] <= minutes < b[1])] += 1
    for bucket, minimum in MIN_PER_BUCKET.items():
        assert counts[bucket] >= minimum, f"only {counts[bucket]} tasks in {bucket} minutes: {dict(counts)}"


def test_every_task_is_honest_and_checkable() -> None:
    for task in load_all():
        assert task.solution is not None, f"{task.id} has no reference solution"
        assert task.limits.network == "none"
        assert task.human_time is not None, f"{task.id} has no human time"
        if task.human_time.source == "estimate":
            assert task.estimate is not None and len(task.estimate.rationale) > 40, task.id
        # An agent gets at least the human time, up to the server's default cap (a day of
        # working time): tasks longer than that must still load on a default deployment.
        needed = min(60 * task.human_time.minutes, DEFAULT_MAX_TIME_LIMIT_S)
        assert task.spec.time_limit_s >= needed, f"{task.id}: time limit below human time"
        assert task.spec.time_limit_s <= DEFAULT_MAX_TIME_LIMIT_S, f"{task.id}: above the default cap"


def generator_tasks() -> list[Path]:
    return [path for path in TASK_DIRS if (path / "scorer" / "generate.py").is_file()]


@pytest.mark.parametrize("task_dir", generator_tasks(), ids=lambda p: p.name)
def test_generated_data_matches_its_generator(task_dir: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(task_dir / "scorer" / "generate.py"), str(tmp_path)], check=True)
    produced = sorted(p.name for p in tmp_path.iterdir())
    assert produced
    for name in produced:
        committed = [
            d / name for d in (task_dir / "environment", task_dir / "scorer") if (d / name).is_file()
        ]
        assert committed, f"{name} from generate.py is not committed in {task_dir.name}"
        for copy in committed:
            assert filecmp.cmp(tmp_path / name, copy, shallow=False), (
                f"{copy} differs from generate.py's output"
            )


def host_command(command: str, task_dir: Path) -> str:
    """The task's command with /scorer and /solution pointing at the folders in the checkout."""
    return command.replace("/scorer/", f"{task_dir / 'scorer'}/").replace(
        "/solution/", f"{task_dir / 'solution'}/"
    )


def run_scorer(task: TaskFolder, workdir: Path) -> float:
    done = subprocess.run(
        ["bash", "-c", host_command(task.scorer.command, Path(task.path))],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=task.scorer.timeout_s,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines, f"{task.id}: the scorer printed nothing; stderr: {done.stderr[-1000:]}"
    score = float(lines[-1])
    assert 0.0 <= score <= 1.0
    return score


def local_params() -> list[object]:
    return [pytest.param(path, id=path.name, marks=_host_marks(path.name)) for path in TASK_DIRS]


def _host_marks(name: str) -> list[pytest.MarkDecorator]:
    if name in DOCKER_ONLY:
        return [pytest.mark.skip(reason="scored in minutes: the Docker health check covers it")]
    return [pytest.mark.slow] if name in SLOW_LOCAL else []


@pytest.mark.parametrize("task_dir", local_params())
def test_reference_solution_passes_and_null_fails_on_the_host(task_dir: Path, tmp_path: Path) -> None:
    """The same check as the Docker health check, without isolation: a quick way to catch a broken
    task while editing it (the Docker test is the authority)."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    task = load_task_folder(task_dir)
    assert task.solution is not None
    scores = {}
    for mode in ("null", "oracle"):
        workdir = tmp_path / mode
        workdir.mkdir()
        for rel, text in task.environment.files.items():
            (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
            (workdir / rel).write_text(text)
        if mode == "oracle":
            solved = subprocess.run(
                ["bash", "-c", host_command(task.solution.command, task_dir)],
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert solved.returncode == 0, f"solve failed: {solved.stderr[-1500:]}"
        scores[mode] = run_scorer(task, workdir)
    assert scores["oracle"] >= task.scorer.threshold, scores
    assert scores["null"] < task.scorer.threshold, scores
