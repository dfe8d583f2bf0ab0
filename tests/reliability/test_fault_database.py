"""PostgreSQL restarted during a batch: runs in flight survive or are retried, none is lost.

The test makes its own PostgreSQL cluster (initdb on a free port) so that stopping it disturbs no
one else. While runs execute, the server is stopped for a few seconds and started again: every
pooled connection breaks, heartbeats and result writes fail for a while, and a worker that starts
meanwhile takes queued messages it cannot claim. Afterwards every run must be completed with the
right score, none counted twice, no sandbox left behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.auth import create_token
from core.db import session_scope
from core.migrate import upgrade
from core.models import Agent
from core.settings import Settings
from tests.reliability.support import (
    PostgresServer,
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


@pytest.fixture
def private_pg() -> Iterator[PostgresServer]:
    reason = PostgresServer.available()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.close()


@pytest.mark.timeout(600)
def test_postgres_restart_during_a_batch_loses_no_run(
    private_pg: PostgresServer, private_redis: RedisServer, docker_backend: DockerBackend
) -> None:
    url = private_pg.create_database()
    upgrade(url=url)
    redis.Redis.from_url(private_redis.url()).flushall()
    settings = Settings(database_url=url, redis_url=private_redis.url())
    with session_scope(settings) as s:
        _, secret = create_token(s, "reliability", "submitter")
    headers = {"Authorization": f"Bearer {secret}"}
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": private_redis.url(),
        "HORIZON_SANDBOX_INSTANCE": docker_backend.instance,
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
        "HORIZON_STALE_AFTER_S": "15",
        "HORIZON_REAP_INTERVAL_S": "2",
    }
    from api.app import create_app

    with TestClient(create_app(settings)) as client, deployment(env, "pg-fault") as cluster:
        setup_catalog(client, headers, TASKS, solve="sleep 2; echo ok > answer.txt")
        cluster.beat()
        cluster.worker("w1", concurrency=2, queues="default,runs")
        cluster.worker("w2", concurrency=2, queues="runs")
        body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": REPEATS}
        r = client.post("/api/batches", json=body, headers=headers)
        assert r.status_code == 201, r.text
        batch_id = r.json()["id"]
        total = r.json()["total"]

        def completed() -> int:
            return int(client.get(f"/api/batches/{batch_id}").json()["counts"].get("completed", 0))

        wait_until(lambda: completed() >= 4, 300, "the first runs to complete")
        private_pg.stop()
        # A worker with free slots takes queued messages while the database is down: each one
        # must come back later (Celery retry), not be acknowledged and forgotten.
        late = cluster.worker("w3", concurrency=2, queues="runs")
        wait_until(lambda: "retry: Retry in" in late.log(), 60, "the new worker to put a message back")
        # The API says the database is down rather than hanging.
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["database"].startswith("error")
        private_pg.start()
        batch = wait_batch_done(client, batch_id, timeout=400)
        logs = cluster.logs()
        wait_until(lambda: docker_backend.managed_containers() == [], 60, "no sandbox left behind")

    assert batch["counts"] == {"completed": total}, batch
    assert "retry: Retry in" in logs and "heartbeat not stored" in logs
    executions = executions_from_logs(logs)
    with session_scope(settings) as s:
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        runs = assert_no_loss_or_double_count(s, batch_id, total)
        assert all(r.score_binarized == (1 if names[r.agent_id] == "oracle" else 0) for r in runs)
        assert all(executions[(r.id, r.attempt)] == 1 for r in runs)
    assert max(executions.values()) == 1
