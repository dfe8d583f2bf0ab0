"""Task health: is a task version solvable, not trivially passed, and stable?

`check_task` runs two scaffolds through the normal attempt path (`workers.execution`), in real
sandboxes:

- `oracle` (the task's reference solution), `oracle_repeats` times: every run must binarise to 1.
  A task whose oracle sometimes passes and sometimes fails is *flaky*;
- `null` (does nothing and submits an empty answer), once: it must binarise to 0.

An infrastructure failure during a check (the image does not build, the scorer prints no score)
is a problem of the task version too: it is reported, and the task is not healthy. The result is
a plain record (`TaskHealth.as_dict()`) that the caller stores per task version.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.taskfolder import TaskFolder, load_task_folder
from core.taskspec import content_hash
from workers.execution import AgentConfig, AttemptSpec, InfraError, TaskBundle, execute_attempt
from workers.sandbox.base import SandboxBackend

ORACLE = "oracle"
NULL = "null"


def bundle_from_folder(folder: TaskFolder) -> TaskBundle:
    """The `TaskBundle` an attempt needs, from a loaded task folder."""
    return TaskBundle(
        task_id=folder.id,
        version=folder.version,
        instructions=folder.instructions,
        environment=folder.environment,
        scorer=folder.scorer,
        solution=folder.solution,
        limits=folder.limits,
        time_limit_s=float(folder.spec.time_limit_s),
    )


@dataclass(frozen=True)
class CheckRun:
    """One attempt of one check scaffold."""

    scaffold: str
    repeat: int
    score_cont: float | None
    score_binarized: int | None
    stop_reason: str | None
    duration_s: float
    timings: dict[str, float] = field(default_factory=dict)
    # Set when the attempt ended in an InfraError: "<reason>: <message>".
    error: str | None = None
    scorer_output: str = ""


@dataclass(frozen=True)
class TaskHealth:
    """The outcome of `check_task` for one task version."""

    task_id: str
    version: int
    content_hash: str
    healthy: bool
    flaky: bool
    oracle: list[CheckRun]
    null: CheckRun | None
    problems: list[str]
    duration_s: float
    checked_at: str
    # Why the check could not run here at all (a GPU task on a host without its GPUs): nothing
    # was checked, so nothing is recorded either (workers/task_checks.py).
    refused: str | None = None

    @property
    def oracle_scores(self) -> list[float | None]:
        """The oracle's score on each try."""
        return [run.score_cont for run in self.oracle]

    @property
    def null_score(self) -> float | None:
        """The null agent's score, if it ran."""
        return self.null.score_cont if self.null else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record (stored per task version in `task_health_checks.details`)."""
        return asdict(self)


def _scorer_output(transcript: list[dict[str, Any]]) -> str:
    # The tail of stdout, then of stderr (a broken scorer's traceback): private health details.
    for event in reversed(transcript):
        if event.get("kind") == "scorer":
            stderr = str(event.get("stderr") or "")[-1500:]
            return str(event.get("stdout", ""))[-2000:] + (f"\n--- stderr ---\n{stderr}" if stderr else "")
    return ""


def _run_check(
    bundle: TaskBundle,
    backend: SandboxBackend,
    scaffold: str,
    repeat: int,
    run_id: int,
    heartbeat: Callable[[], None],
    gpu_devices: tuple[str, ...] = (),
) -> CheckRun:
    spec = AttemptSpec(
        run_id=run_id,
        attempt=repeat + 1,
        task=bundle,
        agent=AgentConfig(name=f"health-{scaffold}", scaffold=scaffold),
        model=None,
        gpu_devices=gpu_devices,
    )
    started = time.monotonic()
    try:
        outcome = execute_attempt(spec, backend, heartbeat=heartbeat)
    except InfraError as exc:
        return CheckRun(
            scaffold=scaffold,
            repeat=repeat,
            score_cont=None,
            score_binarized=None,
            stop_reason=None,
            duration_s=round(time.monotonic() - started, 3),
            error=f"{exc.reason}: {exc.message}"[:4000],
            scorer_output=_scorer_output(exc.transcript),
        )
    return CheckRun(
        scaffold=scaffold,
        repeat=repeat,
        score_cont=outcome.score_cont,
        score_binarized=outcome.score_binarized,
        stop_reason=outcome.stop_reason,
        duration_s=round(time.monotonic() - started, 3),
        timings=dict(outcome.timings),
        scorer_output=_scorer_output(outcome.transcript),
    )


def summarize(
    oracle_runs: list[CheckRun], null_run: CheckRun | None, has_solution: bool
) -> tuple[bool, bool, list[str]]:
    """(healthy, flaky, problems) from the check runs; the rules of the module docstring."""
    problems: list[str] = []
    if not has_solution:
        problems.append("no reference solution: the oracle check cannot run (add solution/solve.sh)")
    for run in [*oracle_runs, *([null_run] if null_run else [])]:
        if run.error:
            problems.append(f"{run.scaffold} run {run.repeat + 1}: infrastructure error: {run.error[:500]}")
    scored = [run for run in oracle_runs if run.error is None]
    passed = [run for run in scored if run.score_binarized == 1]
    # Flaky: the same reference solution passed in some runs and failed (or broke) in others.
    flaky = bool(passed) and len(passed) < len(oracle_runs)
    if scored and not passed:
        scores = ", ".join(f"{run.score_cont:g}" for run in scored if run.score_cont is not None)
        problems.append(f"the reference solution does not pass: oracle scores {scores}")
    elif flaky:
        problems.append(
            f"flaky: the reference solution passed {len(passed)} of {len(oracle_runs)} oracle runs"
        )
    if null_run is not None and null_run.error is None and null_run.score_binarized == 1:
        problems.append(
            f"doing nothing passes the task (null score {null_run.score_cont:g}): the scorer "
            "must fail an untouched environment"
        )
    healthy = not problems and has_solution and len(passed) == len(oracle_runs) > 0
    return healthy, flaky, problems


def refused_check(bundle: TaskBundle, reason: str) -> TaskHealth:
    """The outcome of a check that could not run here (`reason`): not healthy, and not recorded."""
    return TaskHealth(
        task_id=bundle.task_id,
        version=bundle.version,
        content_hash=content_hash(bundle.instructions, bundle.environment, bundle.scorer, bundle.solution),
        healthy=False,
        flaky=False,
        oracle=[],
        null=None,
        problems=[f"not checked: {reason}"],
        duration_s=0.0,
        checked_at=datetime.now(UTC).isoformat(timespec="seconds"),
        refused=reason,
    )


def check_task(
    folder_or_bundle: TaskFolder | TaskBundle | str | Path,
    backend: SandboxBackend,
    oracle_repeats: int = 3,
    *,
    run_id: int = 0,
    heartbeat: Callable[[], None] | None = None,
    gpu_devices: tuple[str, ...] = (),
    parallel: int = 1,
) -> TaskHealth:
    """Check one task version in real sandboxes; see the module docstring.

    `folder_or_bundle` is a loaded `TaskFolder`, a path to a task folder, or a `TaskBundle`.
    `run_id` labels the sandbox containers (`horizon.run_id`); pick one the orphan reaper will
    not treat as a dead run while the check is going on. `heartbeat` is called between steps
    (raise from it to cancel). `gpu_devices`: the GPUs the caller holds for a GPU task's sandboxes.
    `parallel`: sandboxes at once after the first oracle run (the suite's own test uses several).
    """
    if oracle_repeats < 1:
        raise ValueError("oracle_repeats must be at least 1")
    if isinstance(folder_or_bundle, str | Path):
        folder_or_bundle = load_task_folder(folder_or_bundle)
    if isinstance(folder_or_bundle, TaskFolder):
        bundle = bundle_from_folder(folder_or_bundle)
        digest = folder_or_bundle.content_hash
    else:
        bundle = folder_or_bundle
        digest = content_hash(bundle.instructions, bundle.environment, bundle.scorer, bundle.solution)
    beat = heartbeat or (lambda: None)
    started = time.monotonic()
    checked_at = datetime.now(UTC).isoformat(timespec="seconds")
    oracle_runs: list[CheckRun] = []

    def check(scaffold: str, repeat: int) -> CheckRun:
        return _run_check(bundle, backend, scaffold, repeat, run_id, beat, gpu_devices)

    if bundle.solution is not None:
        # The first oracle run alone (it builds the task's image if it has a Dockerfile), then
        # the other repeats and the null run, `parallel` at a time.
        oracle_runs.append(check(ORACLE, 0))
        rest = [(ORACLE, repeat) for repeat in range(1, oracle_repeats)] + [(NULL, oracle_repeats)]
    else:
        rest = [(NULL, oracle_repeats)]
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="health") as pool:
        done = list(pool.map(lambda job: check(*job), rest))
    oracle_runs.extend(done[:-1])
    null_run = done[-1]
    healthy, flaky, problems = summarize(oracle_runs, null_run, bundle.solution is not None)
    return TaskHealth(
        task_id=bundle.task_id,
        version=bundle.version,
        content_hash=digest,
        healthy=healthy,
        flaky=flaky,
        oracle=oracle_runs,
        null=null_run,
        problems=problems,
        duration_s=round(time.monotonic() - started, 3),
        checked_at=checked_at,
    )
