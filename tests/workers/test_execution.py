"""One attempt end to end on a real Docker daemon: oracle, null, scorer rules, failures, cancellation."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from core.states import StopReason
from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec, SolutionSpec
from workers.execution import (
    REASON_CONFIG,
    REASON_IMAGE_BUILD,
    REASON_PROVIDER,
    REASON_SANDBOX,
    REASON_SCAFFOLD,
    REASON_SCORER,
    AgentConfig,
    AttemptSpec,
    InfraError,
    TaskBundle,
    agent_limits,
    execute_attempt,
    parse_score,
)
from workers.providers.base import ProviderOutage
from workers.sandbox.docker.backend import DockerBackend
from workers.scaffolds.base import ScaffoldContext, ScaffoldResult
from workers.scaffolds.registry import register_scaffold, unregister_scaffold
from workers.transcript import Transcript

from .conftest import FORKER

# The task: add up the numbers in input.txt and write the sum to answer.txt.
SCORE_PY = """\
from pathlib import Path
answer = Path("answer.txt")
try:
    value = int(answer.read_text().strip())
except (OSError, ValueError):
    print("no readable answer.txt")
    print(0)
else:
    print(1 if value == 12 else 0)
"""
SCORER = ScorerSpec(command="python3 /scorer/score.py", files={"score.py": SCORE_PY})
SOLUTION = SolutionSpec(
    command="sh /solution/solve.sh",
    files={"solve.sh": "awk '{s += $1} END {print s}' input.txt > answer.txt\ncat answer.txt\n"},
)
ENVIRONMENT = EnvironmentSpec(files={"input.txt": "3\n4\n5\n"})
LIMITS = ResourceLimits(cpus=1.0, memory_mb=256, pids=64, disk_mb=32)


class Cancelled(Exception):
    """Stands in for what the run job's heartbeat raises when the run was cancelled."""


def make_spec(
    scaffold: str = "oracle",
    *,
    run_id: int = 100,
    environment: EnvironmentSpec = ENVIRONMENT,
    scorer: ScorerSpec = SCORER,
    solution: SolutionSpec | None = SOLUTION,
    time_limit_s: float = 120.0,
    settings: dict[str, Any] | None = None,
) -> AttemptSpec:
    task = TaskBundle(
        task_id="sum-numbers",
        version=1,
        instructions="Write the sum of the numbers in input.txt to answer.txt.",
        environment=environment,
        scorer=scorer,
        solution=solution,
        limits=LIMITS,
        time_limit_s=time_limit_s,
    )
    return AttemptSpec(
        run_id=run_id,
        attempt=1,
        task=task,
        agent=AgentConfig(name=f"{scaffold}-agent", scaffold=scaffold, settings=settings or {}),
        model=None,
    )


def no_heartbeat() -> None:
    return None


@pytest.fixture
def scaffold_registry() -> Iterator[Callable[[str, Callable[[ScaffoldContext], ScaffoldResult]], None]]:
    """Register throwaway scaffolds from plain functions; unregistered after the test."""
    names: list[str] = []

    class FunctionScaffold:
        def __init__(self, name: str, body: Callable[[ScaffoldContext], ScaffoldResult]) -> None:
            self.name = name
            self.needs_model = False
            self._body = body

        def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
            return self._body(ctx)

    def register(name: str, body: Callable[[ScaffoldContext], ScaffoldResult]) -> None:
        names.append(name)
        register_scaffold(name, lambda _settings: FunctionScaffold(name, body))

    yield register
    for name in names:
        unregister_scaffold(name)


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in events]


# --- pure helpers -------------------------------------------------------------------------------


def test_parse_score_takes_the_last_non_empty_line_in_range() -> None:
    assert parse_score("checking\n0.25\n\n") == 0.25
    assert parse_score("1") == 1.0
    assert parse_score("0.5\ndone") is None
    assert parse_score("1.5") is None
    assert parse_score("nan") is None
    assert parse_score("") is None


