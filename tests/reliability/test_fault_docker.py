"""The Docker daemon restarted during a batch: sandboxes die, their runs are retried, none is lost.

The machine's dockerd is shared with other test sessions, so this test starts a private one (its
own socket, data root, exec root and containerd, flags as on CI) and copies the sandbox base image
into it. While runs execute, the daemon is stopped (its containers are killed) and started again.
Runs whose sandbox died are infrastructure failures: they are retried and must end `completed`
with the right score, never a scored failure, none counted twice, and no container may be left
behind. Runs taken from the queue while the daemon is down are not claimed at all: their
messages come back with backoff, so a short outage spends no run's attempts.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent
from tests.reliability.support import (
    DockerDaemon,
    assert_no_loss_or_double_count,
    deployment,
    executions_from_logs,
    setup_catalog,
    wait_batch_done,
)
from tests.support.processes import wait_until
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import BASE_REPOSITORY, base_image_tag

pytestmark = pytest.mark.docker

TASKS = 4
REPEATS = 3


@pytest.fixture
def private_dockerd(docker_backend: DockerBackend) -> Iterator[DockerDaemon]:
    """A private dockerd holding the base image (the session's daemon built it)."""
    reason = DockerDaemon.available()
    if reason:
        pytest.skip(reason)
    daemon = DockerDaemon().start()
    try:
        images = [base_image_tag(), f"{BASE_REPOSITORY}:latest"]
        daemon.load_images_from(images, docker_backend.docker_host)
        yield daemon
    finally:
        daemon.close()


@pytest.mark.timeout(900)
def test_docker_restart_during_a_batch_loses_no_run(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    private_dockerd: DockerDaemon,
) -> None:
    client, headers = api_client
    backend = DockerBackend(private_dockerd.host, instance="docker-fault")
    env = {
        **cluster_env,
        "HORIZON_DOCKER_HOST": private_dockerd.host,
        "HORIZON_SANDBOX_INSTANCE": "docker-fault",
        # Retries wait 5 s, 10 s: a daemon that has just come back gets time to settle.
        "HORIZON_INFRA_RETRY_DELAY_S": "5",
    }
    setup_catalog(client, headers, TASKS, solve="sleep 3; echo ok > answer.txt")
    body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": REPEATS}

    with deployment(env, "docker-fault") as cluster:
        cluster.beat()
        cluster.worker("w1", concurrency=2, queues="default,runs")
        cluster.worker("w2", concurrency=2, queues="runs")
        r = client.post("/api/batches", json=body, headers=headers)
        assert r.status_code == 201, r.text
        batch_id, total = r.json()["id"], r.json()["total"]
        wait_until(lambda: len(backend.managed_containers()) >= 2, 300, "sandboxes to run")
        private_dockerd.restart(down_s=3)
        batch = wait_batch_done(client, batch_id, timeout=600)
        logs = cluster.logs()
        wait_until(lambda: backend.managed_containers() == [], 60, "no sandbox left behind")

    # Runs whose sandbox died are retried; runs claimed while the daemon was down are not even
    # started (their messages come back later), so no run spends all its attempts.
    assert batch["counts"] == {"completed": total}, _diagnosis(batch_id, private_dockerd)
    executions = executions_from_logs(logs)
    with session_scope() as s:
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        runs = assert_no_loss_or_double_count(s, batch_id, total)
        assert any(r.attempt == 2 for r in runs), "the restart killed no sandbox: the test proved nothing"
        assert all(r.attempt <= 2 for r in runs)
        assert all(r.score_binarized == (1 if names[r.agent_id] == "oracle" else 0) for r in runs)
    assert max(executions.values()) == 1


def _diagnosis(batch_id: int, daemon: DockerDaemon) -> str:
    """What went wrong, short enough for a CI excerpt: each distinct run error and the daemon's log."""
    from core.models import Run

    with session_scope() as s:
        errors = s.execute(select(Run.status, Run.error).where(Run.batch_id == batch_id)).all()
    distinct = sorted({f"{status}: {(error or '')[:300]}" for status, error in errors})
    log_tail = daemon.log_path.read_text(errors="replace").splitlines()[-15:]
    return "\n".join(["run errors:", *distinct[:8], "private dockerd log:", *log_tail])
