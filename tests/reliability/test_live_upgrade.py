"""An upgrade while a batch runs: migrate first with old workers running, then roll the workers.

The "new version" is this code with one more, test-only Alembic revision (a nullable column on
`runs` and a new table) in a copy of the migrations folder, named by `HORIZON_MIGRATIONS_DIR`; it
chains onto whatever the repository's head is. With old workers and beat mid-batch, `horizon
migrate` applies it; the old processes keep running (they checked the schema at start), an old
worker started again refuses the newer schema in one line, and workers and beat given the new
folder start. The old workers are stopped with SIGTERM (Celery's warm shutdown) while they hold
runs. Every run must end completed once, on its first attempt, scored right, with one attempt
row, one start in the logs; the batch's counts, the export a fit reads and the tasks' human
times as they were, and `horizon doctor` finding nothing to repair or waiting.
docs/operations.md, "Upgrade", is the procedure this test proves.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from core.auth import create_token
from core.db import session_scope
from core.migrate import (
    SHIPPED_MIGRATIONS,
    SchemaMismatch,
    alembic_config,
    check_schema,
    downgrade,
    schema_revisions,
    upgrade,
)
from core.models import Agent, Run, RunAttempt
from core.services.doctor import doctor
from core.settings import Settings
from tests.conftest import PG_ADMIN_URL
from tests.reliability.support import (
    RedisServer,
    assert_no_loss_or_double_count,
    deployment,
    executions_from_logs,
    setup_catalog,
    wait_batch_done,
)
from tests.support.processes import Proc, horizon_cmd, wait_until
from workers.sandbox.docker.backend import DockerBackend

TASKS = 5
REPEATS = 2  # x 2 agents (oracle, null): 20 runs, two at a time on the old workers
PROBE_REVISION = "test_upgrade_probe"

_PROBE_MIGRATION = '''"""Test only: an additive change, as a release's migration would be.

