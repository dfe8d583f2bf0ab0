"""One inference server per model per host, shared by worker processes: real worker processes
(tests/support/inference_lessee.py) lease a fake server (tests/fakes/fake_inference_server.py)
that counts its starts and reports the GPUs it was given, on fake GPUs (HORIZON_GPUS)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from core.taskspec import EnvironmentSpec, ResourceLimits
from tests.factories import make_agent, make_model, make_run, make_task
from tests.fakes.fake_inference_server import TEMPLATE
from tests.fakes.local_sandbox import LocalSandbox
from workers import inference_server, run_executor
from workers.gpu_host import GpuUnavailable, gpu_holdings
from workers.host_state import host_state_dir
from workers.inference_server import InferenceServerManager, ManagedServer, new_namespace
from workers.providers.config import ModelConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = {"fake": TEMPLATE}


class Lessee:
    """A worker process holding a lease on the fake model's server until told to let go."""

    def __init__(self, name: str, namespace: str, state: Path, control: Path, **options: Any) -> None:
        self.name, self.control = name, control
        extra_env = options.pop("env", {})
        args = ["--name", name, "--namespace", namespace, "--state", str(state), "--control", str(control)]
        for option, value in options.items():
            args += [f"--{option}", str(value)]
        env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.inference_lessee", *args],
            cwd=REPO_ROOT,
            env={**env, **extra_env},
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())

    def expect(self, prefix: str, timeout: float = 60) -> str:
        """The rest of the next line, which must start with `prefix`."""
        line = self._lines.get(timeout=timeout)
        assert line.startswith(prefix), line
        return line[len(prefix) :].strip()

    def leased_url(self) -> str:
        return self.expect("leased")

    def release(self) -> None:
        (self.control / f"release-{self.name}").touch()
        self.expect("released")

    def exit(self) -> None:
        (self.control / f"exit-{self.name}").touch()
        assert self.proc.wait(timeout=60) == 0

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def lessees() -> Iterator[list[Lessee]]:
    started: list[Lessee] = []
    yield started
    for lessee in started:
        if lessee.proc.poll() is None:
            lessee.kill()


@pytest.fixture
def namespace() -> Iterator[str]:
    ns = new_namespace("shared")
    yield ns
    # Whatever a failed test left running in this namespace is stopped.
    InferenceServerManager(idle_timeout_s=0, templates=TEMPLATES, namespace=ns).stop_idle(now=time.time() + 1)


def fake_model(tmp_path: Path, name: str = "model", gpus: int = 0) -> ModelConfig:
    state = tmp_path / name
    state.mkdir()
    return ModelConfig(name=name, managed=True, server_template="fake", weights=str(state), gpus=gpus)


def starts(cfg: ModelConfig) -> list[int]:
    path = Path(str(cfg.weights)) / "starts"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def visible_devices(cfg: ModelConfig, pid: int) -> str | None:
    env = json.loads((Path(str(cfg.weights)) / f"env-{pid}.json").read_text())
    return env["CUDA_VISIBLE_DEVICES"]  # type: ignore[no-any-return]


def observer(namespace: str, **kwargs: Any) -> InferenceServerManager:
    """Another worker's manager of the same deployment, to look and to stop idle servers."""
    return InferenceServerManager(templates=TEMPLATES, namespace=namespace, **kwargs)


def answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/models", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_two_worker_processes_leasing_at_once_start_one_server(
    tmp_path: Path, namespace: str, lessees: list[Lessee]
) -> None:
    cfg = fake_model(tmp_path)
    control = tmp_path / "control"
    control.mkdir()
    a, b = (Lessee(n, namespace, Path(str(cfg.weights)), control) for n in ("a", "b"))
    lessees += [a, b]
    url = a.leased_url()
    assert b.leased_url() == url
    assert len(starts(cfg)) == 1, "the second worker started a duplicate server"

    other = observer(namespace, idle_timeout_s=0)
    later = time.time() + 60
    assert other.stop_idle(now=later) == []  # both lease it
    a.release()
    assert other.stop_idle(now=later) == []  # b still does
    assert answers(url)
    b.release()
    (stopped,) = other.stop_idle(now=later)
    assert stopped.base_url == url and not stopped.alive() and not answers(url)
    assert other.running() == []
    a.exit()
    b.exit()
    assert len(starts(cfg)) == 1


