"""Run Alembic migrations from code (used by `horizon migrate`, `horizon serve` and the tests), and
check at a process's start that the database's schema is one this code knows."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from core.db import make_engine
from core.errors import HorizonError
from core.settings import Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the migrations in this repository, pointed at `url`."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(settings: Settings | None = None, revision: str = "head", url: str | None = None) -> None:
    """Bring the database up to `revision` (default: the newest)."""
    settings = settings or get_settings()
    target = url or settings.effective_database_url
    if target.startswith("sqlite:///"):
        Path(target.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(target), revision)


def downgrade(revision: str, url: str | None = None, settings: Settings | None = None) -> None:
    """Migrate the database down to `revision`."""
    settings = settings or get_settings()
    command.downgrade(alembic_config(url or settings.effective_database_url), revision)


class SchemaMismatch(HorizonError):
    """The database's schema revision is not the one this code runs against; `message` says what to do."""


def schema_revisions(settings: Settings | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The database's Alembic revisions (empty when it was never migrated) and this code's heads."""
    settings = settings or get_settings()
    url = settings.effective_database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    heads = tuple(sorted(ScriptDirectory.from_config(alembic_config(url)).get_heads()))
    engine = make_engine(url, pool_size=1, max_overflow=0)
    # Alembic logs its dialect at INFO whenever it looks: noise for a read that changes nothing.
    log = logging.getLogger("alembic.runtime.migration")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        with engine.connect() as conn:
            current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    finally:
        log.setLevel(level)
        engine.dispose()
    return current, heads


def check_schema(settings: Settings | None = None, *, migrate: bool = False) -> None:
    """The rule every long-running process (`horizon serve`, `worker`, `beat`) applies at start.

    A database at a revision this code does not ship was migrated by newer code: raise
    SchemaMismatch (running would read and write columns this code does not know). A database
    behind head is migrated when `migrate` (the server), else SchemaMismatch (workers and beat
    never change the schema: `horizon migrate` does, once, before they are restarted).
    """
    settings = settings or get_settings()
    current, heads = schema_revisions(settings)
    if current == heads:
        return
    script = ScriptDirectory.from_config(alembic_config(settings.effective_database_url))
    unknown = []
    for revision in current:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            unknown.append(revision)
    head = ", ".join(heads)
    if unknown:
        raise SchemaMismatch(
            f"the database schema is at revision {', '.join(unknown)}, newer than this Horizon "
            f"(head {head}): upgrade this process's Horizon, then start it again"
        )
    if migrate:
        upgrade(settings)
        return
    at = ", ".join(current) or "none (never migrated)"
    raise SchemaMismatch(
        f"the database schema is at revision {at}, behind this Horizon (head {head}): "
        "run `horizon migrate` first"
    )
