"""A database that was never migrated: the `horizon` command says to run `horizon migrate` in one
line on stderr and exits 1, with no traceback (the real entry point, in a subprocess)."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cli.common import unmigrated_database_message
from tests.conftest import PG_ADMIN_URL
from tests.support.processes import horizon_cmd

REPO_ROOT = Path(__file__).resolve().parents[2]


def _horizon(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        horizon_cmd(*args), env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def _embedded_env(data_dir: Path) -> dict[str, str]:
    """The embedded default: no DATABASE_URL, SQLite in a fresh data folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HORIZON_DATABASE_URL")}
    env["HORIZON_DATA_DIR"] = str(data_dir)
    return env


def _assert_told_to_migrate(result: subprocess.CompletedProcess[str], table: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "sqlalchemy" not in result.stderr.lower()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "is not migrated" in lines[0] and f"no such table: {table}" in lines[0]
    assert "run `horizon migrate` first" in lines[0]


@pytest.mark.parametrize(
    "args",
    [("token", "create", "--name", "ci"), ("token", "list"), ("token", "revoke", "1")],
)
def test_token_commands_on_a_fresh_sqlite_database(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = _horizon(_embedded_env(tmp_path), *args)
    _assert_told_to_migrate(result, "api_tokens")
    assert result.stdout == ""  # no secret or half-done output


def test_after_migrate_the_same_command_works(tmp_path: Path) -> None:
    env = _embedded_env(tmp_path)
    _assert_told_to_migrate(_horizon(env, "token", "create", "--name", "ci"), "api_tokens")
    assert _horizon(env, "migrate").returncode == 0
    created = _horizon(env, "token", "create", "--name", "ci", "--role", "viewer")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().splitlines()[-1].startswith("hzn_")


def test_commands_that_migrate_themselves_still_do(tmp_path: Path) -> None:
    """`horizon tasks sync` and `horizon import-runs` migrate first: a fresh database just works."""
    env = _embedded_env(tmp_path)
    folder = tmp_path / "empty-suite"
    folder.mkdir()
    result = _horizon(env, "tasks", "sync", str(folder))
    assert "not migrated" not in result.stderr and "Traceback" not in result.stderr
    assert _horizon(env, "token", "list").returncode == 0  # the sync migrated the database


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A PostgreSQL database with no tables at all."""
    name = f"horizon_unmigrated_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_token_list_on_an_empty_postgres_database(empty_pg_url: str, tmp_path: Path) -> None:
    env = {**_embedded_env(tmp_path), "DATABASE_URL": empty_pg_url}
    result = _horizon(env, "token", "list")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "is not migrated" in result.stderr and 'relation "api_tokens" does not exist' in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_other_errors_are_left_alone() -> None:
    from sqlalchemy.exc import IntegrityError

    assert unmigrated_database_message(ValueError("no such table: x")) is None
    duplicate = IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: api_tokens.name"))
    assert unmigrated_database_message(duplicate) is None
