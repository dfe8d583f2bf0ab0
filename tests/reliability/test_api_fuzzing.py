"""Property-based fuzzing of the REST API from its OpenAPI schema (Schemathesis).

Every operation in `/openapi.json` (enumerated at collection, so new endpoints are fuzzed without
touching this file) gets a bounded number of generated requests, schema-conforming and not (wrong
types, missing fields, out-of-range values, odd strings), sent with an admin token so that the
handlers are reached rather than stopped at the door, on a database holding one object of each
kind (so generated small ids find rows too). No answer may be a 5xx, and a refused
request (4xx) must leave every table as it was and say why. The token is the bootstrap admin
token from the settings, which no request can revoke; jobs go to a private Redis nothing consumes.
Every operation is fuzzed on PostgreSQL and on SQLite (the embedded default), whose integer
limits differ (an id past 2^63 once overflowed in the SQLite driver).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import delete

from core.db import session_scope
from core.settings import Settings
from tests.reliability.support import RedisServer, table_counts, tiny_task

ADMIN_TOKEN = f"hzn_fuzz_{secrets.token_hex(16)}"
# Examples per operation and generation mode; HORIZON_TEST_FUZZ_EXAMPLES raises it for a longer hunt.
EXAMPLES = int(os.environ.get("HORIZON_TEST_FUZZ_EXAMPLES", "25"))


def _schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operation_labels() -> list[str]:
    """Every operation of the API, read from an app that is never called (no database needed)."""
    from api.app import create_app

    schema = _schema(create_app(Settings(database_url="sqlite://")))
    return [result.ok().label for result in schema.get_all_operations()]


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def backend(
    request: pytest.FixtureRequest, private_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings of the database under test: the session's PostgreSQL, or a migrated SQLite file."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        from core.migrate import upgrade

        url = f"sqlite:///{(tmp_path_factory.mktemp('fuzz-sqlite') / 'horizon.db').as_posix()}"
        upgrade(url=url)
    return Settings(database_url=url, redis_url=private_redis.url(), admin_token=ADMIN_TOKEN)


@pytest.fixture(scope="module")
def operations(backend: Settings) -> Iterator[dict[str, Any]]:
    """The operations of an app on the database under test, by label."""
    from api.app import create_app

    app = create_app(backend)
    yield {result.ok().label: result.ok() for result in _schema(app).get_all_operations()}


@pytest.fixture
def empty_db(backend: Settings, request: pytest.FixtureRequest) -> Settings:
    """The backend's tables emptied (PostgreSQL: the shared `db` fixture; SQLite: deleted here)."""
    if backend.database_url and backend.database_url.startswith("sqlite"):
        from core.models import Base

        with session_scope(backend) as s:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != "deployment":
                    s.execute(delete(table))
    else:
        request.getfixturevalue("db")
    return backend


def _seed(settings: Settings) -> None:
    """One of each object (ids 1, 2), so that generated small ids reach existing rows too."""
    from core.auth import create_token
    from core.queue import forget_pending_jobs
    from core.schemas import AgentCreate, BaselineCreate, BatchCreate, ModelCreate, TaskCreate
    from core.services import batches, catalog, tasks

    with session_scope(settings) as s:
        tasks.create_task(s, TaskCreate.model_validate(tiny_task("seed-task", ["seed"])))
        seed = BaselineCreate(baseliner="seed", minutes=3, succeeded=True)
        tasks.add_baseline(s, "seed-task", seed, recorded_by=None)
        model = {"name": "seed-model", "base_url": "http://127.0.0.1:9/v1"}
        catalog.create_model(s, ModelCreate.model_validate(model), Settings(), is_admin=True)
        catalog.create_agent(s, AgentCreate(name="seed-agent", scaffold="oracle", model="seed-model"))
        batches.create_batch(s, BatchCreate(agents=["seed-agent"], tasks=["seed-task"], repeats=2))
        create_token(s, "seed", "viewer")
        forget_pending_jobs(s)  # nothing runs these


def _counts(settings: Settings) -> dict[str, int]:
    with session_scope(settings) as session:
        return table_counts(session)


@pytest.mark.parametrize("label", _operation_labels())
def test_no_server_error_and_a_refused_request_changes_nothing(
    label: str, operations: dict[str, Any], empty_db: Settings, private_redis: RedisServer
) -> None:
    redis.Redis.from_url(private_redis.url()).flushall()
    _seed(empty_db)
    operation = operations[label]
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES * 2, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def check(case: Any) -> None:
        before = _counts(empty_db)
        response = case.call(headers=headers)
        where = f"{case.method} {case.formatted_path} {case.query or ''}"
        assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
        if response.status_code >= 400:
            assert _counts(empty_db) == before, f"{where} was refused ({response.status_code}) but wrote rows"
            detail = response.json().get("detail")
            assert isinstance(detail, str) and detail, (
                f"{where}: a refusal must say why: {response.text[:300]}"
            )

    check()