def test_a_server_started_by_one_worker_keeps_serving_another_after_it_exits(
    tmp_path: Path, namespace: str, lessees: list[Lessee]
) -> None:
    cfg = fake_model(tmp_path)
    control = tmp_path / "control"
    control.mkdir()
    a = Lessee("a", namespace, Path(str(cfg.weights)), control)
    lessees.append(a)
    url = a.leased_url()  # a starts the server
    b = Lessee("b", namespace, Path(str(cfg.weights)), control)
    lessees.append(b)
    assert b.leased_url() == url
    a.release()
    a.exit()  # its exit hook stops only servers it started that nobody leases: b does
    assert answers(url)
    (server,) = observer(namespace).running()
    assert server.base_url == url
    b.release()
    b.exit()  # b did not start it, and it is not idle long enough: kept warm for the next run
    assert answers(url)
    third = observer(namespace, idle_timeout_s=3600)
    with third.lease(cfg) as resolved:
        assert resolved.base_url == url  # reused, not restarted
    assert len(starts(cfg)) == 1
    assert [s.pid for s in third.stop_idle(now=time.time() + 3601)] == [server.pid]


def test_a_killed_workers_server_and_gpus_are_freed_by_the_next_worker_once_idle(
    db: str, tmp_path: Path, lessees: list[Lessee], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=db, gpus="0:1000")
    # The next worker's manager is the process-wide one, of this deployment (its instance id).
    monkeypatch.setattr(inference_server, "_default_manager", None)
    monkeypatch.setenv("HORIZON_INFERENCE_IDLE_S", "3600")
    from core.services.deployment import instance_id

    namespace = instance_id(settings)
    cfg = fake_model(tmp_path, gpus=1)
    control = tmp_path / "control"
    control.mkdir()
    a = Lessee("a", namespace, Path(str(cfg.weights)), control, gpus=1, env={"HORIZON_GPUS": "0:1000"})
    lessees.append(a)
    url = a.leased_url()
    (held,) = gpu_holdings(settings)
    server_pid = starts(cfg)[0]
    assert held.pid == server_pid and held.owner.startswith(f"server:{namespace}:")
    os.kill(a.proc.pid, signal.SIGKILL)  # the worker dies mid-lease; its lease lock dies with it
    a.proc.wait(timeout=10)
    assert answers(url)

    manager = inference_server.default_manager(TEMPLATES, settings)  # a worker starting: one pass
    try:
        assert answers(url), "stopped before it was idle for HORIZON_INFERENCE_IDLE_S"
        assert [s.pid for s in manager.stop_idle(now=time.time() + 3601)] == [server_pid]
        assert not answers(url) and gpu_holdings(settings) == []
        # And at once when it was already idle long enough when the worker started.
        monkeypatch.setattr(inference_server, "_default_manager", None)
        b = Lessee("b", namespace, Path(str(cfg.weights)), control, gpus=1, env={"HORIZON_GPUS": "0:1000"})
        lessees.append(b)
        url = b.leased_url()
        os.kill(b.proc.pid, signal.SIGKILL)
        b.proc.wait(timeout=10)
        monkeypatch.setenv("HORIZON_INFERENCE_IDLE_S", "0")
        time.sleep(0.05)
        fresh = inference_server.default_manager(TEMPLATES, settings)
        assert not answers(url) and gpu_holdings(settings) == [] and fresh.running() == []
        fresh.stop_all()
    finally:
        manager.stop_all()


def test_models_get_their_own_gpus_and_the_gpu_count_is_enforced(tmp_path: Path, namespace: str) -> None:
    settings = Settings(gpus="0:1000,1:1000", gpu_wait_s=0.3)
    manager = observer(namespace, idle_timeout_s=0, settings=settings, poll_interval_s=0.05)
    first, second, third = (fake_model(tmp_path, n, gpus=1) for n in ("first", "second", "third"))
    cpu, greedy = fake_model(tmp_path, "cpu", gpus=0), fake_model(tmp_path, "greedy", gpus=3)
    try:
        with manager.lease(first), manager.lease(second), manager.lease(cpu):
            devices = {visible_devices(m, starts(m)[0]) for m in (first, second)}
            assert devices == {"0", "1"}
            assert visible_devices(cpu, starts(cpu)[0]) is None  # no GPUs asked: environment as is
            held = sorted(h.gpus for h in gpu_holdings(settings))
            assert held == [(0,), (1,)]
            # Both GPUs busy: a third model waits HORIZON_GPU_WAIT_S, then fails; nothing starts.
            with pytest.raises(GpuUnavailable, match="stayed busy"):
                manager.ensure_running(third)
            assert starts(third) == []
        # More GPUs than the host has: at once, nothing started.
        with pytest.raises(GpuUnavailable, match="3 GPU.s. asked for"):
            manager.ensure_running(greedy)
        assert starts(greedy) == [] and len(manager.running()) == 3
    finally:
        manager.stop_idle(now=time.time() + 1)
    assert gpu_holdings(settings) == []


