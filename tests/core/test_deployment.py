"""The deployment's identity: made at migration, read once per process, overridable, never shared."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from core.db import dispose_engines, session_scope
from core.migrate import upgrade
from core.models import Deployment
from core.services import deployment as deployment_svc
from core.settings import Settings

ID_FORMAT = r"d-[0-9a-f]{16}"


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Iterator[Settings]:
    """A migrated SQLite database of its own (embedded mode), with an empty id cache."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'horizon.db'}", data_dir=tmp_path)
    upgrade(settings)
    deployment_svc.clear_cache()
    yield settings
    deployment_svc.clear_cache()
    dispose_engines()


def test_the_migration_makes_one_id_that_is_read_once(sqlite_settings: Settings) -> None:
    with session_scope(sqlite_settings) as session:
        stored = session.scalar(select(Deployment.instance_id))
    assert stored is not None and re.fullmatch(ID_FORMAT, stored)
    assert deployment_svc.instance_id(sqlite_settings) == stored
    with session_scope(sqlite_settings) as session:
        session.execute(delete(Deployment))
    # Cached for the process: a second call does not read the database again.
    assert deployment_svc.instance_id(sqlite_settings) == stored


def test_a_missing_row_is_made_once_even_by_racing_processes(sqlite_settings: Settings) -> None:
    with session_scope(sqlite_settings) as session:
        session.execute(delete(Deployment))

    def read_or_create(_: int) -> str:
        # Past the per-process cache and lock, as separate processes would be.
        with session_scope(sqlite_settings) as session:
            return deployment_svc._read_or_create(session)

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(read_or_create, range(8)))
    assert len(ids) == 1 and re.fullmatch(ID_FORMAT, ids.pop())
    with session_scope(sqlite_settings) as session:
        assert len(session.scalars(select(Deployment)).all()) == 1


def test_the_sandbox_label_is_the_id_unless_overridden(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HORIZON_SANDBOX_INSTANCE", raising=False)
    assert deployment_svc.sandbox_instance(sqlite_settings) == deployment_svc.instance_id(sqlite_settings)
    monkeypatch.setenv("HORIZON_SANDBOX_INSTANCE", "ops-chosen")
    assert deployment_svc.sandbox_instance(sqlite_settings) == "ops-chosen"
