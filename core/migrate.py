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
SHIPPED_MIGRATIONS = REPO_ROOT / "migrations"


class SchemaMismatch(HorizonError):
    """The database's schema revision is not the one this code runs against; `message` says what to do."""


def alembic_config(url: str, scripts: Path | None = None) -> Config:
    """Alembic's configuration for the migrations in `scripts` (default: this repository's),
    pointed at `url`."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(scripts or SHIPPED_MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def migrations_dir(settings: Settings) -> Path:
    """The Alembic scripts folder this process uses: `HORIZON_MIGRATIONS_DIR`, else the shipped one.

    A folder that is not an Alembic scripts folder is refused in one line (SchemaMismatch) rather
    than deep inside Alembic, and before anything touches the database.
    """
    folder = settings.migrations_dir
    if folder is None:
        return SHIPPED_MIGRATIONS
    if not (folder / "env.py").is_file() or not (folder / "versions").is_dir():
        raise SchemaMismatch(
            f"HORIZON_MIGRATIONS_DIR {folder} is not an Alembic scripts folder (it needs env.py and "
            "versions/): unset it to use this Horizon's own migrations"
        )
    return folder


def upgrade(settings: Settings | None = None, revision: str = "head", url: str | None = None) -> None:
    """Bring the database up to `revision` (default: the newest)."""
    settings = settings or get_settings()
    target = url or settings.effective_database_url
    if target.startswith("sqlite:///"):
        Path(target.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(target, migrations_dir(settings))
    try:
        command.upgrade(cfg, revision)
    except CommandError:
        # Old code (`horizon migrate`, `fit`, `tasks sync`...) on a schema a newer Horizon migrated:
        # Alembic cannot place the revision. Say that in one line; anything else stays as it was.
        current, heads = schema_revisions(settings.model_copy(update={"database_url": target}))
        unknown = unknown_revisions(ScriptDirectory.from_config(cfg), current)
        if unknown:
            raise newer_schema(unknown, heads) from None
        raise


def downgrade(revision: str, url: str | None = None, settings: Settings | None = None) -> None:
    """Migrate the database down to `revision`."""
    settings = settings or get_settings()
    scripts = migrations_dir(settings)
    command.downgrade(alembic_config(url or settings.effective_database_url, scripts), revision)


def schema_revisions(settings: Settings | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The database's Alembic revisions (empty when it was never migrated) and this code's heads."""
    settings = settings or get_settings()
    url = settings.effective_database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    scripts = ScriptDirectory.from_config(alembic_config(url, migrations_dir(settings)))
    heads = tuple(sorted(scripts.get_heads()))
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


def unknown_revisions(script: ScriptDirectory, current: tuple[str, ...]) -> list[str]:
    """The database's revisions that `script` does not ship (a newer Horizon migrated it)."""
    unknown = []
    for revision in current:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            unknown.append(revision)
    return unknown


def newer_schema(unknown: list[str], heads: tuple[str, ...]) -> SchemaMismatch:
    """The refusal for a schema this code does not know."""
    return SchemaMismatch(
        f"the database schema is at revision {', '.join(unknown)}, newer than this Horizon "
        f"(head {', '.join(heads)}): upgrade this process's Horizon, then start it again"
    )


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
    scripts = migrations_dir(settings)
    script = ScriptDirectory.from_config(alembic_config(settings.effective_database_url, scripts))
    unknown = unknown_revisions(script, current)
    if unknown:
        raise newer_schema(unknown, heads)
    head = ", ".join(heads)
    if migrate:
        upgrade(settings)
        return
    at = ", ".join(current) or "none (never migrated)"
    raise SchemaMismatch(
        f"the database schema is at revision {at}, behind this Horizon (head {head}): "
        "run `horizon migrate` first"
    )