def test_agent_limits_take_the_tighter_time_limit() -> None:
    limits = agent_limits({"token_limit": 1000, "time_limit_s": 600, "command_timeout_s": 30}, 300.0)
    assert (limits.token_limit, limits.time_limit_s, limits.command_timeout_s) == (1000, 300.0, 30.0)
    assert agent_limits({"time_limit_s": 60}, 300.0).time_limit_s == 60.0
    assert agent_limits({}, 0).time_limit_s is None


def test_daemon_unreachable_is_an_infra_error() -> None:
    backend = DockerBackend("unix:///nonexistent/horizon-docker.sock")
    with pytest.raises(InfraError) as info:
        execute_attempt(make_spec(), backend, heartbeat=no_heartbeat)
    assert info.value.reason == REASON_SANDBOX
    assert "no Docker daemon reachable" in info.value.message


# --- end to end on Docker -----------------------------------------------------------------------


@pytest.mark.docker
def test_oracle_scores_one(docker_backend: DockerBackend) -> None:
    transcript = Transcript()
    outcome = execute_attempt(
        make_spec("oracle"), docker_backend, heartbeat=no_heartbeat, transcript=transcript
    )
    assert outcome.stop_reason == StopReason.SUBMITTED
    assert (outcome.score_cont, outcome.score_binarized) == (1.0, 1)
    assert outcome.submission == "12"
    assert outcome.transcript is transcript.events
    assert kinds(outcome.transcript)[0] == "task_start"
    for kind in ("sandbox_ready", "command", "submit", "scorer", "score", "task_end"):
        assert kind in kinds(outcome.transcript)
    for key in ("image_s", "create_s", "agent_s", "score_s", "teardown_s", "total_s"):
        assert outcome.timings[key] >= 0
    assert docker_backend.managed_containers(run_id=100) == []


@pytest.mark.docker
def test_null_scores_zero(docker_backend: DockerBackend) -> None:
    outcome = execute_attempt(make_spec("null", run_id=101), docker_backend, heartbeat=no_heartbeat)
    assert (outcome.stop_reason, outcome.submission) == (StopReason.SUBMITTED, "")
    assert (outcome.score_cont, outcome.score_binarized) == (0.0, 0)
    scorer_event = next(e for e in outcome.transcript if e["kind"] == "scorer")
    assert "no readable answer.txt" in scorer_event["stdout"]
    assert docker_backend.managed_containers(run_id=101) == []


@pytest.mark.docker
def test_oracle_on_a_dockerfile_environment(docker_backend: DockerBackend) -> None:
    env = EnvironmentSpec(
        dockerfile="FROM horizon-base\nCOPY input.txt /home/agent/input.txt\n",
        files={"input.txt": "6\n6\n"},
    )
    outcome = execute_attempt(make_spec(environment=env, run_id=102), docker_backend, heartbeat=no_heartbeat)
    assert outcome.score_cont == 1.0


@pytest.mark.docker
def test_partial_credit_and_threshold(docker_backend: DockerBackend) -> None:
    scorer = ScorerSpec(command="echo grading; echo 0.75", threshold=0.8)
    outcome = execute_attempt(make_spec(scorer=scorer, run_id=103), docker_backend, heartbeat=no_heartbeat)
    assert (outcome.score_cont, outcome.score_binarized) == (0.75, 0)


@pytest.mark.docker
def test_submission_reaches_the_scorer(docker_backend: DockerBackend, scaffold_registry: Any) -> None:
    scaffold_registry(
        "answers-42", lambda ctx: ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission="42")
    )
    scorer = ScorerSpec(command='[ "$(cat "$HORIZON_SUBMISSION_FILE")" = 42 ] && echo 1 || echo 0')
    outcome = execute_attempt(
        make_spec("answers-42", scorer=scorer, run_id=104), docker_backend, heartbeat=no_heartbeat
    )
    assert outcome.score_cont == 1.0


