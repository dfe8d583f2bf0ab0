"""Many queued runs drain through real workers with none lost and none counted twice.

A batch of `oracle` and `null` runs on tiny tasks goes through the API into Redis, and two Celery
worker processes execute it in Docker sandboxes while beat runs the reapers. Midway one worker is
killed with SIGKILL and a replacement starts. Beat's `runs.requeue_lost` also re-sends messages
for runs that wait long (and for every queued run once, since the test's Redis starts empty), so
duplicate deliveries happen on purpose: the guarded claim must turn every one of them away.

The full 5,000-run version is `benchmarks/bench_drain.py`.
"""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent, Run
from tests.reliability.support import (
    assert_no_loss_or_double_count,
    deployment,
    executions_from_logs,
    setup_catalog,
    wait_batch_done,
)
from tests.support.processes import wait_until
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

# 2 agents x TASKS tasks x REPEATS repeats; HORIZON_TEST_DRAIN_REPEATS makes it larger or smaller.
TASKS = 10
REPEATS = int(os.environ.get("HORIZON_TEST_DRAIN_REPEATS", "25"))
WORKER_CONCURRENCY = 2


@pytest.mark.timeout(1500)
def test_batch_drains_through_two_workers_one_killed_midway(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    docker_backend: DockerBackend,
) -> None:
    client, headers = api_client
    setup_catalog(client, headers, TASKS)
    total = 2 * TASKS * REPEATS
    body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": REPEATS}
    r = client.post("/api/batches", json=body, headers=headers)
    assert r.status_code == 201 and r.json()["total"] == total, r.text
    batch_id = r.json()["id"]

    with deployment(cluster_env, "drain") as cluster:
        cluster.beat()
        victim = cluster.worker("w1", concurrency=WORKER_CONCURRENCY, queues="runs")
        cluster.worker("w2", concurrency=WORKER_CONCURRENCY, queues="default,runs")

        def completed() -> int:
            counts = client.get(f"/api/batches/{batch_id}").json()["counts"]
            return int(counts.get("completed", 0))

        wait_until(lambda: completed() >= total // 3, 900, "a third of the batch")
        victim.kill()
        cluster.worker("w3", concurrency=WORKER_CONCURRENCY, queues="runs")
        batch = wait_batch_done(client, batch_id, timeout=1200)
        logs = cluster.logs()
        wait_until(lambda: docker_backend.managed_containers() == [], 60, "no sandbox left behind")

    assert batch["counts"] == {"completed": total}, batch
    with session_scope() as s:
        runs = assert_no_loss_or_double_count(s, batch_id, total)
        agent_names = dict(s.execute(select(Agent.id, Agent.name)).all())
        scores = [(agent_names[r.agent_id], r.score_binarized) for r in runs]
        assert {name: sum(1 for n, _ in scores if n == name) for name in ("oracle", "null")} == {
            "oracle": total // 2,
            "null": total // 2,
        }
        assert sum(score or 0 for name, score in scores if name == "oracle") == total // 2
        assert sum(score or 0 for name, score in scores if name == "null") == 0
        assert all(r.stop_reason == "submitted" for r in runs)
        retried = [r.id for r in runs if r.attempt > 1]
        # What the killed worker was running is retried. On an overloaded machine a live run's
        # heartbeat can also go stale and be retried (its late result is then discarded), so allow
        # a few more, but never more than a small fraction, and never past the attempt limit.
        assert len(retried) <= max(WORKER_CONCURRENCY, total // 50), retried
        assert all(r.attempt <= 3 for r in runs)
        assert s.scalar(select(Run.id).where(Run.batch_id != batch_id)) is None

    executions = executions_from_logs(logs)
    assert {run_id for run_id, _ in executions} == {r.id for r in runs}
    started_twice = {key: n for key, n in executions.items() if n > 1}
    assert started_twice == {}, started_twice
    # Duplicate messages did arrive (re-sent by runs.requeue_lost) and were turned away.
    assert logs.count("is not queued any more; nothing to do") > 0
