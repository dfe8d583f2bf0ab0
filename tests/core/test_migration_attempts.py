"""Migration 0009 gives every finished run of an existing database its attempt row and its spend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Table,
    create_engine,
    text,
)

from core.migrate import upgrade
from tests.core.test_migrations import scratch_pg  # noqa: F401  # the fixture

NOW = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)

# (status, attempt, cost): what runs rows at revision 0008 may hold.
OLD_RUNS = [
    ("completed", 1, 0.25),
    ("infra_error", 3, 0.0),
    ("cancelled", 2, 0.5),
    ("queued", 1, 0.0),  # re-queued after a failure: no finished attempt to carry over
    ("cancelled", 0, 0.0),  # cancelled before any worker claimed it
]


def _insert(conn: Connection, table: str, **values: Any) -> None:
    """One row of `table` as the database stands (revision 0008), with plain values in every
    required column that `values` leaves out."""
    reflected = Table(table, MetaData(), autoload_with=conn)
    for column in reflected.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, DateTime):
            values[column.name] = NOW
        elif isinstance(kind, Date):
            values[column.name] = NOW.date()
        elif isinstance(kind, Boolean):
            values[column.name] = False
        elif isinstance(kind, Integer | Float):
            values[column.name] = 0
        elif isinstance(kind, JSON):
            values[column.name] = {}
        else:
            values[column.name] = "x"
    conn.execute(reflected.insert().values(**values))


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_finished_runs_get_their_attempt_row(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("scratch_pg") if backend == "postgres" else f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url=url, revision="0008")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _insert(conn, "task_families", id="f")
            _insert(conn, "tasks", id="t", family_id="f")
            _insert(conn, "task_versions", id=1, task_id="t", version=1)
            _insert(conn, "agents", id=1, name="a")
            for index, (status, attempt, cost) in enumerate(OLD_RUNS):
                _insert(
                    conn,
                    "runs",
                    id=index + 1,
                    agent_id=1,
                    task_version_id=1,
                    task_id="t",
                    repeat_index=index,
                    attempt=attempt,
                    status=status,
                    stop_reason="submitted" if status == "completed" else None,
                    tokens_in=100,
                    tokens_out=10,
                    cost_usd=cost,
                    worker="w:1",
                    error="attempt 3: sandbox: gone" if status == "infra_error" else None,
                    started_at=NOW,
                    finished_at=NOW,
                )
        upgrade(url=url)
        with engine.connect() as conn:
            attempts = conn.execute(
                text(
                    "SELECT run_id, attempt, status, worker, stop_reason, error, tokens_in, tokens_out, "
                    "cost_usd, finished_at IS NOT NULL FROM run_attempts ORDER BY run_id"
                )
            ).all()
            spend: dict[int, float] = dict(conn.execute(text("SELECT id, spend_usd FROM runs")).all())
    finally:
        engine.dispose()
    assert [tuple(a) for a in attempts] == [
        (1, 1, "completed", "w:1", "submitted", None, 100, 10, 0.25, True),
        (2, 3, "infra_error", "w:1", None, "attempt 3: sandbox: gone", 100, 10, 0.0, True),
        (3, 2, "abandoned", "w:1", None, None, 100, 10, 0.5, True),
    ]
    assert spend == {1: 0.25, 2: 0.0, 3: 0.5, 4: 0.0, 5: 0.0}
