"""Operator limits and quotas: task resources above HORIZON_TASK_MAX_*, queued work past a token's
quota, oversized batches, cancelled batches' queue messages, and YAML alias bombs.

Each attack is refused with a clear 4xx (or a config error on the worker), stores nothing, and
costs little time and memory.
"""

from __future__ import annotations

import io
import json
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from analysis.bounded_yaml import YAMLTooLarge, load_yaml
from core.db import session_scope
from core.models import Batch, Run, Task, TaskVersion
from core.queue import QUEUE_RUNS, CeleryQueue, InProcessQueue, JobMessage, register_job
from core.schemas import BatchCreate
from core.services import batches as batch_svc
from core.settings import Settings
from core.taskfolder import validate_task_folder
from core.taskspec import ResourceLimits
from tests.factories import make_token, task_body
from tests.reliability.support import RedisServer, tiny_task
from tests.web.conftest import post_form, sign_in
from workers.execution import REASON_CONFIG, InfraError, check_maxima
from workers.sandbox.base import SandboxError
from workers.sandbox.docker.backend import DockerBackend

HUGE: dict[str, Any] = {"cpus": 64.0, "memory_mb": 262144, "pids": 65536, "disk_mb": 1048576}

# Nine levels of nine aliases: 761 bytes that expand to 9**9 strings.
ALIAS_BOMB = "\n".join(
    [
        'id: bomb\nfamily: demo\ntitle: t\na: &a ["x","x","x","x","x","x","x","x","x"]',
        *(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
        "time_limit_s: *i",
    ]
)


@pytest.fixture
def app(db: str) -> Iterator[tuple[TestClient, Settings]]:
    from api.app import create_app

    settings = Settings(database_url=db, quota_queued_runs=30, quota_analyses=1)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def _auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(role)}"}


def _count(model: Any) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


# --- task resources ---------------------------------------------------------------------------


def test_huge_limits_refused_at_the_api_for_everyone(app: tuple[TestClient, Settings]) -> None:
    client, _ = app
    for role in ("submitter", "admin"):
        r = client.post(
            "/api/tasks", json=task_body(limits=HUGE, time_limit_s=7 * 24 * 3600), headers=_auth(role)
        )
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        for field, setting in (
            ("limits.memory_mb", "HORIZON_TASK_MAX_MEMORY_MB"),
            ("limits.disk_mb", "HORIZON_TASK_MAX_DISK_MB"),
            ("limits.pids", "HORIZON_TASK_MAX_PIDS"),
            ("limits.cpus", "HORIZON_TASK_MAX_CPUS"),
            ("time_limit_s", "HORIZON_TASK_MAX_TIME_LIMIT_S"),
        ):
            assert field in detail and setting in detail, detail
        assert "8,192" in detail
    assert _count(Task) == 0 and _count(TaskVersion) == 0

    headers = _auth("submitter")
    assert client.post("/api/tasks", json=task_body(), headers=headers).status_code == 201
    r = client.patch("/api/tasks/fix-bug", json={"limits": {**HUGE, "cpus": 1.0}}, headers=headers)
    assert r.status_code == 422 and "limits.memory_mb" in r.json()["detail"], r.text
    assert _count(TaskVersion) == 1
    # At the maxima exactly is fine.
    at_max = {"cpus": 4.0, "memory_mb": 8192, "pids": 1024, "disk_mb": 8192}
    r = client.patch("/api/tasks/fix-bug", json={"limits": at_max, "time_limit_s": 86400}, headers=headers)
    assert r.status_code == 200, r.text


def test_huge_limits_refused_in_a_task_folder_and_archive(tmp_path: Path) -> None:
    folder = tmp_path / "demo" / "big"
    (folder / "scorer").mkdir(parents=True)
    (folder / "scorer" / "score.py").write_text("print(1)\n")
    (folder / "instructions.md").write_text("Do it.\n")
    spec = {
        "id": "big",
        "family": "demo",
        "title": "Big",
        "version": 1,
        "time_limit_s": 600,
        "resources": {"cpus": 1, "memory_mb": 262144, "pids": 64, "disk_mb": 1048576},
        "scorer": {"command": "python3 /scorer/score.py"},
        "estimate": {"minutes": 1.5, "source": "author", "rationale": "small"},
    }
    (folder / "task.yaml").write_text(yaml.safe_dump(spec))
    problems = {p.field: p.message for p in validate_task_folder(folder)}
    assert set(problems) == {"resources.memory_mb", "resources.disk_mb"}, problems
    assert "HORIZON_TASK_MAX_DISK_MB" in problems["resources.disk_mb"]


