"""Alembic is the only way the schema is made: round trips on PostgreSQL and SQLite."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import CheckConstraint, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import make_engine
from core.migrate import downgrade, upgrade
from core.models import Base
from tests.conftest import PG_ADMIN_URL

EXPECTED_TABLES = set(Base.metadata.tables)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture
def scratch_pg() -> Iterator[str]:
    name = f"horizon_migr_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _round_trip(url: str) -> None:
    upgrade(url=url)
    assert _tables(url) == EXPECTED_TABLES
    downgrade("base", url=url)
    assert _tables(url) == set()
    upgrade(url=url)
    assert _tables(url) == EXPECTED_TABLES


def test_round_trip_postgres(scratch_pg: str) -> None:
    _round_trip(scratch_pg)


def test_round_trip_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'h.db'}")


def test_models_match_migrations(scratch_pg: str) -> None:
    """The ORM models and the migrations describe the same schema (no pending autogenerate diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(url=scratch_pg)
    engine = create_engine(scratch_pg)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


# Per CHECK constraint (migration 0008): a value no version of Horizon writes, and a good one.
BAD_VALUES = [
    ("api_tokens", "role", "root", "viewer"),
    ("runs", "status", "lost", "infra_error"),
    ("runs", "stop_reason", "gave_up", "agent_error"),
    ("analysis_results", "status", "error", "failed"),
    ("human_baselines", "source", "guess", "estimate"),
    ("tasks", "human_minutes_source", "timed", "baseline"),
    ("baselining_attempts", "status", "running", "active"),
]


# Checks that later migrations add with their columns (0009, 0010, 0012, 0013, 0015, 0017); at
# 0007 they do not exist.
LATER_CHECKS = {
    "ck_models_wire_api",
    "ck_run_attempts_status",
    "ck_models_gpus",
    "ck_agents_kind",
    "ck_task_import_jobs_status",
    "ck_transcript_archives_state",
    "ck_analysis_samples_metric",
}


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_attempt_and_wire_api_checks(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Migration 0009's columns refuse values nothing writes, like 0008's."""
    url = request.getfixturevalue("scratch_pg") if backend == "postgres" else f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url=url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO models (name, provider, api_model, input_price_per_mtok, "
                    "output_price_per_mtok, context_window, managed, created_at) VALUES "
                    "('m', 'openai', 'm', 0, 0, 1, false, CURRENT_TIMESTAMP)"
                )
            )
        for statement in (
            "UPDATE models SET wire_api = 'grpc'",
            "INSERT INTO run_attempts (run_id, attempt, status, started_at, tokens_in, tokens_out, "
            "cache_read_tokens, cache_write_tokens, reasoning_tokens, model_calls, cost_usd, "
            "provider_wait_s) VALUES (1, 1, 'lost', CURRENT_TIMESTAMP, 0, 0, 0, 0, 0, 0, 0, 0)",
        ):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT wire_api FROM models")).scalar() == "chat"
    finally:
        engine.dispose()


def _row(session: Session, table: str, column: str, value: str) -> None:
    """Add a valid row of `table` (and the rows it refers to) with `column` set to `value`."""
    from core.models import ApiToken, HumanBaseline, Task, TaskFamily, TaskVersion

    key = secrets.token_hex(4)
    task = Task(id=f"t-{key}", family_id=f"f-{key}", title="T")
    version = TaskVersion(
        task_id=task.id,
        version=1,
        content_hash="0" * 64,
        instructions="",
        environment={},
        scorer={},
        limits={},
        time_limit_s=60,
    )
    session.add(TaskFamily(id=f"f-{key}"))
    session.flush()  # no relationship orders these three inserts
    session.add(task)
    session.flush()
    session.add(version)
    session.flush()
    if table == "runs":
        # Columns only: the ORM's runs and agents rows have columns later revisions add (this
        # runs at 0007 too).
        agent_id = session.execute(
            text(
                "INSERT INTO agents (name, scaffold, settings, created_at) "
                "VALUES (:name, 'null', '{}', CURRENT_TIMESTAMP) RETURNING id"
            ),
            {"name": f"a-{key}"},
        ).scalar_one()
        values = {"status": "queued", "stop_reason": None, column: value}
        session.execute(
            text(
                "INSERT INTO runs (agent_id, task_version_id, task_id, repeat_index, attempt, status, "
                "stop_reason, tokens_in, tokens_out, cost_usd, created_at) VALUES (:agent, :version, "
                ":task, 0, 0, :status, :stop_reason, 0, 0, 0, CURRENT_TIMESTAMP)"
            ),
            {"agent": agent_id, "version": version.id, "task": task.id, **values},
        )
        return
    # Columns only, as for runs: later revisions add columns to these ORM rows (0014, 0016).
    inserts = {
        "analysis_results": "INSERT INTO analysis_results (status, params, progress_done, progress_total, "
        "n_runs, n_infra_excluded, simulated, created_at) VALUES ('queued', '{}', 0, 0, 0, 0, false, "
        "CURRENT_TIMESTAMP)",
        "baselining_attempts": "INSERT INTO baselining_attempts (task_id, task_version, baseliner, status, "
        f"message, created_at) VALUES ('{task.id}', 1, 'b', 'active', '', CURRENT_TIMESTAMP)",
    }
    if table in inserts:
        session.execute(text(inserts[table]))
        session.execute(text(f"UPDATE {table} SET {column} = :value"), {"value": value})
        return
    rows: dict[str, Any] = {
        "api_tokens": lambda: ApiToken(name=f"n-{key}", token_hash=key * 8, role="viewer"),
        "human_baselines": lambda: HumanBaseline(
            task_id=task.id, baseliner="b", minutes=1.0, succeeded=True, source="baseline"
        ),
        "tasks": lambda: task,
    }
    row = rows[table]()
    setattr(row, column, value)
    session.add(row)
    session.flush()


def _refused(url: str) -> list[tuple[str, str, str, str]]:
    """The bad values the database refuses (each tried in its own transaction)."""
    engine = create_engine(url)
    refused = []
    try:
        for table, column, value, good in BAD_VALUES:
            with Session(engine) as session:
                try:
                    _row(session, table, column, value)
                except IntegrityError as exc:
                    assert f"ck_{table}_{column}" in str(exc.orig)
                    refused.append((table, column, value, good))
                    session.rollback()
                else:
                    session.commit()
    finally:
        engine.dispose()
    return refused


def _check_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            str(c["name"])
            for table in inspector.get_table_names()
            for c in inspector.get_check_constraints(table)
        }
    finally:
        engine.dispose()


ORM_CHECKS = {
    str(c.name)
    for t in Base.metadata.tables.values()
    for c in t.constraints
    if isinstance(c, CheckConstraint)
}


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_state_checks_up_and_down(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """At head the database refuses a state nothing writes; at 0007 it accepts one; an upgrade
    over such a row stops, names it and changes nothing; once corrected, the upgrade goes through."""
    url = request.getfixturevalue("scratch_pg") if backend == "postgres" else f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url=url)
    assert _check_names(url) == ORM_CHECKS == {f"ck_{t}_{c}" for t, c, _, _ in BAD_VALUES} | LATER_CHECKS
    assert _refused(url) == BAD_VALUES

    downgrade("0007", url=url)
    assert _check_names(url) == set()
    assert _refused(url) == []  # every bad value is stored now

    with pytest.raises(RuntimeError) as failed:
        upgrade(url=url)
    for table, column, value, _ in BAD_VALUES:
        assert f"{table}.{column} = {value!r} in 1 rows" in str(failed.value)
    engine = create_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0007"
        for table, column, value, good in BAD_VALUES:
            conn.execute(
                text(f"UPDATE {table} SET {column} = :good WHERE {column} = :bad"),
                {"good": good, "bad": value},
            )
    engine.dispose()
    upgrade(url=url)
    assert _check_names(url) == ORM_CHECKS


def test_sqlite_migrations_keep_rows_that_refer_to_copied_tables(tmp_path: Path) -> None:
    """SQLite copies a table to change it; dropping the old one must not cascade to its children
    (foreign keys are off during migrations, checked after)."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url=url, revision="0005")
    engine = make_engine(url)  # Horizon's engine: foreign keys on
    with engine.begin() as conn:
        now = "CURRENT_TIMESTAMP"
        conn.execute(text(f"INSERT INTO task_families (id, description, created_at) VALUES ('f', '', {now})"))
        conn.execute(
            text(
                "INSERT INTO tasks (id, family_id, title, tags, current_version, n_successful_baselines, "
                f"created_at, updated_at) VALUES ('t', 'f', 'T', '[]', 1, 0, {now}, {now})"
            )
        )
        conn.execute(
            text(
                "INSERT INTO task_versions (task_id, version, content_hash, instructions, environment, "
                "scorer, limits, time_limit_s, created_at) "
                f"VALUES ('t', 1, 'h', '', '{{}}', '{{}}', '{{}}', 60, {now})"
            )
        )
        conn.execute(
            text(
                "INSERT INTO human_baselines (task_id, baseliner, minutes, succeeded, source, notes, "
                f"recorded_at, created_at) VALUES ('t', 'b', 5, 1, 'baseline', '', {now}, {now})"
            )
        )
    engine.dispose()
    upgrade(url=url)  # 0006 and 0008 copy tasks, human_baselines, ...
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM human_baselines")).scalar() == 1
        assert conn.execute(text("SELECT COUNT(*) FROM task_versions")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