Revision ID: {revision}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("upgrade_probe", sa.Text(), nullable=True))
    op.create_table("upgrade_probe_notes", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("upgrade_probe_notes")
    op.drop_column("runs", "upgrade_probe")
'''


def newer_migrations(dest: Path) -> Path:
    """A copy of the shipped migrations plus the probe revision on top of the current head."""
    shutil.copytree(SHIPPED_MIGRATIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    body = _PROBE_MIGRATION.format(revision=PROBE_REVISION, down=head)
    (dest / "versions" / f"{PROBE_REVISION}.py").write_text(body)
    return dest


@pytest.fixture
def upgrade_db() -> Iterator[str]:
    """A database of its own on the test server: the probe revision must not reach the session's."""
    name = f"horizon_upgrade_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url=url)
        yield url
    finally:
        from core.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def warm_exit(proc: Proc, timeout: float = 120) -> int:
    """Wait for a process sent SIGTERM (as an orchestrator's stop does) to end its warm shutdown;
    its exit code."""
    code = proc.popen.wait(timeout=timeout)
    proc.stop()  # closes the log
    return code


def human_times(client: TestClient) -> dict[str, object]:
    """Each task's human time as the API reports it."""
    r = client.get("/api/tasks", params={"limit": 100})
    assert r.status_code == 200, r.text
    return {t["id"]: t["human_time"] for t in r.json()["items"]}


@pytest.mark.docker
@pytest.mark.timeout(600)
def test_migration_applied_under_a_running_batch_then_rolled_workers_lose_no_run(
    upgrade_db: str, private_redis: RedisServer, docker_backend: DockerBackend, tmp_path: Path
) -> None:
    url = upgrade_db
    new_dir = newer_migrations(tmp_path / "migrations")
    redis.Redis.from_url(private_redis.url()).flushall()
    settings = Settings(database_url=url, redis_url=private_redis.url())
    with session_scope(settings) as s:
        _, secret = create_token(s, "upgrade", "submitter")
    headers = {"Authorization": f"Bearer {secret}"}
    old_env = {
        "DATABASE_URL": url,
        "REDIS_URL": private_redis.url(),
        "HORIZON_SANDBOX_INSTANCE": docker_backend.instance,
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
        "HORIZON_STALE_AFTER_S": "15",
        "HORIZON_REAP_INTERVAL_S": "2",
    }
    new_env = {**old_env, "HORIZON_MIGRATIONS_DIR": str(new_dir)}
    from api.app import create_app

    with (
        TestClient(create_app(settings)) as client,
        deployment(old_env, "upgrade-old") as old,
        deployment(new_env, "upgrade-new") as new,
    ):
        setup_catalog(client, headers, TASKS, tag="upg", solve="sleep 5; echo ok > answer.txt")
        times_before = human_times(client)
        old_beat = old.beat()
        old_workers = [old.worker("w1", concurrency=1, queues="default,runs")]
        old_workers.append(old.worker("w2", concurrency=1, queues="runs"))
        # A run records its worker as host:pid; the threads pool runs jobs in the worker's process.
        old_pids = {str(p.popen.pid) for p in old_workers}
        # null's runs are quick, oracle's take 5 s: enqueued last, they keep the batch going to the roll.
        body = {"agents": ["null", "oracle"], "tags": ["upg"], "repeats": REPEATS}
        r = client.post("/api/batches", json=body, headers=headers)
        assert r.status_code == 201, r.text
        batch_id, total = r.json()["id"], r.json()["total"]
        assert total == TASKS * 2 * REPEATS

        def runs_by_status(status: str) -> set[int]:
            with session_scope(settings) as s:
                query = select(Run.id).where(Run.batch_id == batch_id, Run.status == status)
                return set(s.scalars(query))

        def held_by_old() -> set[int]:
            with session_scope(settings) as s:
                query = select(Run.id, Run.worker).where(Run.batch_id == batch_id, Run.status == "running")
                return {i for i, w in s.execute(query) if (w or "").rpartition(":")[2] in old_pids}

        wait_until(lambda: len(runs_by_status("running")) >= 2, 180, "runs in flight on the old workers")

        # 1. Migrate with the batch running: the new code's `horizon migrate`.
        migrated = subprocess.run(
            horizon_cmd("migrate"), env={**os.environ, **new_env}, capture_output=True, text=True, timeout=120
        )
        assert migrated.returncode == 0, migrated.stderr
        assert schema_revisions(Settings(database_url=url, migrations_dir=new_dir)) == (
            (PROBE_REVISION,),
            (PROBE_REVISION,),
        )
        in_flight_at_migration = runs_by_status("running")
        done_at_migration = runs_by_status("completed")
        assert in_flight_at_migration, "no run was in flight across the migration"

        # 2. The old workers keep running: runs in flight then, and runs claimed after, complete.
        wait_until(
            lambda: (
                in_flight_at_migration <= runs_by_status("completed")
                and len(runs_by_status("completed") - done_at_migration - in_flight_at_migration) >= 1
            ),
            180,
            "old workers to finish their runs and claim new ones after the migration",
        )
        # 3. Roll: each old worker gets SIGTERM while it holds a run (warm shutdown: it finishes
        # them) and the new workers start meanwhile; then beat is replaced.
        wait_until(lambda: len(held_by_old()) >= 1, 60, "a run held by an old worker")
        held_at_stop = held_by_old()
        assert len(runs_by_status("queued")) > 0, "the batch ended before the workers could be rolled"
        for proc in old_workers:
            os.killpg(proc.popen.pid, signal.SIGTERM)
        new.worker("w3", concurrency=2, queues="default,runs")
        new.worker("w4", concurrency=2, queues="runs")
        for proc in old_workers:
            assert warm_exit(proc) == 0, proc.log()[-3000:]
        os.killpg(old_beat.popen.pid, signal.SIGTERM)
        assert warm_exit(old_beat) == 0
        new.beat()

        # 4. Old code started again refuses the newer schema in one line.
        refused = subprocess.run(
            horizon_cmd("worker", "--queues", "runs", "--concurrency", "1"),
            env={**os.environ, **old_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode == 1
        assert (
            f"the database schema is at revision {PROBE_REVISION}, newer than this Horizon" in refused.stderr
        )
        assert "Traceback" not in refused.stderr

        batch = wait_batch_done(client, batch_id, timeout=300)
        logs = old.logs() + "\n" + new.logs()
        wait_until(lambda: docker_backend.managed_containers() == [], 60, "no sandbox left behind")

        times_after = human_times(client)
        export = client.get("/api/runs/export")
        assert export.status_code == 200
        exported = [line for line in export.text.splitlines() if line.strip()]
        health = client.get("/api/health")

    assert batch["counts"] == {"completed": total}, batch
    assert times_after == times_before
    assert len(exported) == total  # what a fit reads: every run, once
    assert health.status_code == 200, health.text
    executions = executions_from_logs(logs)
    with session_scope(settings) as s:
        runs = assert_no_loss_or_double_count(s, batch_id, total)
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        assert all(r.score_binarized == (1 if names[r.agent_id] == "oracle" else 0) for r in runs)
        # No run was cut short or retried: warm shutdown finished what the old workers held.
        assert {r.attempt for r in runs} == {1}
        attempts = list(s.scalars(select(RunAttempt).where(RunAttempt.run_id.in_([r.id for r in runs]))))
        assert sorted(a.run_id for a in attempts) == sorted(r.id for r in runs)
        assert {a.status for a in attempts} == {"completed"}
        pid_of = {r.id: (r.worker or "").rpartition(":")[2] for r in runs}
        engine = s.get_bind()
        columns = {c["name"] for c in inspect(engine).get_columns("runs")}
    assert all(executions[(r.id, 1)] == 1 for r in runs) and max(executions.values()) == 1
    # Runs held by the old workers at the migration and at their stop finished there, the rest on
    # the new workers: both versions worked the one batch.
    assert all(pid_of[i] in old_pids for i in in_flight_at_migration | held_at_stop)
    assert any(pid not in old_pids for pid in pid_of.values())
    assert "upgrade_probe" in columns
    # `horizon doctor`'s checks (human times, spend, current versions, attempts, waiting work).
    report = doctor(settings)
    assert (report.drifted, report.waiting) == (0, 0), report.model_dump_json(indent=1)


def test_migrations_dir_that_is_not_a_scripts_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    """`HORIZON_MIGRATIONS_DIR` naming a folder without env.py and versions/ stops `horizon migrate`
    and a worker before they touch a database, with one line saying which folder."""
    (tmp_path / "not-migrations").mkdir()
    env = {**os.environ, "HORIZON_MIGRATIONS_DIR": str(tmp_path / "not-migrations")}
    env["DATABASE_URL"] = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
    env["REDIS_URL"] = "redis://127.0.0.1:9/0"  # never reached: the folder is refused first
    for command in (horizon_cmd("migrate"), horizon_cmd("worker", "--queues", "runs")):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert "is not an Alembic scripts folder" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "horizon.db").exists()


def test_schema_check_follows_the_migrations_dir_both_ways(tmp_path: Path) -> None:
    """On SQLite: after the newer folder's migration, this code's check refuses the schema as newer
    and the newer folder's passes it; its downgrade brings the database back to this code."""
    new_dir = newer_migrations(tmp_path / "migrations")
    url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
    old, new = Settings(database_url=url), Settings(database_url=url, migrations_dir=new_dir)
    upgrade(old)
    check_schema(old)
    with pytest.raises(SchemaMismatch, match="is behind|behind this Horizon"):
        check_schema(new)  # new code before `horizon migrate`
    upgrade(new)
    check_schema(new)
    with pytest.raises(SchemaMismatch, match=f"at revision {PROBE_REVISION}, newer than this Horizon"):
        check_schema(old)
    with pytest.raises(SchemaMismatch, match=f"at revision {PROBE_REVISION}, newer"):
        check_schema(old, migrate=True)  # a server of the old code does not touch it either
    # Old commands that migrate themselves say the same in one line and change nothing.
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("HORIZON_MIGRATIONS_DIR", None)
    for command in (horizon_cmd("migrate"), horizon_cmd("fit", "--bootstrap", "10")):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert f"error: the database schema is at revision {PROBE_REVISION}, newer" in done.stderr
        assert "Traceback" not in done.stderr
    assert schema_revisions(new) == ((PROBE_REVISION,), (PROBE_REVISION,))
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    downgrade(head, settings=new)
    check_schema(old)
