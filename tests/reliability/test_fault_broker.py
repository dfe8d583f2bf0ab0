"""Redis restarted during a batch: every queued message is lost, and still every run finishes.

The test's own redis-server (no persistence) is killed while runs execute and a batch is created
while it is down (the API must still answer: the rows are the truth). When Redis comes back empty,
beat's `runs.requeue_lost` notices the missing sentinel key and re-sends a message for every queued
run; workers and beat reconnect by themselves. Nothing is lost, nothing is executed twice.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent
from tests.reliability.support import (
    RedisServer,
    assert_no_loss_or_double_count,
    deployment,
    executions_from_logs,
    setup_catalog,
    wait_batch_done,
)
from tests.support.processes import wait_until
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

TASKS = 4
REPEATS = 4


def _completed(client: TestClient, batch_id: int) -> int:
    return int(client.get(f"/api/batches/{batch_id}").json()["counts"].get("completed", 0))


@pytest.mark.timeout(600)
def test_redis_restart_during_a_batch_loses_no_run(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    private_redis: RedisServer,
    docker_backend: DockerBackend,
) -> None:
    client, headers = api_client
    setup_catalog(client, headers, TASKS, solve="sleep 1; echo ok > answer.txt")
    body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": REPEATS}
    per_batch = 2 * TASKS * REPEATS

    with deployment(cluster_env, "redis-fault") as cluster:
        cluster.beat()
        cluster.worker("w1", concurrency=2, queues="default,runs")
        cluster.worker("w2", concurrency=2, queues="runs")
        first = client.post("/api/batches", json=body, headers=headers)
        assert first.status_code == 201, first.text
        first_id = first.json()["id"]
        wait_until(lambda: _completed(client, first_id) >= 4, 300, "the first runs to complete")

        private_redis.stop()
        # Created while the broker is down: stored, answered, its messages not sent.
        second = client.post("/api/batches", json=body, headers=headers)
        assert second.status_code == 201, second.text
        assert client.get("/api/health").status_code == 503
        private_redis.start()

        batches = [wait_batch_done(client, b, timeout=400) for b in (first_id, second.json()["id"])]
        logs = cluster.logs()
        wait_until(lambda: docker_backend.managed_containers() == [], 60, "no sandbox left behind")

    assert "the broker lost its data" in logs
    assert [b["counts"] for b in batches] == [{"completed": per_batch}] * 2
    executions = executions_from_logs(logs)
    with session_scope() as s:
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        for batch in batches:
            runs = assert_no_loss_or_double_count(s, batch["id"], per_batch)
            assert all(r.score_binarized == (1 if names[r.agent_id] == "oracle" else 0) for r in runs)
            assert all(executions[(r.id, r.attempt)] == 1 for r in runs)
    assert max(executions.values()) == 1
