"""Migration 0010 gives existing managed models one GPU and the rest none, and the database
refuses a GPU count outside 0..8 (PostgreSQL and SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from core.migrate import downgrade, upgrade
from tests.core.test_migrations import scratch_pg  # noqa: F401  # the fixture

INSERT = (
    "INSERT INTO models (name, provider, api_model, input_price_per_mtok, output_price_per_mtok, "
    "context_window, managed, server_template, weights, created_at) VALUES "
    "(:name, 'openai', :name, 0, 0, 8192, :managed, :template, :weights, CURRENT_TIMESTAMP)"
)


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_existing_models_get_their_gpu_counts(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("scratch_pg") if backend == "postgres" else f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url=url, revision="0009")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(INSERT), {"name": "vllm", "managed": True, "template": "vllm", "weights": "/w"})
            conn.execute(
                text(INSERT), {"name": "hosted", "managed": False, "template": None, "weights": None}
            )
        upgrade(url=url, revision="0010")
        with engine.connect() as conn:
            rows = {name: gpus for name, gpus in conn.execute(text("SELECT name, gpus FROM models"))}
        assert rows == {"vllm": 1, "hosted": 0}
        for bad in (9, -1):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text("UPDATE models SET gpus = :n WHERE name = 'vllm'"), {"n": bad})
        with engine.begin() as conn:
            conn.execute(text("UPDATE models SET gpus = 8 WHERE name = 'vllm'"))
        downgrade("0009", url=url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM models")).scalar() == 2
    finally:
        engine.dispose()
