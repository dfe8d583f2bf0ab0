"""The whole path with real parts: REST API -> PostgreSQL -> Redis -> Celery worker -> Docker.

A batch of `oracle`, `null` and `react` (against a scripted OpenAI-compatible server on 127.0.0.1)
on three tasks ends with the expected scores; a worker killed with SIGKILL mid-run leaves no
orphan container and its run is retried by another worker and completes.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Run
from core.settings import Settings
from tests.factories import make_token
from tests.support.processes import OUTPUT, Proc, horizon_cmd, start_worker, wait_until
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

SCORE_FILE = """
import pathlib, sys
p = pathlib.Path("/home/agent/answer.txt")
print(1 if p.exists() and p.read_text().strip() == sys.argv[1] else 0)
"""


def _task(
    task_id: str, expected: str, solve: str, instructions: str, files: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": task_id,
        "family": "e2e",
        "title": task_id,
        "instructions": instructions,
        "environment": {"files": files},
        "scorer": {"command": f"python3 /scorer/score.py {expected}", "files": {"score.py": SCORE_FILE}},
        "solution": {"command": "sh /solution/solve.sh", "files": {"solve.sh": solve}},
        "limits": {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 64},
        "time_limit_s": 120,
        "tags": ["e2e"],
        "baselines": [{"baseliner": "author", "minutes": 2, "succeeded": True, "source": "estimate"}],
    }


TASKS = [
    _task("hello", "hello", "echo hello > answer.txt\n", "Write hello into answer.txt.", {}),
    _task(
        "sum",
        "42",
        "python3 -c \"print(sum(map(int, open('numbers.txt').read().split())))\" > answer.txt\n",
        "Write the sum of the numbers in numbers.txt into answer.txt.",
        {"numbers.txt": "10 20 12\n"},
    ),
    _task(
        "upper",
        "HORIZON",
        "tr a-z A-Z < word.txt > answer.txt\n",
        "Write the word in word.txt in capitals into answer.txt.",
        {"word.txt": "horizon\n"},
    ),
]

# Each react run: one shell command, then submit. With one worker process the runs go in order.
REACT_SCRIPT = [
    {"tool_calls": [{"name": "bash", "arguments": {"command": "echo hello > answer.txt && cat answer.txt"}}]},
    {"tool_calls": [{"name": "submit", "arguments": {"answer": "done"}}]},
]


# Celery's lines for a run job received and returned (whatever the run's outcome).
EXECUTE_RECEIVED = re.compile(r"Task runs\.execute\[[^\]]+\] received")
EXECUTE_RETURNED = re.compile(r"Task runs\.execute\[[^\]]+\] succeeded")


def _run_jobs_returned(worker: Proc) -> bool:
    """Whether the worker has returned every run job it received (and received one)."""
    log = worker.log()
    returned = len(EXECUTE_RETURNED.findall(log))
    return returned > 0 and returned == len(EXECUTE_RECEIVED.findall(log))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scripted_port() -> int:
    return _free_port()


@pytest.fixture
def scripted_server(tmp_path: Path, scripted_port: int) -> Iterator[str]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(REACT_SCRIPT))
    port = scripted_port
    proc = Proc(
        horizon_cmd()[:1]
        + ["-m", "tests.fakes.scripted_openai", "--port", str(port), "--script", str(script), "--loop"],
        {},
        "scripted-openai",
    )
    proc.wait_for_log("listening on", timeout=30)
    yield f"http://127.0.0.1:{port}/v1"
    proc.stop()


@pytest.fixture
def env(db: str, redis_url: str, docker_backend: DockerBackend, scripted_port: int) -> dict[str, str]:
    redis.Redis.from_url(redis_url).flushdb()
    # The operator binds the key to the scripted server (the only endpoint it may be sent to).
    endpoints = {"HORIZON_MODEL_KEY_SCRIPTED": [f"http://127.0.0.1:{scripted_port}/v1"]}
    return {
        "DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "HORIZON_SANDBOX_INSTANCE": docker_backend.instance,
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
        "HORIZON_STALE_AFTER_S": "6",
        "HORIZON_REAP_INTERVAL_S": "2",
        "HORIZON_MODEL_KEY_SCRIPTED": "sk-test-secret-value-123",
        "HORIZON_MODEL_KEY_ENDPOINTS": json.dumps(endpoints),
    }


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.stop()


@pytest.fixture
def api(env: dict[str, str]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    from api.app import create_app

    settings = Settings(
        database_url=env["DATABASE_URL"],
        redis_url=env["REDIS_URL"],
        model_key_endpoints=json.loads(env["HORIZON_MODEL_KEY_ENDPOINTS"]),
    )
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {make_token('submitter')}"}


def _wait_batch_done(client: TestClient, batch_id: int, timeout: float) -> dict[str, Any]:
    state: dict[str, Any] = {}

    def done() -> bool:
        state.update(client.get(f"/api/batches/{batch_id}").json())
        return bool(state["done"])

    wait_until(done, timeout, f"batch {batch_id} to finish (last: {state.get('counts')})", interval=0.5)
    return state


def test_batch_of_three_agents_on_three_tasks(
    api: tuple[TestClient, dict[str, str]],
    env: dict[str, str],
    procs: list[Proc],
    scripted_server: str,
    docker_backend: DockerBackend,
) -> None:
    client, headers = api
    for task in TASKS:
        assert client.post("/api/tasks", json=task, headers=headers).status_code == 201
    model = {
        "name": "scripted",
        "base_url": scripted_server,
        "api_key_env": "HORIZON_MODEL_KEY_SCRIPTED",
        "input_price_per_mtok": 1.0,
        "output_price_per_mtok": 2.0,
        "release_date": "2025-01-01",
    }
    assert client.post("/api/models", json=model, headers=headers).status_code == 201
    for agent in (
        {"name": "oracle", "scaffold": "oracle"},
        {"name": "null", "scaffold": "null"},
        {"name": "react", "scaffold": "react", "model": "scripted", "settings": {"action_limit": 10}},
    ):
        assert client.post("/api/agents", json=agent, headers=headers).status_code == 201

    procs.append(start_worker(env, "w-e2e", queues="default,runs"))
    r = client.post(
        "/api/batches", json={"agents": ["oracle", "null", "react"], "tags": ["e2e"]}, headers=headers
    )
    assert r.status_code == 201, r.text
    batch = _wait_batch_done(client, r.json()["id"], timeout=300)
    assert batch["counts"] == {"completed": 9}, batch

    runs = client.get("/api/runs", params={"batch_id": batch["id"], "limit": 100}).json()["items"]
    scores = {(r["agent"], r["task_id"]): r["score_binarized"] for r in runs}
    assert scores == {
        ("oracle", "hello"): 1,
        ("oracle", "sum"): 1,
        ("oracle", "upper"): 1,
        ("null", "hello"): 0,
        ("null", "sum"): 0,
        ("null", "upper"): 0,
        ("react", "hello"): 1,  # the scripted model writes hello: right only for this task
        ("react", "sum"): 0,
        ("react", "upper"): 0,
    }
    assert all(r["attempt"] == 1 and r["stop_reason"] == "submitted" for r in runs)
    react = [r for r in runs if r["agent"] == "react"]
    assert all(r["tokens_in"] > 0 and r["tokens_out"] > 0 and r["cost_usd"] > 0 for r in react)

    transcript = client.get(f"/api/runs/{react[0]['id']}/transcript").json()
    kinds = [e["kind"] for e in transcript["events"]]
    assert "task_start" in kinds and "score" in kinds
    assert "sk-test-secret-value-123" not in json.dumps(transcript)
    assert docker_backend.managed_containers() == []


def test_killed_worker_run_is_retried_and_completes(
    api: tuple[TestClient, dict[str, str]],
    env: dict[str, str],
    procs: list[Proc],
    docker_backend: DockerBackend,
) -> None:
    client, headers = api
    slow = _task("slow", "done", "sleep 15; echo done > answer.txt\n", "Wait, then write done.", {})
    assert client.post("/api/tasks", json=slow, headers=headers).status_code == 201
    assert (
        client.post("/api/agents", json={"name": "oracle", "scaffold": "oracle"}, headers=headers).status_code
        == 201
    )

    victim = start_worker(env, "w-victim", queues="runs")
    procs.append(victim)
    r = client.post("/api/batches", json={"agents": ["oracle"], "tasks": ["slow"]}, headers=headers)
    batch_id = r.json()["id"]
    wait_until(lambda: len(docker_backend.managed_containers()) == 1, 120, "the sandbox to start")
    victim.kill()
    assert len(docker_backend.managed_containers()) == 1  # the daemon keeps it: an orphan

    beat = Proc(horizon_cmd("beat"), env, "beat-e2e")
    procs.append(beat)
    procs.append(start_worker(env, "w-rescuer", queues="default,runs"))
    batch = _wait_batch_done(client, batch_id, timeout=180)
    assert batch["counts"] == {"completed": 1}
    with session_scope() as s:
        run = s.scalars(select(Run)).one()
        assert run.attempt == 2 and run.score_binarized == 1 and run.stop_reason == "submitted"
        assert "presumed dead" in (run.error or "") or run.error is None
        assert s.scalar(select(func.count()).select_from(Run)) == 1
    wait_until(lambda: docker_backend.managed_containers() == [], 30, "the orphan container to be reaped")
    assert (OUTPUT / "beat-e2e.log").exists()


def test_cancelling_a_batch_stops_its_containers_within_seconds(
    api: tuple[TestClient, dict[str, str]],
    env: dict[str, str],
    procs: list[Proc],
    docker_backend: DockerBackend,
) -> None:
    import time

    client, headers = api
    slow = _task("slow", "done", "sleep 60; echo done > answer.txt\n", "Wait, then write done.", {})
    assert client.post("/api/tasks", json=slow, headers=headers).status_code == 201
    assert (
        client.post("/api/agents", json={"name": "oracle", "scaffold": "oracle"}, headers=headers).status_code
        == 201
    )
    procs.append(start_worker(env, "w-cancel", queues="runs"))
    batch_id = client.post(
        "/api/batches", json={"agents": ["oracle"], "tasks": ["slow"], "repeats": 2}, headers=headers
    ).json()["id"]
    wait_until(lambda: len(docker_backend.managed_containers()) == 1, 120, "a sandbox to start")

    cancelled_at = time.monotonic()
    r = client.post(f"/api/batches/{batch_id}/cancel", headers=headers)
    assert r.json()["counts"] == {"cancelled": 2}
    wait_until(lambda: docker_backend.managed_containers() == [], 15, "the container to be removed")
    seconds = time.monotonic() - cancelled_at
    assert seconds < 15
    # The worker must not overwrite the cancellation with a result: look once every run job it
    # received has returned (the running attempt abandoned; a waiting message, unless the cancel
    # dropped it, found nothing to claim).
    wait_until(lambda: _run_jobs_returned(procs[0]), 60, "the worker to return its run jobs")
    runs = client.get("/api/runs", params={"batch_id": batch_id}).json()["items"]
    assert {r["status"] for r in runs} == {"cancelled"} and all(r["score_cont"] is None for r in runs)
