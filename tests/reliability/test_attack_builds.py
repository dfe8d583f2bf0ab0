"""Attacks on what surrounds a sandbox: task image builds and deployments sharing a Docker daemon.

- A task Dockerfile's RUN step tries to reach a TCP listener this test starts on 127.0.0.1 and the
  host's PostgreSQL (trust auth on 127.0.0.1:5432, which once let a build step insert an admin
  token). The build goes through the product's `ensure_task_image`; the step records what it could
  reach in the image. The listener must receive nothing and both targets must be unreachable,
  while the same probe does reach a listener inside the build (so "unreachable" is not a broken
  probe).
- Two deployments, each with its own migrated database, share this Docker daemon. Each database
  got its own instance id at migration; each labels its sandboxes with it, and one deployment's
  orphan reaper (beat's job, with no HORIZON_SANDBOX_INSTANCE) leaves the other's running
  container alone, even when both use the same run ids.
"""

from __future__ import annotations

import re
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import docker.errors
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import dispose_engines
from core.migrate import upgrade
from core.services import deployment as deployment_svc
from core.settings import Settings, get_settings
from core.taskspec import EnvironmentSpec
from tests.conftest import PG_ADMIN_URL
from tests.support.processes import wait_until
from tests.workers.conftest import SMALL_LIMITS
from workers.sandbox.base import ImageBuildError
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import BUILD_NETWORK_ENV, TASK_REPOSITORY, build_network, ensure_task_image
from workers.sandbox.docker.reaping import LABEL_INSTANCE

PG_PORT = 5432
# Run inside the build: tries each port on 127.0.0.1 and prints one line per target. The first
# target is a listener the probe starts itself inside the build's own namespace (the control).
PROBE = """import socket, sys
inner = socket.socket()
inner.bind(("127.0.0.1", 0))
inner.listen(1)
targets = [("inside", inner.getsockname()[1])] + [(n, int(p)) for n, p in zip(sys.argv[1::2], sys.argv[2::2])]
for name, port in targets:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
        print(name, "REACHED")
    except OSError as exc:
        print(name, "BLOCKED", type(exc).__name__)
"""


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def _reachable_from_here(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


# --- builds -------------------------------------------------------------------------------------


def test_build_network_defaults_to_none_and_refuses_the_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BUILD_NETWORK_ENV, raising=False)
    assert build_network() == "none"
    monkeypatch.setenv(BUILD_NETWORK_ENV, "horizon-builds")
    assert build_network() == "horizon-builds"
    for shared in ("host", "container:abc123"):
        monkeypatch.setenv(BUILD_NETWORK_ENV, shared)
        with pytest.raises(ImageBuildError, match="reach this host's services"):
            build_network()


@pytest.mark.docker
def test_a_build_step_reaches_nothing_on_the_host(
    docker_backend: DockerBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BUILD_NETWORK_ENV, raising=False)
    listener = Listener()
    client = docker_backend.client
    tag = None
    try:
        # Sanity: from the host both targets answer, so "blocked" below means the build was cut off.
        assert _reachable_from_here(listener.port)
        assert _reachable_from_here(PG_PORT), "the host's PostgreSQL should listen on 127.0.0.1:5432"
        # The listener's thread counts the sanity connection a moment later: wait for it, so the
        # count below compares against a settled number.
        wait_until(lambda: listener.accepted == 1, 10, "the listener to count the sanity connection")
        before = listener.accepted
        env = EnvironmentSpec(
            dockerfile=(
                "FROM horizon-base\n"
                "COPY probe.py /opt/probe.py\n"
                # `|| true`: the build succeeds whatever the probe sees; the record is the verdict.
                f"RUN python3 /opt/probe.py listener {listener.port} postgres {PG_PORT} "
                "> /opt/probe.txt 2>&1 || true\n"
            ),
            files={"probe.py": PROBE},
        )
        tag = ensure_task_image(env, client)
        assert tag.startswith(f"{TASK_REPOSITORY}:")
        record = client.containers.run(
            tag, ["cat", "/opt/probe.txt"], remove=True, network_mode="none", network_disabled=True
        ).decode()
        lines = dict(line.split(" ", 1) for line in record.strip().splitlines())
        assert lines["inside"] == "REACHED", record  # the probe works where there is something
        assert lines["listener"].startswith("BLOCKED"), record
        assert lines["postgres"].startswith("BLOCKED"), record
        assert listener.accepted == before, "the build step connected to the host's listener"
    finally:
        listener.close()
        if tag:
            try:
                client.images.remove(tag, force=True)
            except docker.errors.APIError:
                pass


# --- deployments sharing a daemon ---------------------------------------------------------------


@contextmanager
def _migrated_database(label: str) -> Iterator[str]:
    """A fresh PostgreSQL database migrated with Alembic (as `horizon migrate` does); dropped after."""
    name = f"horizon_test_{label}_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url=url)
        yield url
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.docker
def test_one_deployments_reaper_leaves_anothers_sandboxes_alone(
    db: str, docker_backend: DockerBackend, base_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.jobs import reap_orphan_sandboxes

    # What a deployment does by default: no explicit label, only its own database.
    monkeypatch.delenv("HORIZON_SANDBOX_INSTANCE", raising=False)
    deployment_svc.clear_cache()
    with _migrated_database("a") as url_a, _migrated_database("b") as url_b:
        settings_a = Settings(database_url=url_a)
        settings_b = Settings(database_url=url_b)
        id_a = deployment_svc.instance_id(settings_a)
        id_b = deployment_svc.instance_id(settings_b)
        assert re.fullmatch(r"d-[0-9a-f]{16}", id_a) and re.fullmatch(r"d-[0-9a-f]{16}", id_b)
        assert id_a != id_b

        docker_host = docker_backend.docker_host
        backend_a = DockerBackend(docker_host, settings=settings_a)
        backend_b = DockerBackend(docker_host, settings=settings_b)
        # The same run id in both: each database numbers its own runs from 1.
        box_a = backend_a.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=1, attempt=1)
        box_b = backend_b.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=1, attempt=1)
        try:
            client = docker_backend.client
            assert client.containers.get(box_a.container_id).labels[LABEL_INSTANCE] == id_a
            assert client.containers.get(box_b.container_id).labels[LABEL_INSTANCE] == id_b

            # Beat's reaper in deployment A: run 1 is not running in A's database, so A's sandbox
            # is an orphan and goes; B's, with the same labels but B's instance, stays running.
            monkeypatch.setenv("DATABASE_URL", url_a)
            get_settings.cache_clear()
            removed = reap_orphan_sandboxes()
            assert removed == [box_a.name]
            with pytest.raises(docker.errors.NotFound):
                client.containers.get(box_a.container_id)
            assert client.containers.get(box_b.container_id).status == "running"
            assert box_b.exec("echo still here", timeout_s=10).stdout == "still here\n"
        finally:
            box_a.close()
            box_b.close()
            get_settings.cache_clear()
            deployment_svc.clear_cache()