@pytest.mark.docker
def test_agent_cannot_plant_a_scorer(docker_backend: DockerBackend, scaffold_registry: Any) -> None:
    def cheat(ctx: ScaffoldContext) -> ScaffoldResult:
        result = ctx.sandbox.exec("echo 'print(1)' > /scorer/score.py", timeout_s=10)
        ctx.transcript.add("command", command="plant", stderr=result.stderr, exit_code=result.exit_code)
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission="")

    scaffold_registry("cheater", cheat)
    outcome = execute_attempt(make_spec("cheater", run_id=105), docker_backend, heartbeat=no_heartbeat)
    planted = next(e for e in outcome.transcript if e.get("command") == "plant")
    assert planted["exit_code"] != 0 and "Permission denied" in planted["stderr"]
    assert outcome.score_cont == 0.0


@pytest.mark.docker
def test_agent_that_breaks_its_environment_scores_zero(
    docker_backend: DockerBackend, scaffold_registry: Any
) -> None:
    def vandal(ctx: ScaffoldContext) -> ScaffoldResult:
        ctx.sandbox.exec("rm -f input.txt; mkdir answer.txt; chmod 000 answer.txt", timeout_s=10)
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission="")

    scaffold_registry("vandal", vandal)
    outcome = execute_attempt(make_spec("vandal", run_id=106), docker_backend, heartbeat=no_heartbeat)
    assert (outcome.score_cont, outcome.stop_reason) == (0.0, StopReason.SUBMITTED)


@pytest.mark.docker
def test_agent_that_fills_the_process_table_is_still_scored(
    docker_backend: DockerBackend, scaffold_registry: Any
) -> None:
    def forker(ctx: ScaffoldContext) -> ScaffoldResult:
        ctx.sandbox.exec(FORKER, timeout_s=10)
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission="")

    scaffold_registry("forker", forker)
    outcome = execute_attempt(make_spec("forker", run_id=115), docker_backend, heartbeat=no_heartbeat)
    assert outcome.score_cont == 0.0


@pytest.mark.docker
def test_agent_that_fills_both_disks_cannot_starve_the_scorer(
    docker_backend: DockerBackend, scaffold_registry: Any
) -> None:
    def hoarder(ctx: ScaffoldContext) -> ScaffoldResult:
        for target in ("fill.bin", "/tmp/fill.bin"):
            ctx.sandbox.exec(f"dd if=/dev/zero of={target} bs=1M count=1000", timeout_s=60)
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission="")

    scaffold_registry("hoarder", hoarder)
    # More disk than memory: full disks alone would exceed a memory + disk cgroup limit.
    spec = make_spec("hoarder", run_id=116)
    small_memory = ResourceLimits(cpus=1.0, memory_mb=64, pids=64, disk_mb=96)
    spec = replace(spec, task=replace(spec.task, limits=small_memory))
    outcome = execute_attempt(spec, docker_backend, heartbeat=no_heartbeat)
    assert outcome.score_cont == 0.0


@pytest.mark.docker
def test_oracle_past_the_time_limit_stops_with_time_limit(docker_backend: DockerBackend) -> None:
    slow = SolutionSpec(command="sleep 60; echo 12 > answer.txt")
    spec = make_spec(solution=slow, time_limit_s=1.0, run_id=107)
    outcome = execute_attempt(spec, docker_backend, heartbeat=no_heartbeat)
    assert (outcome.stop_reason, outcome.score_cont) == (StopReason.TIME_LIMIT, 0.0)


@pytest.mark.docker
@pytest.mark.parametrize(
    "command",
    [
        "python3 -c 'import sys; sys.exit(2)'",  # crashes without a score
        "echo 1.5",  # out of range
        "echo passed",  # not a number
    ],
)
def test_broken_scorer_is_an_infra_error(docker_backend: DockerBackend, command: str) -> None:
    spec = make_spec(scorer=ScorerSpec(command=command), run_id=108)
    with pytest.raises(InfraError) as info:
        execute_attempt(spec, docker_backend, heartbeat=no_heartbeat)
    assert info.value.reason == REASON_SCORER
    assert "infra_error" in kinds(info.value.transcript)
    assert docker_backend.managed_containers(run_id=108) == []


@pytest.mark.docker
def test_broken_dockerfile_is_an_infra_error_with_the_build_log(docker_backend: DockerBackend) -> None:
    marker = f"broken-{secrets.token_hex(3)}"
    env = EnvironmentSpec(dockerfile=f"FROM horizon-base\nRUN echo {marker} && false\n")
    with pytest.raises(InfraError) as info:
        execute_attempt(make_spec(environment=env, run_id=109), docker_backend, heartbeat=no_heartbeat)
    assert info.value.reason == REASON_IMAGE_BUILD
    assert marker in info.value.message and "non-zero code: 1" in info.value.message


