"""Several worker hosts sharing PostgreSQL and Redis, each with its own Docker daemon.

Two private dockerd instances stand in for two machines: each "host" is one `horizon worker`
whose HORIZON_DOCKER_HOST is its own daemon; both share the test database, a private Redis and
one sandbox instance name (HORIZON_SANDBOX_INSTANCE), and one `horizon beat` serves them all, as
in docs/operations.md ("Several worker hosts"). One batch drains across both hosts. Then one host
fails mid-batch, either its worker crashes (SIGKILL) with its sandboxes left running, or its
dockerd dies for good while its worker lives on. Every run must end completed with the right
score, none lost or counted twice, and each host's orphan reaper removes only containers on its
own daemon: the surviving host's never reaches the crashed host's, which reaps its own when it
comes back.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent, Run
from tests.reliability.support import (
    DockerDaemon,
    assert_no_loss_or_double_count,
    deployment,
    executions_from_logs,
    setup_catalog,
    wait_batch_done,
)
from tests.support.processes import Proc, wait_until
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import BASE_REPOSITORY, base_image_tag
from workers.sandbox.docker.reaping import LABEL_ATTEMPT, LABEL_RUN_ID, container_labels

pytestmark = pytest.mark.docker

TASKS = 4
REPEATS = 3
SOLVE = "sleep 4; echo ok > answer.txt"


@pytest.fixture(scope="module")
def two_daemons(docker_backend: DockerBackend) -> Iterator[tuple[DockerDaemon, DockerDaemon]]:
    """Two private dockerd, each holding the base image (copied from the session's daemon)."""
    reason = DockerDaemon.available()
    if reason:
        pytest.skip(reason)
    daemons = (DockerDaemon(), DockerDaemon())
    images = [base_image_tag(), f"{BASE_REPOSITORY}:latest"]

    def prepare(daemon: DockerDaemon) -> None:
        daemon.start().load_images_from(images, docker_backend.docker_host)

    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(prepare, daemons))
        yield daemons
    finally:
        for daemon in daemons:
            daemon.close()


@pytest.fixture
def hosts(two_daemons: tuple[DockerDaemon, DockerDaemon]) -> tuple[DockerDaemon, DockerDaemon]:
    """Both daemons answering (a test may have stopped one for good), with no container."""
    for daemon in two_daemons:
        if not daemon.answers():
            daemon.start()
        client = DockerBackend(daemon.host, instance="-").client
        for container in client.containers.list(all=True):
            container.remove(force=True)
    return two_daemons


def _host_env(cluster_env: dict[str, str], daemon: DockerDaemon, instance: str) -> dict[str, str]:
    return {
        **cluster_env,
        "HORIZON_DOCKER_HOST": daemon.host,
        "HORIZON_SANDBOX_INSTANCE": instance,
        # A run whose sandbox died is retried after 1 s, 2 s (not 10 s): the test stays short.
        "HORIZON_INFRA_RETRY_DELAY_S": "1",
    }


def _running_attempts(backend: DockerBackend) -> set[tuple[int, int]]:
    """(run id, attempt) of the instance's sandboxes on one daemon."""
    found = set()
    for container in backend.managed_containers():
        labels = container.labels or {}
        found.add((int(labels[LABEL_RUN_ID]), int(labels[LABEL_ATTEMPT])))
    return found


def _oracle_sandbox_on(backend: DockerBackend) -> bool:
    """Whether the daemon runs a sandbox of an oracle run: it lives 4 s more, so a fault injected
    now surely hits a run in flight (a null run's sandbox may be gone a moment later)."""
    run_ids = {run_id for run_id, _ in _running_attempts(backend)}
    if not run_ids:
        return False
    with session_scope() as s:
        oracle = select(Agent.id).where(Agent.name == "oracle").scalar_subquery()
        return (
            s.scalar(select(Run.id).where(Run.id.in_(run_ids), Run.agent_id == oracle).limit(1)) is not None
        )


