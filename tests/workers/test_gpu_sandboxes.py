"""GPU tasks in sandboxes, on a host without GPUs: the GPUs held for an attempt reach Docker as a
device request (and a CPU task's sandbox never has one), a daemon without the NVIDIA runtime
refuses it, and the run then ends as an infrastructure failure with a clear message, never as the
agent's failure; a host without the GPUs fails the same way before any container exists. A task
health check of a GPU task on such a host is refused and nothing is recorded.

HORIZON_GPUS gives the host fake GPUs where a test needs the lease to succeed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Run, RunAttempt, TaskHealthCheck
from core.settings import Settings, get_settings
from core.states import RunAttemptStatus, RunStatus
from tests.factories import make_agent, make_batch, make_task
from tests.support.gpu_workers import announce_fake, empty_gpu_registry  # noqa: F401  # fixture
from tests.workers.conftest import SMALL_LIMITS
from workers.gpu_host import gpu_holdings
from workers.sandbox.base import SandboxError
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.usefixtures("empty_gpu_registry")


@pytest.fixture
def cpu_only_daemon(docker_backend: DockerBackend) -> DockerBackend:
    """The test daemon, when it cannot give containers GPUs (the case these tests are about)."""
    if "nvidia" in (docker_backend.client.info().get("Runtimes") or {}):
        pytest.skip("this Docker daemon has the NVIDIA runtime: GPU sandboxes would start")
    return docker_backend


@pytest.fixture
def sandbox_instance(docker_backend: DockerBackend, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The run job's containers carry the test session's label, so none outlives the session.
    monkeypatch.setenv("HORIZON_SANDBOX_INSTANCE", docker_backend.instance)
    yield


@pytest.mark.docker
def test_the_gpus_reach_docker_and_a_daemon_without_nvidia_refuses(
    cpu_only_daemon: DockerBackend, base_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = cpu_only_daemon.client.api
    real_start = api.start
    requested: list[Any] = []

    def start(container: str, *args: Any, **kwargs: Any) -> Any:
        # What the daemon stored for the container, read before it is started (and refused).
        requested.append(api.inspect_container(container)["HostConfig"]["DeviceRequests"])
        return real_start(container, *args, **kwargs)

    monkeypatch.setattr(api, "start", start)
    with pytest.raises(SandboxError) as refused:
        cpu_only_daemon.create(
            base_image,
            limits=SMALL_LIMITS,
            workdir="/home/agent",
            run_id=31,
            attempt=1,
            gpu_devices=("GPU-0b5c7a55-1111-2222-3333-444455556666", "1"),
        )
    assert requested == [
        [
            {
                "Driver": "nvidia",
                "Count": 0,
                "DeviceIDs": ["GPU-0b5c7a55-1111-2222-3333-444455556666", "1"],
                "Capabilities": [["gpu"]],
                "Options": {},
            }
        ]
    ]
    message = str(refused.value)
    assert "NVIDIA Container Toolkit" in message and "nvidia" in message
    assert cpu_only_daemon.managed_containers(31) == []  # the refused container was removed

    # Without GPUs asked, a sandbox has no device request at all.
    with cpu_only_daemon.create(
        base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=32, attempt=1
    ) as box:
        assert not api.inspect_container(box.container_id)["HostConfig"]["DeviceRequests"]
    assert len(requested) == 2 and not requested[1]


def _gpu_run(settings: Settings) -> int:
    announce_fake(settings, "gpu-host", 81559)
    make_task("gpu-task", settings=settings, limits={"gpus": 1, "gpu_memory_mb": 40000})
    make_agent("null-agent", "null", settings=settings)
    _, (run_id,) = make_batch(["null-agent"], ["gpu-task"], settings=settings)
    return run_id


def _ended(settings: Settings, run_id: int) -> tuple[str, str, list[str]]:
    with session_scope(settings) as s:
        run = s.get(Run, run_id)
        assert run is not None
        attempts = list(s.scalars(select(RunAttempt.status).where(RunAttempt.run_id == run_id)))
        return run.status, run.error or "", attempts


@pytest.mark.docker
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("sandbox_instance")
def test_a_gpu_run_on_a_daemon_without_nvidia_is_an_infrastructure_failure(
    db: str, tmp_path: Path, cpu_only_daemon: DockerBackend
) -> None:
    from workers.run_executor import execute_claimed_run

    settings = Settings(database_url=db, max_attempts=1, gpus="0:81559", host_state_dir=tmp_path)
    run_id = _gpu_run(settings)
    assert execute_claimed_run(run_id, settings) == RunStatus.INFRA_ERROR
    status, error, attempts = _ended(settings, run_id)
    assert status == RunStatus.INFRA_ERROR and attempts == [RunAttemptStatus.INFRA_ERROR]
    assert "sandbox" in error and "NVIDIA Container Toolkit" in error and "GPUs 0" in error
    assert gpu_holdings(settings) == []  # released with the attempt
    assert cpu_only_daemon.managed_containers(run_id) == []


@pytest.mark.docker
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("sandbox_instance")
def test_a_host_without_the_gpus_fails_the_attempt_before_any_container(
    db: str, tmp_path: Path, docker_backend: DockerBackend
) -> None:
    from workers.run_executor import execute_claimed_run

    settings = Settings(database_url=db, max_attempts=2, gpus="0:16384", host_state_dir=tmp_path)
    run_id = _gpu_run(settings)
    # The first attempt is retried (on the gpu queue: another host may have them), the last ends it.
    assert execute_claimed_run(run_id, settings) == RunStatus.QUEUED
    assert execute_claimed_run(run_id, settings) == RunStatus.INFRA_ERROR
    status, error, attempts = _ended(settings, run_id)
    assert attempts == [RunAttemptStatus.INFRA_ERROR] * 2
    assert error.startswith("attempt 2: gpu: this worker's host cannot give the task its GPUs")
    assert "at least 40000 MiB" in error
    assert docker_backend.managed_containers(run_id) == []


@pytest.fixture
def gpu_host_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HORIZON_HOST_STATE_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _health_rows() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(TaskHealthCheck)) or 0)


@pytest.mark.usefixtures("gpu_host_env")
def test_a_gpu_task_check_is_refused_where_the_host_has_no_gpus(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.task_checks import check_tasks

    monkeypatch.setenv("HORIZON_GPUS", "none")
    get_settings.cache_clear()
    make_task("gpu-task", limits={"gpus": 2})
    (result,) = check_tasks(["gpu-task"], oracle_repeats=1)
    assert not result.healthy and result.refused is not None
    assert "cannot give the task its GPUs" in result.refused and "2 GPU(s)" in result.refused
    assert result.problems == [f"not checked: {result.refused}"]
    assert result.refused.endswith("run the check on a host with its GPUs")
    assert _health_rows() == 0  # nothing ran, so nothing is recorded


@pytest.mark.docker
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("gpu_host_env", "sandbox_instance")
def test_a_gpu_task_check_gets_the_gpus_and_reports_the_daemon_refusal(
    db: str, cpu_only_daemon: DockerBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.task_checks import check_tasks

    monkeypatch.setenv("HORIZON_GPUS", "0:81559")
    get_settings.cache_clear()
    make_task("gpu-task", limits={"gpus": 1})
    (result,) = check_tasks(["gpu-task"], oracle_repeats=1)
    assert result.refused is None and not result.healthy
    assert result.null is not None and "NVIDIA Container Toolkit" in (result.null.error or "")
    assert _health_rows() == 1
    assert gpu_holdings() == []