def test_the_same_weights_on_more_gpus_is_another_server(tmp_path: Path, namespace: str) -> None:
    """A model asking 2 GPUs never reuses the 1-GPU server of the same weights (found on a real
    GPU host: the key ignored the GPU count, so the 2-GPU model ran on the 1-GPU server)."""
    settings = Settings(gpus="0:1000,1:1000,2:1000", gpu_wait_s=0.3)
    manager = observer(namespace, idle_timeout_s=0, settings=settings, poll_interval_s=0.05)
    one = fake_model(tmp_path, "weights", gpus=1)
    two = replace(one, name="weights-tp2", gpus=2)
    try:
        with manager.lease(one) as a, manager.lease(two) as b:
            assert a.base_url != b.base_url
            pids = starts(one)
            assert len(pids) == 2
            assert sorted(len(str(visible_devices(one, pid)).split(",")) for pid in pids) == [1, 2]
    finally:
        manager.stop_idle(now=time.time() + 1)


def test_unused_servers_give_their_gpus_to_a_model_that_needs_them(tmp_path: Path, namespace: str) -> None:
    settings = Settings(gpus="0:1000", gpu_wait_s=0.3)
    manager = observer(namespace, idle_timeout_s=3600, settings=settings, poll_interval_s=0.05)
    warm, cpu, needy = (
        fake_model(tmp_path, "warm", 1),
        fake_model(tmp_path, "cpu", 0),
        fake_model(tmp_path, "needy", 1),
    )
    try:
        with manager.lease(warm):
            with pytest.raises(GpuUnavailable, match="stayed busy"):
                manager.ensure_running(needy)  # a leased server keeps its GPU
        manager.ensure_running(cpu)
        # Nobody leases `warm` now: it is stopped, though not idle for long, and `needy` gets GPU 0.
        with manager.lease(needy):
            assert visible_devices(needy, starts(needy)[0]) == "0"
            running = {Path(s.key[1]).name for s in manager.running()}
            assert running == {"needy", "cpu"}  # the server without GPUs was left alone
    finally:
        manager.stop_idle(now=time.time() + 3601)


def test_a_forged_record_never_gets_an_unrelated_process_killed(tmp_path: Path, namespace: str) -> None:
    """A record naming a process that is not the server (a recycled pid, or a tampered file) is
    cleaned up without signalling anything."""
    manager = observer(namespace, idle_timeout_s=0)
    folder = host_state_dir() / "inference" / namespace
    folder.mkdir(parents=True)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name, pid_start in (("recycled", 1), ("no-start-time", None)):
            forged = ManagedServer(
                key=(TEMPLATE, name),
                argv=["vllm", "serve", name],
                host="127.0.0.1",
                port=9,
                pid=bystander.pid,
                pid_start=pid_start,
                log_path=folder / "x.log",
                started_at=0.0,
                last_used_at=0.0,
                ready=True,
            )
            (folder / f"{name}.json").write_text(json.dumps(forged.record()))
        (folder / "junk.json").write_text("[1, 2")
        manager.stop_idle(now=time.time())
        assert bystander.poll() is None, "an unrelated process was signalled"
        assert sorted(p.name for p in folder.glob("*.json")) == []
    finally:
        bystander.kill()
        bystander.wait(timeout=10)


class _Backend:
    """Local sandboxes (the run fails before one is made)."""

    name = "local"

    def ensure_image(self, env: EnvironmentSpec) -> str:
        return "local"

    def create(
        self, image: str, *, limits: ResourceLimits, workdir: str, run_id: int, attempt: int
    ) -> LocalSandbox:
        return LocalSandbox()

    def close(self) -> None:
        pass


def test_a_model_asking_more_gpus_than_the_host_has_is_an_infrastructure_failure(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "big"
    state.mkdir()
    settings = Settings(database_url=db, max_attempts=1, gpus="0:81559", inference_templates=TEMPLATES)
    make_task("gpu-model-task")
    make_model("big-model", managed=True, server_template="fake", weights=str(state), gpus=2)
    # Queued directly: a batch would be refused up front when no announced GPU worker has 2 GPUs,
    # but a worker can still meet such a run (its host changed, or HORIZON_GPUS was lowered).
    run_id = make_run("gpu-model-task", make_agent("big-agent", "react", model="big-model"))
    monkeypatch.setattr(run_executor, "get_backend", lambda *args, **kwargs: _Backend())
    monkeypatch.setattr(inference_server, "_default_manager", None)
    try:
        assert run_executor.execute_claimed_run(run_id, settings) == "infra_error"
    finally:
        manager = inference_server._default_manager
        if manager is not None:
            manager.stop_all()
    from core.db import session_scope
    from core.models import Run

    with session_scope(settings) as s:
        run = s.get(Run, run_id)
        assert run is not None and run.score_binarized is None and run.error is not None
        assert "gpu: " in run.error and "2 GPU(s) asked for" in run.error, run.error
    assert not (state / "starts").exists()
