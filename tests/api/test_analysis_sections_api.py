"""Stored analyses carry the sections beyond METR's method, with human-time sources from the tasks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from analysis.report import run_analysis
from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
from core.schemas import AnalysisRequest

DATES = {
    "a2020": dt.date(2020, 3, 1),
    "a2021": dt.date(2021, 4, 1),
    "a2022": dt.date(2022, 5, 1),
    "a2023": dt.date(2023, 6, 1),
    "a2024": dt.date(2024, 7, 1),
}
REQUEST = AnalysisRequest(bootstrap=30)


@pytest.fixture
def frame(db: str) -> pd.DataFrame:
    """Five agents on a trend; a quarter of the families' times are estimates. Imported as runs."""
    from core.db import session_scope
    from core.services.imports import import_runs

    rng = np.random.default_rng(21)
    suite = synthetic_suite(rng, n_families=16, max_minutes=960)
    agents = agents_on_trend(DATES, doubling_days=200, anchor_p50=30.0, anchor_date=DATES["a2023"])
    runs = simulate_runs(suite, agents, repeats=3, rng=rng)
    estimated = sorted(set(runs["task_family"]))[:4]
    runs["human_source"] = np.where(runs["task_family"].isin(estimated), "estimate", "baseline")
    with session_scope() as s:
        import_runs(s, runs, "simulated", DATES)
    return runs


def test_database_runs_carry_their_tasks_human_time_source(frame: pd.DataFrame) -> None:
    from core.db import session_scope
    from core.services.analyses import gather_inputs

    with session_scope() as s:
        inputs = gather_inputs(s, REQUEST)
    got = inputs.frame.groupby("task_id")["human_source"].first().to_dict()
    want = frame.groupby("task_id")["human_source"].first().to_dict()
    assert got == want


def test_stored_analysis_returns_the_sections(
    client: TestClient, frame: pd.DataFrame, submitter: dict[str, str]
) -> None:
    from workers.analysis_job import run_fit

    r = client.post("/api/analyses", json=REQUEST.model_dump(mode="json"), headers=submitter)
    assert r.status_code == 202, r.text
    assert run_fit(r.json()["id"]) == "done"
    body = client.get(f"/api/analyses/{r.json()['id']}", headers=submitter).json()
    result = body["result"]

    from core.services.analyses import analysis_params

    expected = run_analysis(frame, DATES, analysis_params(REQUEST))
    assert result["trend_shape"]["p_value"] == pytest.approx(expected["trend_shape"]["p_value"])
    assert result["trend_shape"]["agents"] == result["trend"]["agents"]
    assert [a["agent"] for a in result["families"]["agents"]] == sorted(result["trend"]["agents"])
    human = result["human_time"]
    n_estimated = frame.loc[frame["human_source"] == "estimate", "task_id"].nunique()
    assert human["n_estimate_tasks"] == n_estimated == expected["human_time"]["n_estimate_tasks"]
    assert human["n_baseline_tasks"] == frame["task_id"].nunique() - n_estimated
    for got, want in zip(
        human["sensitivity"]["agents"], expected["human_time"]["sensitivity"]["agents"], strict=True
    ):
        assert got["agent"] == want["agent"]
        assert got["p50_baselined_only"] == pytest.approx(want["p50_baselined_only"], rel=1e-9)
    latest = client.get("/api/analyses/latest", headers=submitter).json()
    assert latest["result"]["human_time"] == human


def test_the_request_chooses_the_sections(
    client: TestClient, frame: pd.DataFrame, submitter: dict[str, str]
) -> None:
    from workers.analysis_job import run_fit

    body = {
        **REQUEST.model_dump(mode="json"),
        "trend_shape": False,
        "family_agents": "all",
        "estimate_refit": "off",
    }
    r = client.post("/api/analyses", json=body, headers=submitter)
    assert r.status_code == 202, r.text
    assert run_fit(r.json()["id"]) == "done"
    result = client.get(f"/api/analyses/{r.json()['id']}", headers=submitter).json()["result"]
    assert result["params"]["trend_shape"] is False and result["params"]["estimate_refit"] == "off"
    assert result.get("trend_shape") is None
    assert len(result["families"]["agents"]) == len(DATES)  # every agent, not the frontier only
    for bad in ({"family_agents": "some"}, {"estimate_refit": "full"}, {"trend_shape": "maybe"}):
        r = client.post("/api/analyses", json={**REQUEST.model_dump(mode="json"), **bad}, headers=submitter)
        assert r.status_code == 422, (bad, r.text)