def test_stored_over_limit_version_refused_before_any_container(
    docker_backend: DockerBackend, base_image: str
) -> None:
    # A version stored before the operator lowered the maxima: the worker refuses it as a config
    # error, and the backend itself will not start a container with such limits.
    huge = ResourceLimits(**HUGE)
    with pytest.raises(InfraError) as info:
        check_maxima(huge, 3600)
    assert info.value.reason == REASON_CONFIG and "HORIZON_TASK_MAX_MEMORY_MB" in info.value.message
    with pytest.raises(InfraError):
        check_maxima(ResourceLimits(), 30 * 24 * 3600)
    # Only this run's containers: other sessions may share the daemon.
    this_run = {"label": ["horizon.run_id=9999001"]}
    with pytest.raises(SandboxError, match="maxima"):
        docker_backend.create(base_image, limits=huge, workdir="/home/agent", run_id=9_999_001, attempt=1)
    assert docker_backend.client.containers.list(all=True, filters=this_run) == []

    # Within the maxima, the container gets exactly the task's limits (CPUs always capped).
    limits = ResourceLimits(cpus=0.5, memory_mb=64, pids=64, disk_mb=8)
    sandbox = docker_backend.create(
        base_image, limits=limits, workdir="/home/agent", run_id=9_999_002, attempt=1
    )
    try:
        host = docker_backend.client.api.inspect_container(sandbox.name)["HostConfig"]
        assert host["NanoCpus"] == 500_000_000
        assert host["Memory"] == (64 + 2 * 8) * 1024 * 1024
        assert host["PidsLimit"] == 64
        assert "size=8m" in host["Tmpfs"]["/home/agent"] and "size=8m" in host["Tmpfs"]["/tmp"]
    finally:
        sandbox.close()


# --- quotas and batch size --------------------------------------------------------------------


def _catalog(client: TestClient, headers: dict[str, str], n_tasks: int) -> None:
    for i in range(n_tasks):
        r = client.post("/api/tasks", json=tiny_task(f"q-{i}", ["q"]), headers=headers)
        assert r.status_code == 201, r.text
    r = client.post("/api/agents", json={"name": "null", "scaffold": "null"}, headers=headers)
    assert r.status_code == 201, r.text


def test_queued_run_and_analysis_quotas(app: tuple[TestClient, Settings]) -> None:
    client, _ = app
    submitter, admin = _auth("submitter"), _auth("admin")
    _catalog(client, admin, 5)
    body = {"agents": ["null"], "tags": ["q"], "repeats": 4}  # 20 runs
    r = client.post("/api/batches", json=body, headers=submitter)
    assert r.status_code == 201, r.text
    first = r.json()["id"]
    runs_before = _count(Run)
    r = client.post("/api/batches", json=body, headers=submitter)
    assert r.status_code == 429, r.text
    assert "20 queued or running" in r.json()["detail"] and "30" in r.json()["detail"]
    assert _count(Run) == runs_before and _count(Batch) == 1
    # Another submitter has a quota of their own; admins have none.
    assert client.post("/api/batches", json=body, headers=_auth("submitter")).status_code == 201
    assert client.post("/api/batches", json={**body, "repeats": 20}, headers=admin).status_code == 201
    # Cancelling frees the quota.
    assert client.post(f"/api/batches/{first}/cancel", headers=submitter).status_code == 200
    assert client.post("/api/batches", json=body, headers=submitter).status_code == 201

    r = client.post("/api/analyses", json={"bootstrap": 10}, headers=submitter)
    assert r.status_code == 202, r.text
    r = client.post("/api/analyses", json={"bootstrap": 10}, headers=submitter)
    assert r.status_code == 429 and "HORIZON_QUOTA_ANALYSES" in r.json()["detail"], r.text


def test_oversized_batch_refused_before_any_row(app: tuple[TestClient, Settings]) -> None:
    client, _ = app
    admin = _auth("admin")
    _catalog(client, admin, 21)
    body = {"agents": ["null"], "tags": ["q"], "repeats": 1000}  # 21,000 runs
    tracemalloc.start()
    started = time.monotonic()
    r = client.post("/api/batches", json=body, headers=admin)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert r.status_code == 422 and "HORIZON_MAX_BATCH_RUNS" in r.json()["detail"], r.text
    assert "21,000" in r.json()["detail"]
    assert elapsed < 5 and peak < 20_000_000, (elapsed, peak)
    assert _count(Run) == 0 and _count(Batch) == 0


def test_max_size_batch_is_built_in_bounded_memory(app: tuple[TestClient, Settings]) -> None:
    client, settings = app
    _catalog(client, _auth("admin"), 20)
    data = BatchCreate(agents=["null"], tags=["q"], repeats=1000)  # 20,000 runs, the maximum
    tracemalloc.start()
    with pytest.raises(RuntimeError), session_scope(settings) as s:
        batch_svc.create_batch(s, data)
        s.flush()
        assert s.scalar(select(func.count()).select_from(Run)) == 20_000
        _, peak = tracemalloc.get_traced_memory()
        raise RuntimeError("roll back: no message is sent")
    tracemalloc.stop()
    print(f"20,000-run batch: peak {peak / 1e6:.1f} MB traced")
    assert peak < 60_000_000, peak
    assert _count(Run) == 0


