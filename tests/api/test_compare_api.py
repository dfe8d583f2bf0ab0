"""GET /api/analyses/compare: a paired comparison over the database's runs, bounded (issue 15)."""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from analysis.compare import compare_agents
from analysis.report import AnalysisParams
from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
from analysis.table import RunTable
from core.schemas import COMPARE_MAX_BOOTSTRAP, CompareRequest
from core.settings import Settings

DATES = {"strong": dt.date(2024, 6, 1), "weak": dt.date(2023, 6, 1)}


@pytest.fixture
def runs(db: str) -> RunTable:
    """Two agents a year apart on a 6-month doubling (true p50 ratio 4), imported as runs."""
    from core.db import session_scope
    from core.services.imports import import_runs

    rng = np.random.default_rng(11)
    suite = synthetic_suite(rng, n_families=16, max_minutes=960)
    agents = agents_on_trend(DATES, doubling_days=182.5, anchor_p50=30.0, anchor_date=DATES["strong"])
    frame = simulate_runs(suite, agents, repeats=4, rng=rng)
    with session_scope() as s:
        import_runs(s, frame, "simulated", DATES)
    return RunTable.from_frame(frame)


def test_compare_matches_the_analysis_on_the_same_runs(client: TestClient, runs: RunTable) -> None:
    r = client.get("/api/analyses/compare", params={"a": "strong", "b": "weak", "bootstrap": 300})
    assert r.status_code == 200, r.text
    body = r.json()
    # The same comparison computed from the imported table (tasks keep their ids on import).
    params = AnalysisParams(n_bootstrap=300, regularization=CompareRequest(a="a", b="b").regularization)
    expected = compare_agents(runs, "strong", "weak", params, levels="families")
    assert body["shared_tasks"] == expected.n_shared_tasks
    assert body["bootstrap"] == 300 and body["levels"] == "families"
    for key, q in (("p50", 0.5), ("p80", 0.8)):
        got, want = body["estimates"][key], expected.estimates[q]
        assert math.isclose(got["ratio"], want.ratio, rel_tol=1e-6)
        assert got["prob_a_longer"] == pytest.approx(want.prob_a_longer)
    lo, hi = body["estimates"]["p50"]["ratio_ci"]
    assert 1 < lo < 4 < hi
    assert body["estimates"]["p50"]["prob_a_longer"] > 0.95


def test_compare_is_fast_enough_to_answer_inline(client: TestClient, runs: RunTable) -> None:
    started = time.perf_counter()
    r = client.get(
        "/api/analyses/compare", params={"a": "strong", "b": "weak", "bootstrap": COMPARE_MAX_BOOTSTRAP}
    )
    assert r.status_code == 200
    assert time.perf_counter() - started < 10  # the cap's worst case on a small suite, slow machine


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"a": "strong", "b": "nobody"}, 404, "nobody"),
        ({"a": "ghost", "b": "nobody"}, 404, "ghost"),
        ({"a": "strong", "b": "strong"}, 422, "two different agents"),
        ({"a": "strong", "b": "weak", "bootstrap": COMPARE_MAX_BOOTSTRAP + 1}, 422, "bootstrap"),
        ({"a": "strong", "b": "weak", "bootstrap": 10**12}, 422, "bootstrap"),
        ({"a": "strong", "b": "weak", "bootstrap": 0}, 422, "bootstrap"),
        ({"a": "strong", "b": "weak", "levels": "runs"}, 422, "levels"),
        ({"a": "strong", "b": "weak", "confidence": 1}, 422, "confidence"),
        ({"a": "strong", "b": "weak", "regularization": "nan"}, 422, "regularization"),
        ({"a": "strong", "b": "weak", "burn": "cpu"}, 422, "burn"),
        ({"a": "x" * 201, "b": "weak"}, 422, "a"),
        ({"a": "strong"}, 422, "b"),
    ],
)
def test_compare_refuses_bad_requests(
    client: TestClient, runs: RunTable, params: dict[str, object], status: int, needle: str
) -> None:
    r = client.get("/api/analyses/compare", params=params)
    assert r.status_code == status, r.text
    assert needle in r.text


def test_compare_without_shared_tasks_is_refused(client: TestClient, runs: RunTable) -> None:
    from tests.factories import make_agent

    make_agent("no-runs")
    r = client.get("/api/analyses/compare", params={"a": "strong", "b": "no-runs"})
    assert r.status_code == 422
    assert "no runs for agent(s): no-runs" in r.json()["detail"]


def test_compare_reads_like_other_analysis_reads(db: str, runs: RunTable, viewer: dict[str, str]) -> None:
    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db, read_requires_token=True))) as c:
        anonymous = c.get("/api/analyses/compare", params={"a": "strong", "b": "weak"})
        assert anonymous.status_code == 401
        assert c.get("/api/analyses/latest").status_code == 401  # the same rule as other reads
        assert (
            c.get("/api/analyses/compare", params={"a": "strong", "b": "weak"}, headers=viewer).status_code
            == 200
        )