def _both_hosts_busy(on_a: DockerBackend, on_b: DockerBackend) -> bool:
    return _oracle_sandbox_on(on_a) and bool(_running_attempts(on_b))


def _submit(client: TestClient, headers: dict[str, str]) -> tuple[int, int]:
    body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": REPEATS}
    r = client.post("/api/batches", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"]), int(r.json()["total"])


def _wait_done(
    client: TestClient, batch_id: int, timeout: float, daemons: tuple[DockerDaemon, ...]
) -> dict[str, Any]:
    try:
        return wait_batch_done(client, batch_id, timeout=timeout)
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}\n{_diagnosis(batch_id, daemons)}") from None


def _check_runs(
    batch_id: int, total: int, batch: dict[str, Any], daemons: tuple[DockerDaemon, ...]
) -> list[Run]:
    """Every run completed once with its agent's score (oracle 1, null 0)."""
    assert batch["counts"] == {"completed": total}, _diagnosis(batch_id, daemons)
    with session_scope() as s:
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        runs = assert_no_loss_or_double_count(s, batch_id, total)
        wrong = [r.id for r in runs if r.score_binarized != (1 if names[r.agent_id] == "oracle" else 0)]
        assert wrong == [], f"runs with the wrong score: {wrong}"
        s.expunge_all()
    return runs


def _started_on(proc: Proc) -> Counter[tuple[int, int]]:
    return executions_from_logs(proc.log())


@pytest.mark.timeout(420)
def test_a_crashed_host_loses_no_run_and_each_host_reaps_only_its_own(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    hosts: tuple[DockerDaemon, DockerDaemon],
) -> None:
    client, headers = api_client
    instance = f"many-hosts-{secrets.token_hex(3)}"
    daemon_a, daemon_b = hosts
    on_a, on_b = (
        DockerBackend(daemon_a.host, instance=instance),
        DockerBackend(daemon_b.host, instance=instance),
    )
    setup_catalog(client, headers, TASKS, solve=SOLVE)

    with (
        deployment(_host_env(cluster_env, daemon_a, instance), "hosts-a") as host_a,
        deployment(_host_env(cluster_env, daemon_b, instance), "hosts-b") as host_b,
    ):
        host_b.beat()  # one beat for the whole deployment
        worker_a = host_a.worker("w", concurrency=2, queues="default,runs")
        worker_b = host_b.worker("w", concurrency=2, queues="default,runs")
        batch_id, total = _submit(client, headers)
        wait_until(lambda: _both_hosts_busy(on_a, on_b), 180, "both hosts to run sandboxes")

        # Host A crashes: its worker dies, its sandboxes keep running on its daemon as orphans,
        # and beat re-queues its runs once their heartbeats are stale; host B finishes them.
        worker_a.kill()
        orphans = _running_attempts(on_a)
        assert orphans, "host A had no sandbox when it crashed: the test proved nothing"
        batch = _wait_done(client, batch_id, 240, hosts)

        # Host B's reaper runs (it removes an orphan planted on its own daemon) but never reaches
        # host A's daemon, and never touches another deployment's sandbox on its own.
        image = base_image_tag()
        planted = on_b.client.containers.create(
            image, "sleep 600", labels=container_labels(10**9, 1, instance)
        )
        foreign_labels = container_labels(10**9, 1, f"{instance}-other")
        foreign = on_b.client.containers.create(image, "sleep 600", labels=foreign_labels)
        wait_until(
            lambda: planted.id not in {c.id for c in on_b.managed_containers()},
            90,
            "host B to reap its orphan",
        )
        assert _running_attempts(on_a) == orphans, "host B's reaper removed host A's containers"
        on_b.client.containers.get(foreign.id).remove(force=True)  # raises NotFound if it was reaped

        # Host A comes back: its own reaper removes the sandboxes its crash left behind.
        worker_a2 = host_a.worker("w2", concurrency=2, queues="default,runs")
        wait_until(lambda: on_a.managed_containers() == [], 90, "host A to reap its own orphans")
        wait_until(lambda: on_b.managed_containers() == [], 60, "no sandbox left on host B")
        started_a, started_b = _started_on(worker_a), _started_on(worker_b)
        started_a2 = _started_on(worker_a2)

    runs = _check_runs(batch_id, total, batch, hosts)
    assert started_a and started_b, f"the batch did not drain across both hosts: A {started_a}, B {started_b}"
    assert not started_a2, "the batch was over when host A came back"
    assert max((started_a + started_b).values()) == 1, "an attempt started twice"
    by_id = {r.id: r for r in runs}
    for run_id, attempt in orphans:
        # The crashed host's runs were re-queued (attempt + 1) and finished on host B.
        assert by_id[run_id].attempt == attempt + 1
        assert started_b[(run_id, attempt + 1)] == 1, f"run {run_id} did not finish on host B"


