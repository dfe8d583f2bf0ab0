"""Task services (task.yaml `services:`): started before the agent, healthy or an infra error."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from core.taskspec import EnvironmentSpec, ServiceSpec
from workers.sandbox.base import ExecResult
from workers.task_services import LOG_DIR, ServiceFailed, start_service, start_services
from workers.transcript import Transcript


class ScriptedSandbox:
    """Answers the service launcher, `kill -0` and the health check from scripted outcomes."""

    workdir = "/home/agent"

    def __init__(self, *, alive: list[bool], checks: list[int], launch: str = "4242\n") -> None:
        self.alive, self.checks, self.launch = alive, checks, launch
        self.commands: list[tuple[str, str | None]] = []

    def exec(self, command: str, timeout_s: float, user: str | None = None) -> ExecResult:
        self.commands.append((command, user))
        if command.startswith("mkdir -p -m 700"):
            return ExecResult(0, self.launch, "", False, 0.01)
        if command.startswith("kill -0"):
            return ExecResult(0 if self.alive.pop(0) else 1, "", "", False, 0.01)
        return ExecResult(self.checks.pop(0), "", "connection refused", False, 0.01)

    def put_files(self, files: Mapping[str, str | bytes], dest_dir: str) -> None:
        raise AssertionError("not used")

    def read_bytes(self, path: str, max_bytes: int = 1_000_000) -> bytes:
        assert path.startswith(LOG_DIR)
        return b"Traceback: address already in use"

    def read_file(self, path: str, max_bytes: int = 1_000_000) -> str:
        return self.read_bytes(path, max_bytes).decode()

    def kill_user_processes(self) -> None:
        raise AssertionError("not used")

    def close(self) -> None:
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


SERVICE = ServiceSpec(
    command="python3 -m http.server 8000", healthcheck="curl -f localhost:8000", timeout_s=5
)


def test_a_service_is_started_as_root_detached_and_polled_until_healthy() -> None:
    sandbox = ScriptedSandbox(alive=[True, True, True], checks=[7, 7, 0])
    clock = FakeClock()
    start_service(sandbox, 0, SERVICE, clock=clock, sleep=clock.sleep)
    launch, user = sandbox.commands[0]
    assert user == "root" and "sh -c 'python3 -m http.server 8000' >" in launch and "&\necho $!" in launch
    assert all(u == "root" for _, u in sandbox.commands)
    assert [c for c, _ in sandbox.commands].count("curl -f localhost:8000") == 3


def test_a_service_that_exits_first_fails_with_its_log() -> None:
    sandbox = ScriptedSandbox(alive=[True, False], checks=[7])
    clock = FakeClock()
    with pytest.raises(ServiceFailed, match="exited before it was healthy") as caught:
        start_service(sandbox, 0, SERVICE, clock=clock, sleep=clock.sleep)
    assert "address already in use" in caught.value.detail


def test_a_service_never_healthy_fails_after_its_timeout() -> None:
    sandbox = ScriptedSandbox(alive=[True] * 100, checks=[1] * 100)
    clock = FakeClock()
    with pytest.raises(ServiceFailed, match="not healthy within 5 s") as caught:
        start_service(sandbox, 0, SERVICE, clock=clock, sleep=clock.sleep)
    assert clock.now <= 5 and "connection refused" in caught.value.detail


def test_a_launch_that_prints_no_pid_fails() -> None:
    sandbox = ScriptedSandbox(alive=[], checks=[], launch="")
    with pytest.raises(ServiceFailed, match="could not be started"):
        start_service(sandbox, 0, SERVICE)


def test_each_service_is_recorded_in_the_transcript() -> None:
    tr = Transcript()
    sandbox = ScriptedSandbox(alive=[True, True], checks=[0])
    start_services(sandbox, [SERVICE, ServiceSpec(command="sleep 1000")], tr)
    events = [e for e in tr.events if e["kind"] == "service"]
    assert [e["healthy"] for e in events] == [True, True]


@pytest.mark.parametrize(
    ("service", "why"),
    [
        ({"command": ""}, "at least 1 character"),
        ({"command": "x" * 2001}, "at most 2000"),
        ({"command": "a\x00b"}, "NUL"),
        ({"command": "a", "timeout_s": 601}, "less than or equal to 600"),
        ({"command": "a", "timeout_s": "5"}, "valid integer"),
        ({"command": "a", "user": "root"}, "Extra inputs"),
    ],
)
def test_service_fields_are_bounded(service: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        EnvironmentSpec.model_validate({"services": [service]})


def test_at_most_four_services_and_none_leaves_old_hashes_alone() -> None:
    with pytest.raises(ValueError, match="at most 4"):
        EnvironmentSpec.model_validate({"services": [{"command": "a"}] * 5})
    assert "services" not in EnvironmentSpec().model_dump()
    one = EnvironmentSpec.model_validate({"services": [{"command": "a"}]})
    assert one.model_dump()["services"][0]["timeout_s"] == 60


def test_task_yaml_services_reach_the_environment(tmp_path: Path) -> None:
    from core.taskfolder import load_task_folder, validate_task_folder, write_task_folder

    spec = {
        "id": "svc",
        "family": "fam",
        "title": "A task with a service",
        "version": 1,
        "time_limit_s": 60,
        "estimate": {"minutes": 1.0, "source": "author", "rationale": "small"},
        "scorer": {"command": "echo 1"},
        "services": [{"command": "python3 -m http.server 8000", "healthcheck": "true", "timeout_s": 9}],
    }
    path = write_task_folder(tmp_path / "fam" / "svc", spec, "Do it.")
    assert load_task_folder(path).environment.services[0].timeout_s == 9
    spec["services"] = [{"command": "a", "port": 1}]
    (path / "task.yaml").write_text(__import__("yaml").safe_dump(spec))
    problems = validate_task_folder(path)
    assert any(p.field == "services[0].port" and "healthcheck" in p.message for p in problems)


def test_a_failed_service_output_is_hidden_from_readers() -> None:
    from core.services.transcripts import HIDDEN_SERVICE, redact_answers

    event = {
        "kind": "service",
        "command": "serve",
        "healthy": False,
        "error": "not healthy",
        "output": "key=1",
    }
    (shown,) = redact_answers([event], oracle=False)
    assert shown == {**event, "output": HIDDEN_SERVICE}


@pytest.mark.docker
def test_a_service_never_healthy_is_the_tasks_failure_in_docker(tmp_path: Path, docker_backend: Any) -> None:
    from core.taskfolder import write_task_folder
    from workers.task_health import check_task

    spec = {
        "id": "never-healthy",
        "family": "fam",
        "title": "A service that never becomes healthy",
        "version": 1,
        "time_limit_s": 60,
        "estimate": {"minutes": 1.0, "source": "author", "rationale": "small"},
        "scorer": {"command": "echo 1"},
        "services": [{"command": "sleep 1000", "healthcheck": "test -e /tmp/ready", "timeout_s": 2}],
    }
    path = write_task_folder(tmp_path / "fam" / "never-healthy", spec, "Do nothing.")
    health = check_task(path, docker_backend, oracle_repeats=1, run_id=-7014)
    assert not health.healthy and health.null is not None
    assert health.null.score_cont is None  # no score: the agent never started
    assert health.null.error is not None and health.null.error.startswith("service: service 1 (sleep 1000)")
    assert "not healthy within 2 s" in health.null.error
