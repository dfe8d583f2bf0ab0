"""`horizon status [--json]` on SQLite and PostgreSQL: the snapshot in words (what needs attention
named), as JSON, and an unmigrated or unreachable database in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import core.queue
from cli.main import app
from core.settings import get_settings
from tests.factories import make_agent, make_run, make_task


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _use_sqlite(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HORIZON_DATABASE_URL", raising=False)
    monkeypatch.setenv("HORIZON_DATA_DIR", str(data_dir))
    get_settings.cache_clear()


@pytest.fixture(params=["postgresql", "sqlite"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The configured database: the session's PostgreSQL (emptied) or a new embedded SQLite."""
    if request.param == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("db"))
        get_settings.cache_clear()
    else:
        _use_sqlite(monkeypatch, tmp_path / "data")
        assert _invoke("migrate").exit_code == 0
    yield
    get_settings.cache_clear()


def test_words_and_json(database: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # A command line process never started the in-process queue (earlier tests in this one may have).
    monkeypatch.setattr(core.queue, "_queues", {})
    make_task("hello")
    agent = make_agent("oracle")
    make_run("hello", agent, status="queued")
    make_run("hello", agent, status="running", heartbeat_age_s=7200)
    make_run("hello", agent, status="running", heartbeat_age_s=1)

    words = _invoke("status")
    assert words.exit_code == 0, words.output
    assert "runs: 1 queued, 2 running, 0 completed, 0 infra_error, 0 cancelled" in words.output
    assert "running runs without a heartbeat for 60 s: 1 (oldest heartbeat 2.0 h ago)" in words.output
    assert "queued runs whose message is older than 3600 s: 1" in words.output
    # A command line process does not hold the server's in-process queue.
    assert "queue messages: in-process n/a" in words.output

    as_json = _invoke("status", "--json")
    assert as_json.exit_code == 0
    snapshot = json.loads(as_json.output)
    assert snapshot["runs"]["running"] == 2 and snapshot["stale_running_runs"]["count"] == 1
    assert snapshot["queues"][0]["messages"] is None


def test_an_unmigrated_database_is_named_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_sqlite(monkeypatch, tmp_path / "fresh")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1
    assert "never migrated" in result.output and "horizon migrate" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_database_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["status"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "did not answer" in result.output and "secret" not in result.output
    assert "Traceback" not in result.output