@pytest.mark.docker
def test_unknown_scaffold_and_scaffold_crash_are_infra_errors(
    docker_backend: DockerBackend, scaffold_registry: Any
) -> None:
    with pytest.raises(InfraError) as unknown:
        execute_attempt(make_spec("no-such-scaffold", run_id=110), docker_backend, heartbeat=no_heartbeat)
    assert unknown.value.reason == REASON_CONFIG

    def crash(ctx: ScaffoldContext) -> ScaffoldResult:
        raise KeyError("bug in the scaffold")

    scaffold_registry("crashes", crash)
    with pytest.raises(InfraError) as crashed:
        execute_attempt(make_spec("crashes", run_id=111), docker_backend, heartbeat=no_heartbeat)
    assert crashed.value.reason == REASON_SCAFFOLD and "KeyError" in crashed.value.message
    # The crash's text and traceback go to the worker's log, not into the (public) stored error.
    assert "bug in the scaffold" not in crashed.value.message and "Traceback" not in crashed.value.message
    assert docker_backend.managed_containers(run_id=111) == []

    # runs.stop_reason holds only StopReason values (a CHECK constraint): any other is the
    # scaffold's bug, ended before anything is stored, and its value stays out of the public error.
    scaffold_registry("gives-up", lambda ctx: ScaffoldResult(stop_reason="gave-up-canary", submission=""))  # type: ignore[arg-type]
    with pytest.raises(InfraError) as unknown_stop:
        execute_attempt(make_spec("gives-up", run_id=112), docker_backend, heartbeat=no_heartbeat)
    assert (
        unknown_stop.value.reason == REASON_SCAFFOLD and "unknown stop reason" in unknown_stop.value.message
    )
    assert "canary" not in unknown_stop.value.message
    assert docker_backend.managed_containers(run_id=112) == []


@pytest.mark.docker
def test_provider_outage_is_an_infra_error(docker_backend: DockerBackend, scaffold_registry: Any) -> None:
    def outage(ctx: ScaffoldContext) -> ScaffoldResult:
        raise ProviderOutage("503 after 5 retries")

    scaffold_registry("outage", outage)
    with pytest.raises(InfraError) as info:
        execute_attempt(make_spec("outage", run_id=112), docker_backend, heartbeat=no_heartbeat)
    assert info.value.reason == REASON_PROVIDER
    assert docker_backend.managed_containers(run_id=112) == []


@pytest.mark.docker
def test_cancellation_between_steps_removes_the_container(docker_backend: DockerBackend) -> None:
    calls = 0

    def heartbeat() -> None:
        nonlocal calls
        calls += 1
        if calls == 4:  # after the sandbox exists, before the agent is done
            raise Cancelled("run 113 was cancelled")

    with pytest.raises(Cancelled):
        execute_attempt(make_spec(run_id=113), docker_backend, heartbeat=heartbeat, heartbeat_interval_s=0)
    assert docker_backend.managed_containers(run_id=113) == []


@pytest.mark.docker
@pytest.mark.timeout(180)
def test_cancellation_during_a_long_command_stops_it(docker_backend: DockerBackend) -> None:
    """The keepalive thread sees the cancellation while `sleep 600` blocks the scaffold."""
    cancel_after = time.monotonic() + 2.0

    def heartbeat() -> None:
        if time.monotonic() > cancel_after:
            raise Cancelled("run 114 was cancelled")

    spec = make_spec(solution=SolutionSpec(command="sleep 600"), time_limit_s=900, run_id=114)
    transcript = Transcript()
    with pytest.raises(Cancelled):
        execute_attempt(
            spec, docker_backend, heartbeat=heartbeat, transcript=transcript, heartbeat_interval_s=0.2
        )
    assert docker_backend.managed_containers(run_id=114) == []
    assert "cancelled" in kinds(transcript.events)
