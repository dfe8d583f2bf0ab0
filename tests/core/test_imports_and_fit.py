"""External runs into PostgreSQL and the stored horizon analysis over them (METR's data)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from analysis.errors import AnalysisInputError
from analysis.runs_io import read_release_dates, read_runs_frame
from core.db import session_scope
from core.models import Agent, AnalysisResult, Run, Task
from core.schemas import AnalysisRequest
from core.services.analyses import request_analysis
from core.services.imports import import_runs
from core.settings import Settings
from tests.factories import make_token

REPO_ROOT = Path(__file__).resolve().parents[2]
METR = Path(os.environ.get("HORIZON_METR_DATA", REPO_ROOT.parent / "shared" / "metr"))
RUNS = METR / "runs_2025-01-28_metr_eval-analysis-public_b9a402ff.jsonl"
DATES = METR / "release_dates_2025-03_paper.yaml"
FITS = METR / "reference_outputs_2025-01-28" / "logistic_fits_reg0.1.csv"

needs_metr = pytest.mark.skipif(not RUNS.exists(), reason=f"METR reference data not found at {METR}")


@needs_metr
def test_import_is_idempotent_and_fit_reproduces_metr(db: str) -> None:
    frame = read_runs_frame(RUNS)
    dates = read_release_dates(DATES)
    with session_scope() as s:
        first = import_runs(s, frame, "metr-2025-01", dates)
    with session_scope() as s:
        again = import_runs(s, frame, "metr-2025-01", dates)
    assert first.runs_added == 6852 and first.human_rows_skipped == 211
    assert again.runs_added == 0 and again.runs_already_present == 6852
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 6852
        assert s.scalar(select(func.count()).select_from(Task)) == first.tasks_added
        release = s.scalar(select(Agent.release_date).where(Agent.name == "o1"))
        assert release is not None and release.isoformat() == "2024-12-05"
        # METR's `qa` and `external_qa` times are people's timed attempts, as the analysis of the
        # file counts them: only `estimate` tasks are stored as estimates.
        estimated = s.scalar(
            select(func.count()).select_from(Task).where(Task.human_minutes_source == "estimate")
        )
        humans = frame[frame["alias"] != "human"] if "alias" in frame.columns else frame
        assert estimated == humans.loc[humans["human_source"] == "estimate", "task_id"].nunique() == 20

    from core.queue import forget_pending_jobs
    from workers.analysis_job import run_fit

    with session_scope() as s:
        analysis_id = request_analysis(s, AnalysisRequest(bootstrap=50, regularization=0.1)).id  # METR's
        forget_pending_jobs(s)  # fitted right here instead of on a queue
    assert run_fit(analysis_id) == "done"
    with session_scope() as s:
        row = s.get(AnalysisResult, analysis_id)
        assert row is not None and row.result is not None
        assert row.n_runs == 6852 and row.inputs_fingerprint
        fitted = {a["agent"]: a for a in row.result["agents"]}

    with open(FITS) as f:
        reference = list(csv.DictReader(f))
    in_range = 0
    for ref in reference:
        agent = ref.get("agent") or ref.get("alias")
        if agent not in fitted or agent == "human":
            continue
        p50 = float(ref["p50"])
        if 1 / 60 <= p50 <= 2000:  # the exact optimum agrees with METR's lbfgs within the task range
            in_range += 1
            assert fitted[agent]["p50"] == pytest.approx(p50, rel=0.01), agent
        assert fitted[agent]["average"] == pytest.approx(float(ref["average"]), abs=1e-6), agent
    assert in_range >= 7

    # A second identical request reuses the stored result instead of refitting.
    with session_scope() as s:
        second = request_analysis(s, AnalysisRequest(bootstrap=50, regularization=0.1)).id  # METR's
        forget_pending_jobs(s)
    run_fit(second)
    with session_scope() as s:
        row2 = s.get(AnalysisResult, second)
        assert row2 is not None and row2.result is not None and row2.result["reused_from"] == analysis_id


def test_bad_runs_file_stores_nothing(db: str) -> None:
    frame = pd.DataFrame(
        {
            "alias": ["a", "a", "b"],
            "task_id": ["t1", "t2", "t1"],
            "task_family": ["f", "f", "f"],
            "human_minutes": [3.0, -1.0, 3.0],
            "score_binarized": [1, 0, 1],
        }
    )
    with pytest.raises(AnalysisInputError, match="row 2"):
        with session_scope() as s:
            import_runs(s, frame, "bad")
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 0
        assert s.scalar(select(func.count()).select_from(Agent)) == 0


def test_analyses_api(db: str) -> None:
    from api.app import create_app

    frame = pd.DataFrame(
        {
            "alias": ["a"] * 6 + ["b"] * 6,
            "task_id": ["t1", "t2", "t3"] * 4,
            "task_family": ["f1", "f2", "f3"] * 4,
            "human_minutes": [1.0, 10.0, 100.0] * 4,
            "score_binarized": [1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0],
        }
    )
    with session_scope() as s:
        import_runs(
            s,
            frame,
            "small",
            {"a": pd.Timestamp("2024-01-01").date(), "b": pd.Timestamp("2024-07-01").date()},
        )
    with TestClient(create_app(Settings(database_url=db))) as client:
        assert client.get("/api/analyses/latest").status_code == 404
        headers = {"Authorization": f"Bearer {make_token('submitter')}"}
        r = client.post("/api/analyses", json={"bootstrap": 20, "weighting": "equal"}, headers=headers)
        assert r.status_code == 202 and r.json()["status"] == "queued"
        bad = client.post("/api/analyses", json={"regularization": -1}, headers=headers)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "regularization"
        refusals = (("bootstrap_levels", "runs"), ("degenerate_replicates", "x"), ("doubling_ci", ""))
        for field, value in refusals:
            refused = client.post("/api/analyses", json={field: value}, headers=headers)
            assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field
        from workers.analysis_job import run_fit

        run_fit(r.json()["id"])
        latest = client.get("/api/analyses/latest").json()
        assert latest["id"] == r.json()["id"] and latest["status"] == "done" and latest["stale"] is None
        assert {a["agent"] for a in latest["result"]["agents"]} == {"a", "b"}
        # Flags travel with the numbers: per agent, per trend, and counted over the report.
        assert all(isinstance(a["flags"], list) for a in latest["result"]["agents"])
        assert isinstance(latest["result"]["flags"], dict) and "flags" in latest["result"]["trend"]
        assert client.get("/api/analyses").json()["total"] == 1
