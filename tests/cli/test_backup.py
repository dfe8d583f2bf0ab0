"""`horizon backup` and `horizon restore` (issue 17, part 2): a database with tasks, agents, runs
with transcripts, tokens and an analysis is backed up and restored into a fresh database, on
SQLite and on PostgreSQL, with identical rows in every table and an identical fit; a database
holding data, a damaged file and a newer schema are refused and change nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

from analysis.simulate import SimulatedAgent, simulate_runs, synthetic_suite
from cli.main import app
from core.backup import MANIFEST
from core.settings import get_settings
from tests.conftest import PG_ADMIN_URL
from tests.factories import make_agent, make_run, make_task, make_token

DATES = {"early": dt.date(2023, 1, 1), "late": dt.date(2024, 6, 1)}


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _fill() -> None:
    """Tasks with human times, agents, completed runs (imported), a run of our own with two
    attempts and their transcripts, a token, and an analysis of it all (`horizon fit`)."""
    from core.db import session_scope
    from core.models import RunAttempt
    from core.services.imports import import_runs
    from core.services.transcript_append import append_events

    rng = np.random.default_rng(11)
    suite = synthetic_suite(rng, n_families=6, min_minutes=1.0, max_minutes=240)
    agents = [
        SimulatedAgent("early", 8.0, release_date=DATES["early"]),
        SimulatedAgent("late", 60.0, release_date=DATES["late"]),
    ]
    with session_scope() as s:
        import_runs(s, simulate_runs(suite, agents, repeats=2, rng=rng), "simulated", DATES)
    make_task("hello")
    agent = make_agent("oracle")
    run_id = make_run("hello", agent, status="completed", score_cont=1.0, score_binarized=1, attempt=2)
    with session_scope() as s:
        for attempt, status in ((1, "infra_error"), (2, "completed")):
            s.add(RunAttempt(run_id=run_id, attempt=attempt, status=status, model_calls=3, cost_usd=0.01))
            events = [{"kind": "model", "text": f"attempt {attempt} call {i} \u00e9\u6f22"} for i in range(3)]
            append_events(s, run_id, attempt, list(enumerate([*events, "not a dict"])))
    make_token("admin")


def _oracle_run() -> int:
    """The id of the run `_fill` gave two attempts with transcripts."""
    from core.db import session_scope
    from core.models import Agent, Run

    with session_scope() as s:
        run_id = s.scalar(select(Run.id).join(Agent, Agent.id == Run.agent_id).where(Agent.name == "oracle"))
    assert run_id is not None
    return run_id


def _archive_first_attempt() -> dict[int, list[Any]]:
    """Move that run's first attempt into the transcript archive; every attempt's events."""
    from core.services.transcript_storage import archive_attempt

    assert archive_attempt(get_settings(), _oracle_run(), 1)
    return _transcripts()


def _transcripts() -> dict[int, list[Any]]:
    """That run's transcripts by attempt, as readers see them."""
    from core.db import session_scope
    from core.services.runs import transcript_of

    run_id = _oracle_run()
    with session_scope() as s:
        return {a: transcript_of(s, run_id, a) or [] for a in (1, 2)}


def _fit(tmp_path: Path, name: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = _invoke("fit", "--bootstrap", "20", "--json", str(out))
    assert done.exit_code == 0, done.output
    result = json.loads(out.read_text())
    return {a["agent"]: (a["p50"], a["p50_ci"]) for a in result["agents"]} | {
        "trend": result["trend"]["doubling_days"]
    }


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary key order (and PostgreSQL's sequences' positions)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            rows = {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*(t.primary_key.columns or t.c)))]
                for t in meta.sorted_tables
            }
            if engine.dialect.name == "postgresql":
                positions = conn.execute(text("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"))
                rows["(sequences)"] = [tuple(r) for r in positions]
    finally:
        engine.dispose()
    return rows


