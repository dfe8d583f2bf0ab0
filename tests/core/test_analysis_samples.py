"""Bootstrap samples of analyses (web-workbench issue: export the samples): the analysis job stores
each agent's replicate p50s and p80s in `analysis_samples`, outside the result JSON, and they
reproduce the stored CIs; the JSON and CSV exports (web and API) carry them; an analysis over the
cap stores none and the exports say so; a reused result gets them too; deleting the analysis
deletes them. On PostgreSQL and SQLite, through the real job and the real app."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from analysis.bootstrap import percentile_interval
from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
from core.db import make_engine, session_scope
from core.migrate import downgrade, upgrade
from core.models import AnalysisResult, AnalysisSample
from core.queue import forget_pending_jobs
from core.schemas import AnalysisRequest
from core.services import analysis_samples
from core.services.analyses import request_analysis
from core.services.imports import import_runs
from core.settings import Settings, get_settings
from tests.core.test_migrations import scratch_pg  # noqa: F401  # the fixture
from tests.factories import make_token

RELEASES = {
    "agent-2021": dt.date(2021, 6, 1),
    "agent-2022": dt.date(2022, 9, 1),
    "agent-2023": dt.date(2023, 11, 1),
}
BOOTSTRAP = 120


@pytest.fixture(params=["postgresql", "sqlite"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The database under test (the session's PostgreSQL, emptied, or a new migrated SQLite file),
    with simulated runs of three agents imported into it."""
    from core.db import dispose_engines

    if request.param == "postgresql":
        url = request.getfixturevalue("db")
    else:
        from core.migrate import upgrade

        url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
        upgrade(url=url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    rng = np.random.default_rng(3)
    suite = synthetic_suite(rng, n_families=12, max_minutes=960)
    agents = agents_on_trend(RELEASES, doubling_days=200, anchor_p50=30.0, anchor_date=dt.date(2022, 9, 1))
    with session_scope() as s:
        import_runs(s, simulate_runs(suite, agents, repeats=3, rng=rng), "simulated", RELEASES)
    yield Settings(database_url=url, data_dir=tmp_path / "data")
    dispose_engines()
    get_settings.cache_clear()


def _fit(bootstrap: int = BOOTSTRAP) -> int:
    """Request an analysis and run its job here, as `horizon fit` does; returns its id."""
    from workers.analysis_job import run_fit

    with session_scope() as s:
        analysis_id = request_analysis(s, AnalysisRequest(bootstrap=bootstrap, seed=7)).id
        forget_pending_jobs(s)
    assert run_fit(analysis_id) == "done"
    return analysis_id


def _as_array(samples: list[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([math.nan if v is None else math.inf if v == "inf" else v for v in samples], dtype=float)


def _sample_count(analysis_id: int) -> int:
    with session_scope() as s:
        where = AnalysisSample.analysis_id == analysis_id
        return s.scalar(select(func.count()).select_from(AnalysisSample).where(where)) or 0


def test_samples_reproduce_the_cis_and_are_exported(settings: Settings) -> None:
    from api.app import create_app

    analysis_id = _fit()
    with session_scope() as s:
        row = s.get(AnalysisResult, analysis_id)
        assert row is not None and row.result is not None
        agents = {a["agent"]: a for a in row.result["agents"]}
        stored = analysis_samples.load_samples(s, analysis_id)
    assert set(stored) == {"p50", "p80"} and set(stored["p50"]) == set(agents) == set(RELEASES)
    # The result JSON the pages parse holds no replicates.
    assert "bootstrap_samples" not in row.result
    assert all(not isinstance(v, list) or len(v) < BOOTSTRAP for a in agents.values() for v in a.values())
    for name, agent in agents.items():
        assert agent["fit_status"] == "ok", name
        for metric in ("p50", "p80"):
            values = _as_array(stored[metric][name])
            assert len(values) == BOOTSTRAP
            lo, hi = percentile_interval(values, 0.95)
            assert lo == pytest.approx(agent[f"{metric}_ci"][0], rel=1e-6), (name, metric)
            assert hi == pytest.approx(agent[f"{metric}_ci"][1], rel=1e-6), (name, metric)

    with TestClient(create_app(settings)) as c:
        auth = {"Authorization": f"Bearer {make_token('viewer')}"}
        for base in (f"/analyses/{analysis_id}", f"/api/analyses/{analysis_id}"):
            data = c.get(f"{base}/export.json", headers=auth).json()
            assert data["bootstrap_samples"] == stored
            r = c.get(f"{base}/export-samples.csv", headers=auth)
            assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
            rows = list(csv.DictReader(io.StringIO(r.text)))
            assert len(rows) == 2 * len(RELEASES) * BOOTSTRAP
            first = rows[0]
            assert first["replicate"] == "0" and first["metric"] == "p50"
            assert float(first["value"]) == stored["p50"][first["agent"]][0]
            last = rows[-1]
            assert float(last["value"]) == stored[last["metric"]][last["agent"]][int(last["replicate"])]
        assert (
            "samples.csv"
            in c.get(f"/analyses/{analysis_id}/export-samples.csv").headers["content-disposition"]
        )

    # An identical request reuses the result, and gets the same samples.
    again = _fit()
    with session_scope() as s:
        reused = s.get(AnalysisResult, again)
        assert reused is not None and reused.result is not None
        assert reused.result["reused_from"] == analysis_id
        assert analysis_samples.load_samples(s, again) == stored

    # Deleting an analysis deletes its samples (ON DELETE CASCADE), and only its own.
    with session_scope() as s:
        s.execute(delete(AnalysisResult).where(AnalysisResult.id == analysis_id))
    assert _sample_count(analysis_id) == 0
    assert _sample_count(again) == 2 * len(RELEASES)


def test_an_analysis_over_the_cap_stores_none_and_the_exports_say_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.app import create_app

    # 3 agents x 120 replicates is 360 numbers per metric: over a cap of 300.
    monkeypatch.setattr(analysis_samples, "MAX_STORED_SAMPLES", 300)
    analysis_id = _fit()
    assert _sample_count(analysis_id) == 0
    none_run = _fit(bootstrap=0)
    with TestClient(create_app(settings)) as c:
        note = c.get(f"/api/analyses/{analysis_id}/export.json").json()["bootstrap_samples"]
        assert note.startswith("not stored: 120 replicates x 3 agents is 360 numbers per metric")
        assert "above the cap of 300" in note
        r = c.get(f"/api/analyses/{analysis_id}/export-samples.csv")
        assert r.status_code == 404 and "above the cap of 300" in r.json()["detail"]
        page = c.get(f"/analyses/{analysis_id}/export-samples.csv")
        assert page.status_code == 404 and "above the cap" in page.text
        assert c.get(f"/analyses/{none_run}/export.json").json()["bootstrap_samples"] == (
            "not stored: this analysis ran no bootstrap"
        )


def test_samples_exports_are_refused_for_missing_or_unfinished_analyses(settings: Settings) -> None:
    from api.app import create_app

    with session_scope() as s:
        queued = request_analysis(s, AnalysisRequest(bootstrap=10)).id
        forget_pending_jobs(s)
    with TestClient(create_app(settings)) as c:
        for base in ("/analyses", "/api/analyses"):
            assert c.get(f"{base}/{queued}/export-samples.csv").status_code == 409
            assert c.get(f"{base}/999999/export-samples.csv").status_code == 404
            assert c.get(f"{base}/0/export-samples.csv").status_code == 422
            assert c.get(f"{base}/{2**63}/export-samples.csv").status_code == 422


def test_stored_values_keep_float32_precision_nan_and_infinity() -> None:
    values = analysis_samples.stored_values(np.array([12.345678912345, math.nan, math.inf, 1e300, 0.0]))
    assert values == [12.345679, None, "inf", "inf", 0.0]
    assert analysis_samples.missing_note(None, 4).startswith("not stored: this analysis was stored before")


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_migration_0017_up_and_down(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The table comes with 0017 (metric checked, rows deleted with their analysis) and goes with
    its downgrade, leaving the analyses."""
    url = request.getfixturevalue("scratch_pg") if backend == "postgres" else f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url=url)
    engine = make_engine(url)  # Horizon's engine: foreign keys on in SQLite too
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO analysis_results (id, status, params, progress_done, progress_total, "
                    "n_runs, n_infra_excluded, simulated, created_at) VALUES (1, 'done', '{}', 0, 0, 0, 0, "
                    "false, CURRENT_TIMESTAMP), (2, 'done', '{}', 0, 0, 0, 0, false, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO analysis_samples (analysis_id, agent, metric, samples) VALUES "
                    "(1, 'a', 'p50', '[1.5, null, \"inf\"]'), (2, 'a', 'p80', '[2.0]')"
                )
            )
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO analysis_samples (analysis_id, agent, metric, samples) "
                    "VALUES (1, 'a', 'p99', '[]')"
                )
            )
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM analysis_results WHERE id = 1"))
            assert conn.execute(text("SELECT analysis_id FROM analysis_samples")).scalars().all() == [2]
    finally:
        engine.dispose()

    downgrade("0016", url=url)
    plain = create_engine(url)
    try:
        assert "analysis_samples" not in inspect(plain).get_table_names()
        with plain.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM analysis_results")).scalar() == 1
    finally:
        plain.dispose()
    upgrade(url=url)
    plain = create_engine(url)
    try:
        assert "analysis_samples" in inspect(plain).get_table_names()
    finally:
        plain.dispose()
