"""Engine and sessions. One session per request or job: services flush, the boundary commits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from core.settings import Settings, get_settings

_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}
# A threaded worker's runs start at once: without the lock each could make an engine (and a pool).
_lock = threading.RLock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while an in-process worker writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    """Create an engine for `url` with settings that suit Horizon's access pattern.

    A server database gets a pool of `pool_size` connections plus `max_overflow` more under load,
    shared by the process's threads (a threaded worker's runs hold one only per transaction).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)


def get_engine(settings: Settings | None = None) -> Engine:
    """The engine for the configured database, made once per URL."""
    settings = settings or get_settings()
    url = settings.effective_database_url
    with _lock:
        if url not in _engines:
            if url.startswith("sqlite:///"):
                settings.data_dir.mkdir(parents=True, exist_ok=True)
            _engines[url] = make_engine(url, settings.db_pool_size, settings.db_max_overflow)
        return _engines[url]


def get_session_factory(settings: Settings | None = None) -> sessionmaker[Session]:
    """The session factory for the configured database, made once per URL."""
    settings = settings or get_settings()
    url = settings.effective_database_url
    with _lock:
        if url not in _factories:
            _factories[url] = sessionmaker(bind=get_engine(settings), expire_on_commit=False)
        return _factories[url]


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    session = get_session_factory(settings)()
    if settings is not None:
        # Jobs enqueued in this session go to these settings' queue, not the process default's.
        session.info["settings"] = settings
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Close pooled connections (tests and forked workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()