# --- cancelled batches leave the queue --------------------------------------------------------


def test_embedded_queue_skips_cancelled_messages() -> None:
    queue = InProcessQueue(workers=1)
    gate, unrelated = threading.Event(), threading.Event()
    ran: list[int] = []
    register_job("test.gate", lambda: gate.wait(30))
    register_job("test.cancelled", ran.append)
    register_job("test.unrelated", lambda: unrelated.set())
    queue.send(JobMessage("test.gate", (), QUEUE_RUNS))
    for run_id in range(20_000):
        queue.send(JobMessage("test.cancelled", (run_id,), QUEUE_RUNS))
    queue.discard("test.cancelled", {(run_id,) for run_id in range(20_000)}, (QUEUE_RUNS,))
    queue.send(JobMessage("test.unrelated", (), QUEUE_RUNS))
    started = time.monotonic()
    gate.set()
    assert unrelated.wait(10)
    waited = time.monotonic() - started
    print(f"embedded: the unrelated job started {waited:.2f} s after 20,000 cancelled messages")
    assert waited < 2 and ran == []
    assert queue.wait_idle(10)


def test_embedded_queue_holds_a_delayed_message_and_waits_for_it() -> None:
    queue = InProcessQueue(workers=1)
    ran: list[float] = []
    register_job("test.delayed", lambda: ran.append(time.monotonic()))
    sent = time.monotonic()
    queue.send(JobMessage("test.delayed", (), QUEUE_RUNS, delay_s=0.5))
    assert ran == []
    assert queue.wait_idle(10)  # a held message counts as pending
    assert len(ran) == 1 and ran[0] - sent >= 0.5


def test_redis_queue_drops_a_cancelled_max_size_batch(private_redis: RedisServer) -> None:
    url = private_redis.url()
    broker = redis.Redis.from_url(url)
    broker.flushall()
    queue = CeleryQueue(Settings(redis_url=url))
    queue.send(JobMessage("runs.execute", (1,), QUEUE_RUNS))
    # 20,000 more envelopes like Celery's, built from the real one (sending each takes ~1.5 ms).
    first = broker.lpop(QUEUE_RUNS)
    assert isinstance(first, bytes)
    template = json.loads(first)
    pipe = broker.pipeline()
    for run_id in range(1, 20_001):
        template["headers"]["argsrepr"] = repr([run_id])
        pipe.lpush(QUEUE_RUNS, json.dumps(template))
    pipe.execute()
    queue.send(JobMessage("runs.execute", (99_999,), QUEUE_RUNS))  # an unrelated run, queued after
    started = time.monotonic()
    removed = queue.discard("runs.execute", {(run_id,) for run_id in range(1, 20_001)}, (QUEUE_RUNS, "gpu"))
    elapsed = time.monotonic() - started
    print(f"redis: dropped {removed} messages in {elapsed:.2f} s")
    assert removed == 20_000 and elapsed < 10
    left = [json.loads(m)["headers"]["argsrepr"] for m in broker.lrange(QUEUE_RUNS, 0, -1)]
    assert left == ["[99999]"]  # next in line for a worker


# --- YAML ---------------------------------------------------------------------------------------


def test_yaml_alias_bomb_refused_small_and_fast(tmp_path: Path, app: tuple[TestClient, Settings]) -> None:
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(YAMLTooLarge):
        load_yaml(ALIAS_BOMB)
    with pytest.raises(YAMLTooLarge, match="itself"):
        load_yaml("a: &a [1, *a]\n")
    assert load_yaml("a: &a {x: 1}\nb: *a\n") == {"a": {"x": 1}, "b": {"x": 1}}

    folder = tmp_path / "demo" / "bomb"
    folder.mkdir(parents=True)
    (folder / "task.yaml").write_text(ALIAS_BOMB)
    (folder / "instructions.md").write_text("x\n")
    problems = validate_task_folder(folder)
    assert any("aliases" in p.message for p in problems)
    assert sum(len(str(p)) for p in problems) < 5_000

    # The same file in a 1 KB zip uploaded through the web form.
    client, _ = app
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb/task.yaml", ALIAS_BOMB)
        z.writestr("bomb/instructions.md", "x\n")
    assert len(packed.getvalue()) < 2_000
    sign_in(client, "submitter")
    r = post_form(
        client, "/tasks/new", {}, files={"archive": ("bomb.zip", packed.getvalue(), "application/zip")}
    )
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert r.status_code == 422 and "aliases" in r.text, r.text[:2000]
    assert len(r.content) < 200_000 and elapsed < 10 and peak < 50_000_000, (len(r.content), elapsed, peak)
    assert _count(Task) == 0
