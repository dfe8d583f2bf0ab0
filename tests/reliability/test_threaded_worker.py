"""A threaded worker holds many runs at once and loses none of them when it is SIGKILLed.

One `horizon worker` (the threads pool, as `auto` picks for the runs queue) takes a batch of react
runs whose model answers slowly, so that all of them are in flight in its one process. It is killed
with SIGKILL; a second worker starts, beat's reaper re-queues every run whose heartbeat stopped
(attempt 2) and removes the dead attempts' sandboxes, and every run completes once with its score.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Run
from tests.reliability.support import (
    assert_no_loss_or_double_count,
    deployment,
    executions_from_logs,
    free_port,
    register_react_agents,
    tiny_task,
    wait_batch_done,
)
from tests.support.processes import Proc, wait_until
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

TASKS = 4
REPEATS = 3
SLOTS = TASKS * REPEATS  # every run of the batch in flight at once


def _slow_react_model(workdir: Path) -> tuple[Proc, str]:
    """A scripted model that answers each conversation's every turn after 2 s: write, then submit."""
    script = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "echo ok > answer.txt"}}], "delay_s": 2},
        {"tool_calls": [{"name": "bash", "arguments": {"command": "cat answer.txt"}}], "delay_s": 2},
        {"tool_calls": [{"name": "submit", "arguments": {"answer": "ok"}}], "delay_s": 2},
    ]
    path = workdir / "script.json"
    path.write_text(json.dumps(script))
    port = free_port()
    args = [sys.executable, "-m", "tests.fakes.scripted_openai", "--port", str(port), "--script", str(path)]
    proc = Proc([*args, "--by-turn"], {}, "threaded-model")
    proc.wait_for_log("listening on", timeout=30)
    return proc, f"http://127.0.0.1:{port}/v1"


@pytest.mark.timeout(900)
def test_threaded_worker_killed_with_every_run_in_flight_loses_none(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    docker_backend: DockerBackend,
    tmp_path: Path,
) -> None:
    client, headers = api_client
    model, url = _slow_react_model(tmp_path)
    try:
        for i in range(TASKS):
            r = client.post("/api/tasks", json=tiny_task(f"threaded-{i}", ["threaded"]), headers=headers)
            assert r.status_code == 201, r.text
        register_react_agents(client, headers, {"react": url}, action_limit=5)
        body = {"agents": ["react"], "tags": ["threaded"], "repeats": REPEATS}
        r = client.post("/api/batches", json=body, headers=headers)
        assert r.status_code == 201 and r.json()["total"] == SLOTS, r.text
        batch_id = r.json()["id"]

        def running() -> set[int]:
            with session_scope() as s:
                query = select(Run.id).where(Run.batch_id == batch_id, Run.status == "running")
                return set(s.scalars(query))

        with deployment(cluster_env, "threaded") as cluster:
            cluster.beat()
            victim = cluster.worker("t1", concurrency=SLOTS, queues="default,runs")
            assert f"concurrency: {SLOTS} (thread)" in victim.log()
            wait_until(lambda: len(running()) == SLOTS, 180, "every run in flight in the one worker")
            in_flight = running()
            with session_scope() as s:
                workers = s.scalar(select(func.count(Run.worker.distinct())).where(Run.id.in_(in_flight)))
            assert workers == 1  # one process holds them all
            victim.kill()
            cluster.worker("t2", concurrency=SLOTS, queues="default,runs")
            batch = wait_batch_done(client, batch_id, timeout=600)
            logs = cluster.logs()
            wait_until(lambda: docker_backend.managed_containers() == [], 60, "no sandbox left behind")
    finally:
        model.stop()

    assert batch["counts"] == {"completed": SLOTS}, batch
    with session_scope() as s:
        runs = assert_no_loss_or_double_count(s, batch_id, SLOTS)
        assert all(r.score_binarized == 1 and r.stop_reason == "submitted" for r in runs)
        # Every run the killed worker held came back through the reaper as attempt 2.
        assert {r.id for r in runs if r.attempt == 2} == in_flight
        assert all(r.attempt <= 2 for r in runs)
    executions = executions_from_logs(logs)
    assert set(executions) == {(run_id, attempt) for run_id in in_flight for attempt in (1, 2)}
    assert max(executions.values()) == 1
