"""A batch of 10,000 runs is created in one request to a real `horizon serve`, with one queue
message per run and nothing else.

The server is a real process (uvicorn) on PostgreSQL with REDIS_URL set, so creating the batch
inserts 10,000 rows and publishes 10,000 Celery messages after the commit. No worker consumes
them here: the test counts rows and messages. The client waits at most 60 s, the default read
timeout of common reverse proxies (nginx's `proxy_read_timeout`); `benchmarks/bench_load.py`
measures how long it takes.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import redis
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Run
from tests.factories import make_token
from tests.reliability.support import RedisServer, deployment, free_port, setup_catalog

RUNS = 10_000
TASKS = 10
PROXY_READ_TIMEOUT_S = 60.0


@pytest.fixture
def server(db: str, private_redis: RedisServer) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    redis.Redis.from_url(private_redis.url()).flushall()
    headers = {"Authorization": f"Bearer {make_token('submitter')}"}
    port = free_port()
    env = {"DATABASE_URL": db, "REDIS_URL": private_redis.url()}
    with deployment(env, "large-batch") as cluster:
        cluster.serve(port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=PROXY_READ_TIMEOUT_S) as client:
            yield client, headers


def test_ten_thousand_runs_in_one_request(
    server: tuple[httpx.Client, dict[str, str]], private_redis: RedisServer
) -> None:
    client, headers = server
    setup_catalog(client, headers, TASKS)
    repeats = RUNS // (2 * TASKS)
    body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": repeats, "name": "ten thousand"}
    r = client.post("/api/batches", json=body, headers=headers)
    assert r.status_code == 201, r.text
    batch = r.json()
    assert batch["total"] == RUNS and batch["counts"] == {"queued": RUNS}

    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == RUNS
        slots = s.scalar(
            select(func.count()).select_from(
                select(Run.agent_id, Run.task_version_id, Run.repeat_index).distinct().subquery()
            )
        )
        assert slots == RUNS
    # Exactly one message per run on the runs queue (Celery's Redis transport: one list per queue).
    broker = redis.Redis.from_url(private_redis.url())
    assert broker.llen("runs") == RUNS

    page = client.get("/api/runs", params={"batch_id": batch["id"], "limit": 1000, "offset": 9000})
    assert page.status_code == 200 and page.json()["total"] == RUNS and len(page.json()["items"]) == 1000
