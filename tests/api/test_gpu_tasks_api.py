"""GPU tasks through the API: stored with their GPUs, hostile limits refused (422, nothing stored),
batches refused (409, nothing stored) unless an announced GPU worker has what a run needs, and the
workers seen listed at GET /api/workers/gpu."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Batch, Run, Task
from core.settings import Settings
from tests.factories import make_token, task_body
from tests.support.gpu_workers import announce_fake, empty_gpu_registry  # noqa: F401  # fixture

pytestmark = pytest.mark.usefixtures("empty_gpu_registry")

GPU_LIMITS = {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 64, "gpus": 2, "gpu_memory_mb": 40000}


def _count(model: type[Any], settings: Settings) -> int:
    with session_scope(settings) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _gpu_task(client: TestClient, headers: dict[str, str], task_id: str = "train") -> None:
    r = client.post("/api/tasks", json=task_body(task_id, limits=GPU_LIMITS), headers=headers)
    assert r.status_code == 201, r.text


def test_a_gpu_task_is_stored_with_its_gpus(client: TestClient, submitter: dict[str, str]) -> None:
    _gpu_task(client, submitter)
    limits = client.get("/api/tasks/train").json()["version"]["limits"]
    assert (limits["gpus"], limits["gpu_memory_mb"]) == (2, 40000)
    # A CPU task's stored limits carry no GPU keys at all.
    client.post("/api/tasks", json=task_body("plain"), headers=submitter)
    assert "gpus" not in client.get("/api/tasks/plain").json()["version"]["limits"]


@pytest.mark.parametrize(
    "limits",
    [
        {"gpus": -1},
        {"gpus": 9},
        {"gpus": 10**30},
        {"gpus": "1"},
        {"gpus": 1.5},
        {"gpus": True},
        {"gpu_memory_mb": 40000},
        {"gpus": 1, "gpu_memory_mb": 12},
        {"gpus": 1, "gpu_memory_mb": 2**40},
        {"gpus": 1, "gpu_memory_mb": "lots"},
    ],
    ids=lambda b: json.dumps(b),
)
def test_hostile_gpu_limits_are_refused_and_nothing_is_stored(
    client: TestClient, submitter: dict[str, str], settings: Settings, limits: dict[str, Any]
) -> None:
    r = client.post("/api/tasks", json=task_body("bad-gpus", limits=limits), headers=submitter)
    assert r.status_code == 422, r.text
    assert any(e["field"].startswith("limits") for e in r.json()["errors"])
    assert _count(Task, settings) == 0
    client.post("/api/tasks", json=task_body("cpu-task"), headers=submitter)
    r = client.patch("/api/tasks/cpu-task", json={"limits": limits}, headers=submitter)
    assert r.status_code == 422
    assert client.get("/api/tasks/cpu-task").json()["current_version"] == 1


@pytest.fixture
def one_gpu_server(db: str) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db, task_max_gpus=1))) as c:
        yield c


def test_the_operator_maximum_refuses_more_gpus(one_gpu_server: TestClient, db: str) -> None:
    headers = {"Authorization": f"Bearer {make_token('submitter')}"}
    r = one_gpu_server.post("/api/tasks", json=task_body("big", limits=GPU_LIMITS), headers=headers)
    assert r.status_code == 422 and "HORIZON_TASK_MAX_GPUS" in r.json()["detail"]
    r = one_gpu_server.post("/api/tasks", json=task_body("small", limits={"gpus": 1}), headers=headers)
    assert r.status_code == 201


def _batch(client: TestClient, headers: dict[str, str], tasks: list[str]) -> Any:
    return client.post("/api/batches", json={"agents": ["oracle"], "tasks": tasks}, headers=headers)


def test_a_batch_of_a_gpu_task_needs_a_gpu_worker_that_has_its_gpus(
    client: TestClient, admin: dict[str, str], submitter: dict[str, str], settings: Settings
) -> None:
    client.post("/api/agents", json={"name": "oracle", "scaffold": "oracle"}, headers=admin)
    _gpu_task(client, submitter)
    client.post("/api/tasks", json=task_body("plain"), headers=submitter)

    r = _batch(client, submitter, ["plain", "train"])
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert "task 'train' needs 2 GPUs with at least 40000 MiB each on one host" in detail
    assert "GPU workers seen: none" in detail and "start `horizon worker --gpu`" in detail
    assert (_count(Batch, settings), _count(Run, settings)) == (0, 0)

    # Too few large GPUs on one host (and enough on none): still refused, naming what was seen.
    announce_fake(settings, "small-box", 24000, 24000, 24000)
    announce_fake(settings, "half-box", 81000)
    r = _batch(client, submitter, ["train"])
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert "half-box (1 GPU: #0 81000 MiB)" in detail and "small-box (3 GPUs:" in detail
    assert (_count(Batch, settings), _count(Run, settings)) == (0, 0)

    # A CPU task's batch never asks.
    assert _batch(client, submitter, ["plain"]).status_code == 201

    announce_fake(settings, "big-box", 81000, 81000)
    r = _batch(client, submitter, ["train", "plain"])
    assert r.status_code == 201, r.text
    assert r.json()["total"] == 2


def test_gpu_workers_are_listed(client: TestClient, viewer: dict[str, str], settings: Settings) -> None:
    assert client.get("/api/workers/gpu", headers=viewer).json() == []
    announce_fake(settings, "gpu-host", 81559, 40960)
    (worker,) = client.get("/api/workers/gpu", headers=viewer).json()
    assert (worker["host"], worker["gpus"]) == (
        "gpu-host",
        [{"index": 0, "memory_mib": 81559}, {"index": 1, "memory_mib": 40960}],
    )
    assert worker["seen_at"].endswith(("Z", "+00:00"))
