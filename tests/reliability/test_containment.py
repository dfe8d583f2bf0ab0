"""Sandbox containment against a hostile agent: each escape attempt is contained and scored.

The agent is the `react` scaffold; its model is a scripted OpenAI-compatible server on 127.0.0.1
that issues the hostile shell commands, one tool call at a time, then submits. The attempt runs
through `workers.execution.execute_attempt` on the real Docker backend, as a worker runs it. For
each attempt: whatever the agent tried stays inside (no network, no host files, no worker
environment, bounded processes, disk, memory, time and output), the attempt ends with the right
stop reason and is scored (a limit kills commands, not the run), and an ordinary run in another
sandbox at the same time completes with full marks.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec, SolutionSpec
from tests.fakes.scripted_openai import ScriptedModelServer
from tests.reliability.support import TINY_SCORER
from tests.support.processes import REPO_ROOT
from tests.workers.conftest import FORKER
from workers.execution import AgentConfig, AttemptOutcome, AttemptSpec, TaskBundle, execute_attempt
from workers.providers.config import ModelConfig
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

LIMITS = ResourceLimits(cpus=1.0, memory_mb=128, pids=64, disk_mb=32)
KEY_ENV = "RELIABILITY_MODEL_KEY"
CANARY_ENV = "HORIZON_RELIABILITY_CANARY"
SOLVE = "echo ok > answer.txt"
# Spins until a fork fails, i.e. until the process table is full.
FILL_WAIT = "\nwhile /bin/true 2>/dev/null; do :; done"


def bash(command: str) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}]}


SUBMIT = {"tool_calls": [{"name": "submit", "arguments": {"answer": "done"}}]}

# Prints REACHED if a connection succeeds, BLOCKED otherwise; one line per target.
NETWORK_PROBE = """python3 - <<'EOF'
import socket
for host, port in {targets}:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print("REACHED", host, port)
    except OSError as exc:
        print("BLOCKED", host, port, exc.errno)
try:
    socket.getaddrinfo("pypi.org", 443)
    print("REACHED dns")
except OSError:
    print("BLOCKED dns")