def _assert_filled(rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for table in ("tasks", "task_versions", "agents", "runs", "run_attempts", "transcript_events"):
        assert rows[table], table
    assert rows["analysis_results"] and rows["api_tokens"] and rows["deployment"] and rows["alembic_version"]


@pytest.fixture
def _fresh_settings() -> Iterator[None]:
    """Settings are read again from the environment the test sets, and once more after it."""
    from core.db import dispose_engines

    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


def _use_sqlite(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> str:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HORIZON_DATABASE_URL", raising=False)
    monkeypatch.setenv("HORIZON_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    return get_settings().effective_database_url


def _use_postgres(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A PostgreSQL database with nothing in it, not even tables."""
    name = f"horizon_restore_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        from core.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rewrite(backup: Path, out: Path, manifest_changes: dict[str, Any]) -> None:
    """A copy of the backup with its manifest changed."""
    with tarfile.open(backup) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == MANIFEST:
                data = json.dumps(json.loads(data) | manifest_changes).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


@pytest.mark.usefixtures("_fresh_settings")
def test_sqlite_backup_restores_identical_rows_and_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _use_sqlite(monkeypatch, tmp_path / "source")
    assert _invoke("migrate").exit_code == 0
    _fill()
    # The first attempt's transcript in the archive, the second's in rows: both come back.
    archived = _archive_first_attempt()
    fitted = _fit(tmp_path, "source")
    before = _rows(source)
    _assert_filled(before)
    backup = tmp_path / "horizon.backup"
    done = _invoke("backup", str(backup))
    assert done.exit_code == 0, done.output
    assert "backed up" in done.output and "schema revision" in done.output
    assert "1 archived transcripts" in done.output

    target = _use_sqlite(monkeypatch, tmp_path / "restored")
    done = _invoke("restore", str(backup))
    assert done.exit_code == 0, done.output
    assert "restored" in done.output
    assert _rows(target) == before
    assert (tmp_path / "restored" / "transcripts").is_dir()
    assert _transcripts() == archived
    assert _fit(tmp_path, "restored") == fitted

    # The target now holds data: refused, unchanged; --force replaces it with the backup again.
    after_fit = _rows(target)
    refused = _invoke("restore", str(backup))
    assert refused.exit_code == 2 and "holds data" in refused.output and "--force" in refused.output
    assert _rows(target) == after_fit
    forced = _invoke("restore", str(backup), "--force")
    assert forced.exit_code == 0, forced.output
    assert _rows(target) == before


@pytest.mark.usefixtures("_fresh_settings")
def test_damaged_or_newer_backups_are_refused_and_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_sqlite(monkeypatch, tmp_path / "source")
    assert _invoke("migrate").exit_code == 0
    _fill()
    backup = tmp_path / "horizon.backup"
    assert _invoke("backup", str(backup)).exit_code == 0
    raw = backup.read_bytes()

    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(raw[: len(raw) // 2])
    flipped = tmp_path / "flipped.backup"
    middle = len(raw) // 2
    flipped.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :])
    newer = tmp_path / "newer.backup"
    _rewrite(backup, newer, {"revision": "9999_from_the_future", "horizon_version": "9.0.0"})
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello\n")

    target = _use_sqlite(monkeypatch, tmp_path / "restored")
    for bad, said in (
        (truncated, "truncated"),
        (flipped, "damaged"),
        (not_a_backup, "not a"),
        (newer, "does not know: it is newer (written by Horizon 9.0.0)"),
    ):
        refused = _invoke("restore", str(bad), "--force")
        assert refused.exit_code == 2, (bad, refused.output)
        assert "nothing restored" in refused.output and said in refused.output.replace("\n", " "), (
            refused.output
        )
        assert not Path(make_url(target).database or "").exists()  # not even created


@pytest.mark.usefixtures("_fresh_settings")
def test_transcript_blobs_named_out_of_the_archive_or_missing_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_sqlite(monkeypatch, tmp_path / "source")
    assert _invoke("migrate").exit_code == 0
    _fill()
    _archive_first_attempt()
    backup = tmp_path / "horizon.backup"
    assert _invoke("backup", str(backup)).exit_code == 0
    escape = tmp_path / "escaped.jsonl.gz"
    hostile = tmp_path / "hostile.backup"
    missing = tmp_path / "missing.backup"
    with tarfile.open(backup) as src, tarfile.open(hostile, "w") as bad, tarfile.open(missing, "w") as short:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == MANIFEST:
                counted = json.loads(data)
                data = json.dumps(counted | {"archive_files": counted["archive_files"] + 1}).encode()
                member.size = len(data)
            bad.addfile(member, io.BytesIO(data))
            short.addfile(member, io.BytesIO(data))
        evil = tarfile.TarInfo("transcripts/../../escaped.jsonl.gz")
        evil.size = 4
        bad.addfile(evil, io.BytesIO(b"evil"))

    target = _use_sqlite(monkeypatch, tmp_path / "restored")
    for bad_file, said in ((hostile, "bad name"), (missing, "holds 1 transcript blobs, the manifest says 2")):
        refused = _invoke("restore", str(bad_file))
        assert refused.exit_code == 2, refused.output
        assert said in refused.output.replace("\n", " "), refused.output
        assert not Path(make_url(target).database or "").exists()
        assert not escape.exists() and not (tmp_path / "restored" / "transcripts").exists()


@pytest.mark.usefixtures("_fresh_settings")
def test_postgres_backup_restores_identical_rows_and_fit(
    db: str, fresh_pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill()
    fitted = _fit(tmp_path, "source")
    before = _rows(db)
    _assert_filled(before)
    backup = tmp_path / "horizon.backup"
    done = _invoke("backup", str(backup))
    assert done.exit_code == 0, done.output
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert manifest["kind"] == "postgresql" and manifest["revision"] == before["alembic_version"][0][0]

    # Into a database holding data (the source itself): refused, unchanged.
    refused = _invoke("restore", str(backup))
    assert refused.exit_code == 2 and "holds data" in refused.output, refused.output
    assert _rows(db) == before

    # A truncated file: refused before the empty target is touched.
    _use_postgres(monkeypatch, fresh_pg_url)
    truncated = tmp_path / "truncated.backup"
    raw = backup.read_bytes()
    truncated.write_bytes(raw[: len(raw) * 2 // 3])
    refused = _invoke("restore", str(truncated))
    assert refused.exit_code == 2 and "truncated" in refused.output, refused.output
    assert inspect(create_engine(fresh_pg_url, poolclass=NullPool)).get_table_names() == []

    done = _invoke("restore", str(backup))
    assert done.exit_code == 0, done.output
    assert _rows(fresh_pg_url) == before
    assert _fit(tmp_path, "restored") == fitted
    # Again over it, forced: the same tables are replaced in pg_restore's one transaction.
    forced = _invoke("restore", str(backup), "--force")
    assert forced.exit_code == 0, forced.output
    assert _rows(fresh_pg_url) == before


@pytest.mark.usefixtures("_fresh_settings")
def test_a_backup_of_an_older_schema_is_migrated_after_restoring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic.script import ScriptDirectory

    from core.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    assert head is not None
    older = scripts.get_revision(head).down_revision
    assert isinstance(older, str)
    _use_sqlite(monkeypatch, tmp_path / "source")
    assert _invoke("migrate", "--revision", older).exit_code == 0
    backup = tmp_path / "old.backup"
    assert _invoke("backup", str(backup)).exit_code == 0

    target = _use_sqlite(monkeypatch, tmp_path / "restored")
    done = _invoke("restore", str(backup))
    assert done.exit_code == 0, done.output
    assert f"schema revision {older}" in done.output and f"migrated to {head}" in done.output
    assert _rows(target)["alembic_version"] == [(head,)]


@pytest.mark.usefixtures("_fresh_settings")
def test_missing_or_older_postgres_tools_are_named_in_one_line(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    missing = _invoke("backup", str(tmp_path / "a.backup"))
    assert missing.exit_code == 2
    assert "pg_dump was not found on PATH" in missing.output and len(missing.output.strip().splitlines()) == 1

    old = tools / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    older = _invoke("backup", str(tmp_path / "a.backup"))
    assert older.exit_code == 2 and "is version 9.6.24, older than the server's" in older.output, older.output
    assert not (tmp_path / "a.backup").exists()
