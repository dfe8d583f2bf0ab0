"""`horizon serve`, `worker` and `beat` check the database's schema revision at start
(core.migrate.check_schema): a revision this code does not ship (newer code migrated the database)
is refused by all three, a database behind head is refused by workers and beat and migrated by the
server. Refusals are one line on stderr and exit 1, with nothing started (real entry point, in a
subprocess, on the embedded SQLite database)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from core.migrate import SchemaMismatch, alembic_config, check_schema, schema_revisions, upgrade
from core.settings import Settings
from tests.support.processes import horizon_cmd

REPO_ROOT = Path(__file__).resolve().parents[2]
FUTURE = "9999_from_a_newer_horizon"
_SCRIPTS = ScriptDirectory.from_config(alembic_config("sqlite://"))
HEAD = _SCRIPTS.get_current_head() or ""
BEHIND = str(_SCRIPTS.get_revision(HEAD).down_revision)  # the revision before head
# Worker and beat need a broker URL to get past their first check; the schema check comes before
# anything connects to it, so nothing listens here.
UNUSED_REDIS = "redis://127.0.0.1:1/0"


def _db_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'horizon.db').as_posix()}"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HORIZON_DATABASE_URL")}
    env.update(HORIZON_DATA_DIR=str(data_dir), REDIS_URL=UNUSED_REDIS)
    return env


def _revision(data_dir: Path) -> str:
    engine = create_engine(_db_url(data_dir))
    with engine.connect() as conn:
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return str(value)


def _stamp(data_dir: Path, revision: str) -> None:
    engine = create_engine(_db_url(data_dir))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


@pytest.fixture
def newer_database(tmp_path: Path) -> Path:
    """A database migrated to head, then stamped with a revision no migration here names."""
    upgrade(url=_db_url(tmp_path))
    _stamp(tmp_path, FUTURE)
    return tmp_path


@pytest.fixture
def older_database(tmp_path: Path) -> Path:
    """A database migrated only to the revision before head."""
    upgrade(revision=BEHIND, url=_db_url(tmp_path))
    return tmp_path


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        horizon_cmd(*args), env=_env(data_dir), cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )


def _refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refusal prints; asserts exit 1, nothing on stdout, no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""  # no banner: nothing started
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args", [("worker",), ("worker", "--queues", "analysis"), ("beat",), ("serve", "--port", "1")]
)
def test_a_schema_newer_than_this_code_is_refused(newer_database: Path, args: tuple[str, ...]) -> None:
    line = _refused(_run(newer_database, *args))
    assert f"the database schema is at revision {FUTURE}, newer than this Horizon (head {HEAD})" in line
    assert "upgrade this process's Horizon, then start it again" in line
    assert _revision(newer_database) == FUTURE  # untouched
    assert not (newer_database / "admin-token").exists()  # the server did not get that far
    assert not (newer_database / "celerybeat-schedule").exists()


@pytest.mark.parametrize("args", [("worker",), ("beat",), ("serve", "--no-migrate", "--port", "1")])
def test_a_schema_behind_head_is_refused_where_the_command_does_not_migrate(
    older_database: Path, args: tuple[str, ...]
) -> None:
    line = _refused(_run(older_database, *args))
    assert f"the database schema is at revision {BEHIND}, behind this Horizon" in line
    assert "run `horizon migrate` first" in line
    assert _revision(older_database) == BEHIND  # workers never migrate


def test_a_never_migrated_database_is_refused_by_a_worker(tmp_path: Path) -> None:
    line = _refused(_run(tmp_path, "worker"))
    assert "at revision none (never migrated)" in line and "run `horizon migrate` first" in line


def test_the_server_rule_migrates_a_schema_behind_head(older_database: Path) -> None:
    """What `horizon serve` does first (without --no-migrate): behind head is brought to head."""
    settings = Settings(data_dir=older_database, database_url=_db_url(older_database))
    with pytest.raises(SchemaMismatch):
        check_schema(settings)
    check_schema(settings, migrate=True)
    current, heads = schema_revisions(settings)
    assert current == heads == (HEAD,) and _revision(older_database) == HEAD
    check_schema(settings)  # at head: nothing to say


def test_the_server_rule_never_migrates_a_newer_schema(newer_database: Path) -> None:
    settings = Settings(data_dir=newer_database, database_url=_db_url(newer_database))
    with pytest.raises(SchemaMismatch, match="newer than this Horizon"):
        check_schema(settings, migrate=True)
    assert _revision(newer_database) == FUTURE
