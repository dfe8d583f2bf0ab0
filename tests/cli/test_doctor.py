"""`horizon doctor [--repair] [--json]`: exit 1 with the drift in plain words, 0 once repaired and
on a second look; the JSON report; an unreachable or unmigrated database gets one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from cli.main import app
from core.db import session_scope
from core.settings import get_settings
from tests.factories import make_task


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


def test_drift_exits_1_repair_exits_0_and_json_reports_it(database: None) -> None:
    make_task("hello", baselines=[{"baseliner": "ann", "minutes": 8, "succeeded": True}])
    with session_scope() as s:
        s.execute(
            text("UPDATE tasks SET human_minutes = 1, human_minutes_source = 'estimate' WHERE id = 'hello'")
        )

    found = _invoke("doctor")
    assert found.exit_code == 1, found.output
    assert "task_human_time: 1 of 1 checked" in found.output
    assert "hello: stored human_minutes 1.0, human_minutes_source estimate" in found.output
    assert "run `horizon doctor --repair`" in found.output

    as_json = _invoke("doctor", "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["drifted"] == 1 and report["repair"] is False
    (human,) = [c for c in report["checks"] if c["kind"] == "task_human_time"]
    assert human["examples"][0]["derived"]["human_minutes"] == pytest.approx(8.0)

    repaired = _invoke("doctor", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "1 repaired" in repaired.output and "no stored value differs from its sources" in repaired.output
    with session_scope() as s:
        row = s.execute(text("SELECT human_minutes, human_minutes_source FROM tasks")).one()
    assert tuple(row) == (pytest.approx(8.0), "baseline")
    assert _invoke("doctor").exit_code == 0


def test_an_unmigrated_database_is_named_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_sqlite(monkeypatch, tmp_path / "fresh")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "never migrated" in result.output and "horizon migrate" in result.output
    assert "Traceback" not in result.output
    get_settings.cache_clear()


def test_an_unreachable_database_exits_2_with_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://horizon:secret@127.0.0.1:1/horizon")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["doctor"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "did not answer" in errors[0] and "nothing checked" in errors[0]
    assert "secret" not in result.output and "Traceback" not in result.output
