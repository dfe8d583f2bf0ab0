"""Migration 0009 moves each run's transcript array (`run_transcripts`) into one row per event
(`transcript_events`), in order and with its kind, and its downgrade puts the arrays back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from core.migrate import downgrade, upgrade
from tests.core.test_migration_attempts import NOW, _insert
from tests.core.test_migrations import scratch_pg  # noqa: F401  # the fixture

# Run id -> (the attempt its transcript is of, the transcript).
OLD_TRANSCRIPTS: dict[int, tuple[int, list[Any]]] = {
    1: (
        1,
        [
            {"kind": "task_start", "t": 0.0, "seq": 0, "task_id": "t"},
            {"kind": "model", "t": 1.5, "seq": 1, "content": "<script>x</script>", "tool_calls": []},
            {"type": "submit", "score": 1.0},  # an old event named by `type`
            {"kind": "task_end", "t": 2.0, "seq": 3, "timings": {"teardown_s": 0.1}},
        ],
    ),
    2: (3, [{"kind": "infra_error", "t": 0.1, "seq": 0, "reason": "sandbox", "message": "gone"}]),
    3: (1, []),
}


def _json(value: Any) -> Any:
    # Raw SQL reads JSON as text on SQLite, decoded on PostgreSQL.
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_transcript_arrays_become_event_rows_and_come_back(
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
            for run_id, (attempt, events) in OLD_TRANSCRIPTS.items():
                _insert(
                    conn,
                    "runs",
                    id=run_id,
                    agent_id=1,
                    task_version_id=1,
                    task_id="t",
                    repeat_index=run_id,
                    attempt=attempt,
                    status="completed",
                )
                old = {"run_id": run_id, "attempt": attempt, "events": events, "updated_at": NOW}
                _insert(conn, "run_transcripts", **old)

        upgrade(url=url, revision="0009")
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT run_id, attempt, seq, kind, event FROM transcript_events ORDER BY run_id, seq")
            ).all()
        stored = [(*r[:4], _json(r[4])) for r in rows]
        expected = [
            (run_id, attempt, seq, event.get("kind") or event.get("type"), event)
            for run_id, (attempt, events) in OLD_TRANSCRIPTS.items()
            for seq, event in enumerate(events)
        ]
        assert stored == expected

        downgrade("0008", url=url)
        with engine.connect() as conn:
            back = conn.execute(text("SELECT run_id, attempt, events FROM run_transcripts ORDER BY run_id"))
            restored = {r[0]: (r[1], _json(r[2])) for r in back}
        # A run whose transcript was empty has no events to come back from.
        assert restored == {k: v for k, v in OLD_TRANSCRIPTS.items() if v[1]}
    finally:
        engine.dispose()
