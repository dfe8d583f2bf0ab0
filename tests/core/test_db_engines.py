"""One engine (one connection pool) per database, however many threads ask for it at once."""

from __future__ import annotations

import threading
from pathlib import Path

from core.db import dispose_engines, get_engine, get_session_factory
from core.settings import Settings


def test_threads_starting_at_once_share_one_engine_and_factory(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'one.db'}", data_dir=tmp_path)
    dispose_engines()
    start = threading.Barrier(32)
    engines: list[int] = []
    factories: list[int] = []

    def ask() -> None:
        start.wait()
        factories.append(id(get_session_factory(settings)))
        engines.append(id(get_engine(settings)))

    threads = [threading.Thread(target=ask) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(engines) == len(factories) == 32
        assert len(set(engines)) == 1 and len(set(factories)) == 1
    finally:
        dispose_engines()


def test_server_pool_size_comes_from_settings() -> None:
    from core.db import make_engine

    engine = make_engine("postgresql+psycopg://u@127.0.0.1:1/x", pool_size=3, max_overflow=4)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 4  # type: ignore[attr-defined]
    finally:
        engine.dispose()
