"""Run Alembic migrations from code (used by `horizon migrate`, `horizon serve` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

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