@pytest.mark.timeout(540)
def test_a_hosts_dockerd_dying_mid_batch_loses_no_run(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    hosts: tuple[DockerDaemon, DockerDaemon],
) -> None:
    client, headers = api_client
    instance = f"many-hosts-{secrets.token_hex(3)}"
    daemon_a, daemon_b = hosts
    on_a, on_b = (
        DockerBackend(daemon_a.host, instance=instance),
        DockerBackend(daemon_b.host, instance=instance),
    )
    setup_catalog(client, headers, TASKS, solve=SOLVE)

    with (
        deployment(_host_env(cluster_env, daemon_a, instance), "hostd-a") as host_a,
        deployment(_host_env(cluster_env, daemon_b, instance), "hostd-b") as host_b,
    ):
        host_a.beat()
        worker_a = host_a.worker("w", concurrency=2, queues="default,runs")
        worker_b = host_b.worker("w", concurrency=2, queues="default,runs")
        batch_id, total = _submit(client, headers)
        wait_until(lambda: _both_hosts_busy(on_a, on_b), 180, "both hosts to run sandboxes")

        # Host A's daemon dies for good (its sandboxes are killed); its worker lives on and sends
        # back every run it takes without claiming it, so host B runs the rest of the batch. Each
        # message host A takes waits out a retry backoff (up to 60 s) before host B may get it:
        # hence the longer wait (docs/operations.md, "Several worker hosts").
        killed = _running_attempts(on_a)
        daemon_a.stop()
        batch = _wait_done(client, batch_id, 360, hosts)
        wait_until(lambda: on_b.managed_containers() == [], 60, "no sandbox left on host B")
        started_a, started_b = _started_on(worker_a), _started_on(worker_b)

    runs = _check_runs(batch_id, total, batch, hosts)
    assert killed, "host A had no sandbox when its daemon died: the test proved nothing"
    assert started_a and started_b, f"the batch did not drain across both hosts: A {started_a}, B {started_b}"
    assert max((started_a + started_b).values()) == 1, "an attempt started twice"
    # A run whose sandbox died with the daemon is retried once; a run taken by host A while its
    # daemon is down is sent back unclaimed, so it spends no attempt.
    assert all(r.attempt <= 2 for r in runs), [(r.id, r.attempt) for r in runs if r.attempt > 2]
    assert any(r.attempt == 2 for r in runs), "the daemon's death killed no sandbox"


def _diagnosis(batch_id: int, daemons: tuple[DockerDaemon, ...]) -> str:
    """Each distinct run error and the tail of each daemon's log, short enough for a CI excerpt."""
    with session_scope() as s:
        errors = s.execute(select(Run.status, Run.error).where(Run.batch_id == batch_id)).all()
    distinct = sorted({f"{status}: {(error or '')[:300]}" for status, error in errors})
    lines = ["run errors:", *distinct[:8]]
    for name, daemon in zip("AB", daemons, strict=True):
        lines += [f"dockerd of host {name}:", *daemon.log_path.read_text(errors="replace").splitlines()[-10:]]
    return "\n".join(lines)
