"""Fixtures for the reliability tests: the test database, a private Redis, the session's Docker
sandbox instance, and the environment real `horizon` processes get.

Redis is a private server rather than a database number on the machine's shared one: Celery's
broadcasts and a stray worker of another test session on the same number would take messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_token
from tests.reliability.support import RedisServer
from tests.workers.conftest import base_image, docker_backend, docker_instance  # noqa: F401 - fixtures
from workers.sandbox.docker.backend import DockerBackend


@pytest.fixture(scope="session")
def private_redis() -> Iterator[RedisServer]:
    """A redis-server for this test session only (no persistence)."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def cluster_env(
    db: str,
    private_redis: RedisServer,
    docker_backend: DockerBackend,  # noqa: F811 - the fixture imported above
) -> dict[str, str]:
    """Environment for workers and beat on the test database, a private Redis and Docker instance.

    Short heartbeat, stale and sweep intervals so that faults are noticed within seconds.
    """
    redis.Redis.from_url(private_redis.url()).flushall()
    return {
        "DATABASE_URL": db,
        "REDIS_URL": private_redis.url(),
        "HORIZON_SANDBOX_INSTANCE": docker_backend.instance,
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
        "HORIZON_STALE_AFTER_S": "15",
        "HORIZON_REAP_INTERVAL_S": "2",
        "HORIZON_REQUEUE_AFTER_S": "30",
    }


@pytest.fixture
def api_client(cluster_env: dict[str, str]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API in this process, enqueuing to the environment's Redis, and a submitter's headers."""
    from api.app import create_app

    settings = Settings(database_url=cluster_env["DATABASE_URL"], redis_url=cluster_env["REDIS_URL"])
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {make_token('submitter')}"}


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of the database under test: the session's PostgreSQL (emptied), or a new migrated
    SQLite file (the embedded default). A test module may define its own `backend`."""
    if request.param == "postgresql":
        return Settings(database_url=request.getfixturevalue("db"), data_dir=tmp_path / "data")
    from core.migrate import upgrade

    url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
    upgrade(url=url)
    return Settings(database_url=url, data_dir=tmp_path / "data")
