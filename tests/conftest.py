"""Test fixtures: a real PostgreSQL database per test session (migrated with Alembic), real Redis.

Each test starts from empty tables (those holding rows are truncated) and restarted id
sequences, which also works for real worker processes that share the database. Override the
servers with HORIZON_TEST_PG_URL and HORIZON_TEST_REDIS_URL.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
# Task fixtures carry their own verifier tests (test_*.py) that run inside sandboxes, never here.
collect_ignore = ["fixtures"]
PG_ADMIN_URL = os.environ.get("HORIZON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("HORIZON_TEST_REDIS_URL", "redis://127.0.0.1:6379")
_DB_NAME = f"horizon_test_{os.getpid()}_{secrets.token_hex(3)}"
# A Redis database number per session, so parallel test sessions rarely share queues.
_REDIS_DB = 1 + os.getpid() % 15
TEST_DATABASE_URL = make_url(PG_ADMIN_URL).set(database=_DB_NAME).render_as_string(hide_password=False)
TEST_REDIS_URL = f"{REDIS_BASE_URL}/{_REDIS_DB}"

# Settings are read from the environment; point them at the test database before anything
# imports core.settings. Tests that need Redis pass it explicitly.
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ.pop("REDIS_URL", None)
os.environ.pop("HORIZON_REDIS_URL", None)
os.environ.setdefault("HORIZON_DATA_DIR", str(REPO_ROOT / "test-output" / "data"))
# Starlette's TestClient sends `Host: testserver`; real servers in tests are reached on 127.0.0.1.
os.environ.setdefault("HORIZON_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
# Infrastructure retries wait 0.5 s, 1 s here (10 s, 20 s by default) so fault tests stay quick.
os.environ.setdefault("HORIZON_INFRA_RETRY_DELAY_S", "0.5")
# The host state folder (GPU holdings, shared inference servers: workers/host_state.py) is the
# session's own, so test sessions side by side never see each other's fake GPUs or servers.
_HOST_STATE_DIR = tempfile.mkdtemp(prefix="horizon-test-host-")
atexit.register(shutil.rmtree, _HOST_STATE_DIR, ignore_errors=True)
os.environ.setdefault("HORIZON_HOST_STATE_DIR", _HOST_STATE_DIR)


def _admin_engine() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """Create the session's database, migrate it with Alembic, drop it at the end."""
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{_DB_NAME}"'))
    except Exception as exc:  # pragma: no cover - environment problem, say so plainly
        pytest.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}", returncode=3)
    from core.migrate import upgrade
    from core.settings import get_settings

    get_settings.cache_clear()
    upgrade(url=TEST_DATABASE_URL)
    yield TEST_DATABASE_URL
    from core.db import dispose_engines

    dispose_engines()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_DB_NAME}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def db(pg_url: str) -> Iterator[str]:
    """An empty, migrated PostgreSQL database for one test."""
    from core.db import get_engine
    from core.settings import get_settings

    get_settings.cache_clear()
    engine = get_engine()
    with engine.begin() as conn:
        existing = set(
            conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public'")).scalars()
        )
        # Every table but Alembic's own, so tables added by later migrations are emptied too, and
        # the deployment's identity, which the migration made once (core.services.deployment).
        tables = sorted(t for t in existing if t not in ("alembic_version", "deployment"))
        # TRUNCATE costs a few tenths of a second however little it empties (new files for each
        # table and index), and most tests leave most tables empty (the `session` fixture writes
        # nothing that lasts), so only tables holding rows are truncated, in one statement. The
        # lock TRUNCATE would take comes first, so a writer still finishing is waited for and seen.
        conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        holding = list(conn.execute(text(probe)).scalars())
        if holding:
            conn.execute(text(f"TRUNCATE {', '.join(holding)} RESTART IDENTITY CASCADE"))
        # What RESTART IDENTITY does, for every emptied table: inserts that were rolled back
        # still advanced the sequences of tables that are empty now.
        conn.execute(
            text(
                "SELECT setval(s.oid, q.seqstart, false) FROM pg_class s"
                " JOIN pg_sequence q ON q.seqrelid = s.oid"
                " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid"
                " AND d.deptype IN ('a', 'i')"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY(:tables)"
            ),
            {"tables": tables},
        )
    yield pg_url


@pytest.fixture
def session(db: str) -> Iterator:  # type: ignore[type-arg]
    from core.db import get_session_factory

    s = get_session_factory()()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover
        pytest.exit(f"Redis is not reachable at {TEST_REDIS_URL}: {exc}", returncode=3)
    client.flushdb()
    return TEST_REDIS_URL


@pytest.fixture(autouse=True)
def _in_process_jobs_stay_in_their_test() -> Iterator[None]:
    """Jobs registered for the in-process queue during a test are forgotten after it.

    Importing `workers.jobs` registers every job (run execution included) in this process; if that
    outlived the test, later tests' batches would start running in the background.
    """
    from core import queue

    saved = dict(queue._REGISTRY)
    yield
    queue._REGISTRY.clear()
    queue._REGISTRY.update(saved)


@pytest.fixture
def worker_jobs() -> None:
    """Every worker job registered for the in-process queue for this test (embedded mode), whether
    or not `workers.jobs` was imported before."""
    import workers.jobs  # noqa: F401  # the jobs register themselves on the Celery app
    from core.queue import register_job
    from workers.celery_app import app

    for name, task in app.tasks.items():
        if not name.startswith("celery."):
            register_job(name, task.run)