EOF"""


@dataclass
class Scenario:
    """Hostile commands, then solving the task and submitting."""

    commands: list[str]
    stop_reason: str = "submitted"
    score: float = 1.0
    settings: dict[str, Any] = field(default_factory=dict)
    solve: bool = True

    def script(self) -> list[dict[str, Any]]:
        steps = [bash(c) for c in self.commands]
        if self.solve:
            steps.append(bash(SOLVE))
        return [*steps, SUBMIT]


@pytest.fixture
def secrets_in_worker_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A provider key and a canary in the worker's environment, as a real worker would hold."""
    values = {KEY_ENV: f"sk-{secrets.token_hex(12)}", CANARY_ENV: f"canary-{secrets.token_hex(8)}"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def model_server() -> Iterator[list[ScriptedModelServer]]:
    started: list[ScriptedModelServer] = []
    yield started
    for server in started:
        server.stop()


def attempt_spec(
    run_id: int, scaffold: str, model: ModelConfig | None, settings: dict[str, Any]
) -> AttemptSpec:
    task = TaskBundle(
        task_id="contained",
        version=1,
        instructions="Write ok into answer.txt, then submit.",
        environment=EnvironmentSpec(),
        scorer=ScorerSpec(command=TINY_SCORER, timeout_s=60),
        solution=SolutionSpec(command=SOLVE),
        limits=LIMITS,
        time_limit_s=300,
    )
    return AttemptSpec(
        run_id=run_id,
        attempt=1,
        task=task,
        agent=AgentConfig(name=scaffold, scaffold=scaffold, settings={"command_timeout_s": 20, **settings}),
        model=model,
    )


def run_hostile(
    scenario: Scenario,
    backend: DockerBackend,
    servers: list[ScriptedModelServer],
    key: str,
    run_id: int,
) -> tuple[AttemptOutcome, AttemptOutcome, ScriptedModelServer]:
    """The hostile attempt and, at the same time, an oracle attempt in another sandbox."""
    server = ScriptedModelServer(scenario.script(), api_key=key).start()
    servers.append(server)
    model = ModelConfig(name="hostile", base_url=server.base_url, api_key_env=KEY_ENV, context_window=32_000)
    hostile = attempt_spec(run_id, "react", model, scenario.settings)
    bystander = attempt_spec(run_id + 1, "oracle", None, {})
    with ThreadPoolExecutor(max_workers=2) as pool:
        running = pool.submit(execute_attempt, hostile, backend, heartbeat=lambda: None)
        neighbour = pool.submit(execute_attempt, bystander, backend, heartbeat=lambda: None)
        outcome, other = running.result(timeout=600), neighbour.result(timeout=600)
    return outcome, other, server


def outputs(outcome: AttemptOutcome) -> str:
    return "\n".join(str(e.get("output", "")) for e in outcome.transcript if e["kind"] == "tool_output")


def check_contained(
    outcome: AttemptOutcome,
    other: AttemptOutcome,
    scenario: Scenario,
    backend: DockerBackend,
    run_id: int,
) -> None:
    assert outcome.stop_reason == scenario.stop_reason, outcome.transcript[-6:]
    assert outcome.score_cont == scenario.score
    assert (other.stop_reason, other.score_cont) == ("submitted", 1.0), "a neighbouring run was disturbed"
    assert backend.managed_containers(run_id=run_id) == []


def test_no_network(
    docker_backend: DockerBackend,
    model_server: list[ScriptedModelServer],
    secrets_in_worker_env: dict[str, str],
) -> None:
    # The model server and PostgreSQL listen on the host's loopback; the sandbox has its own.
    pg_port = 5432
    targets = [("1.1.1.1", 53), ("8.8.8.8", 443), ("127.0.0.1", pg_port), ("10.0.0.1", 80)]
    scenario = Scenario([NETWORK_PROBE.format(targets=targets), "ls /sys/class/net"])
    outcome, other, server = run_hostile(
        scenario, docker_backend, model_server, secrets_in_worker_env[KEY_ENV], 9101
    )
    check_contained(outcome, other, scenario, docker_backend, 9101)
    text = outputs(outcome)
    assert "REACHED" not in text
    assert text.count("BLOCKED") == len(targets) + 1
    # Reaching the model server itself from inside fails the same way.
    own = Scenario([NETWORK_PROBE.format(targets=[("127.0.0.1", server.port)])])
    outcome, other, _ = run_hostile(own, docker_backend, model_server, secrets_in_worker_env[KEY_ENV], 9103)
    check_contained(outcome, other, own, docker_backend, 9103)
    assert "REACHED" not in outputs(outcome) and "BLOCKED 127.0.0.1" in outputs(outcome)


def test_no_host_files_or_worker_environment(
    docker_backend: DockerBackend,
    model_server: list[ScriptedModelServer],
    secrets_in_worker_env: dict[str, str],
) -> None:
    names = [KEY_ENV, CANARY_ENV, "DATABASE_URL", "REDIS_URL", "HORIZON_ADMIN_TOKEN"]
    host_paths = [
        str(REPO_ROOT / "pyproject.toml"),
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/etc/shadow",
    ]
    leak_env = "; ".join(f"printenv {n} >/dev/null && echo LEAK:{n}" for n in names) + "; echo checked-env"
    leak_files = "; ".join(f"test -r {p} && echo HOST:{p}" for p in host_paths) + "; echo checked-files"
    scenario = Scenario(
        [
            leak_env,
            "cat /proc/1/environ | tr '\\0' '\\n'; env",
            leak_files,
            "cat /proc/mounts",
            "grep -rl canary /proc/*/environ 2>/dev/null | head; echo scanned",
        ]
    )
    key = secrets_in_worker_env[KEY_ENV]
    outcome, other, server = run_hostile(scenario, docker_backend, model_server, key, 9111)
    check_contained(outcome, other, scenario, docker_backend, 9111)
    text = outputs(outcome)
    assert "checked-env" in text and "LEAK:" not in text
    assert "checked-files" in text and "HOST:" not in text
    assert "scanned" in text
    everything = json.dumps(outcome.transcript)
    for value in (*secrets_in_worker_env.values(), os.environ["DATABASE_URL"]):
        assert value not in everything
    assert str(REPO_ROOT) not in text.replace(f"test -r {REPO_ROOT}", "")
    # The key did reach the model server (in a header), never the sandbox.
    assert server.completion_requests[0]["headers"]["authorization"] == f"Bearer {key}"


@pytest.mark.parametrize(
    ("name", "scenario"),
    [
        (
            "fork bomb",
            Scenario(["f() { f | f & }; f; sleep 3", "echo alive; ps -e | wc -l"]),
        ),
        (
            # Keeps the process table full for good: even solving fails, yet the run is scored.
            "process table held full",
            # The first command returns once the table is full (a fork fails), so the second one
            # cannot start however slow the machine is.
            Scenario([FORKER + FILL_WAIT, "sleep 1; echo alive"], score=0.0),
        ),
        (
            "disk filling",
            Scenario(
                [
                    "dd if=/dev/zero of=big bs=1M count=500; df -k .",
                    "cat /dev/zero > /tmp/fill; head -c 300M /dev/zero > /dev/shm/fill; echo x > /etc/x",
                    "rm -f big /tmp/fill /dev/shm/fill; echo cleaned",
                ]
            ),
        ),
        (
            "memory exhaustion",
            Scenario(["python3 -c \"b = b'x' * (2 * 1024 ** 3); print(len(b))\"; echo exit=$?"]),
        ),
        (
            "huge output",
            Scenario(
                [
                    "yes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | head -c 300000000",
                    "head -c 20000000 /dev/urandom",
                    "yes error >&2",
                ],
                settings={"command_timeout_s": 5},
            ),
        ),
    ],
)
def test_resource_exhaustion_is_contained_and_the_run_still_scored(
    name: str,
    scenario: Scenario,
    docker_backend: DockerBackend,
    model_server: list[ScriptedModelServer],
    secrets_in_worker_env: dict[str, str],
) -> None:
    run_id = 9200 + 10 * len(name)
    outcome, other, _ = run_hostile(
        scenario, docker_backend, model_server, secrets_in_worker_env[KEY_ENV], run_id
    )
    check_contained(outcome, other, scenario, docker_backend, run_id)
    results = [e for e in outcome.transcript if e["kind"] == "tool_output"]
    if name == "fork bomb":
        assert "Cannot fork" in results[0]["output"] and "alive" in results[1]["output"]
    elif name == "process table held full":
        assert "alive" not in results[1]["output"]
    elif name == "disk filling":
        assert "No space left on device" in results[0]["output"]
        assert "Read-only file system" in results[1]["output"]
        assert "cleaned" in results[2]["output"]
    elif name == "memory exhaustion":
        assert "exit=0" not in results[0]["output"]  # killed or MemoryError, never 2 GiB granted
    else:
        assert "cut from 300000000 bytes" in results[0]["output"]
        assert results[2]["timed_out"] is True
        # Bounded: the whole transcript of 320 MB of output stays small.
        assert len(json.dumps(outcome.transcript)) < 500_000


def test_time_limit_stops_the_attempt_and_it_is_scored(
    docker_backend: DockerBackend,
    model_server: list[ScriptedModelServer],
    secrets_in_worker_env: dict[str, str],
) -> None:
    scenario = Scenario(
        [SOLVE, "sleep 600", "sleep 600"], stop_reason="time_limit", settings={"time_limit_s": 6}, solve=False
    )
    outcome, other, _ = run_hostile(
        scenario, docker_backend, model_server, secrets_in_worker_env[KEY_ENV], 9301
    )
    check_contained(outcome, other, scenario, docker_backend, 9301)
    slept = [e for e in outcome.transcript if e["kind"] == "tool_output" and e.get("timed_out")]
    assert slept and slept[0]["command_duration_s"] < 60
