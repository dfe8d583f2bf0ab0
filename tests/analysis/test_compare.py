"""Paired comparison (analysis/compare.py): inputs, the ratio's interval, calibration, METR's data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compare import compare_agents, ratio_estimate, shared_task_table
from analysis.errors import AnalysisInputError
from analysis.report import AnalysisParams
from analysis.simulate import SimulatedAgent, simulate_runs, synthetic_suite
from analysis.table import RunTable
from tests.analysis.conftest import small_runs_frame

FAST = AnalysisParams(n_bootstrap=200, regularization=1e-5)


def test_only_shared_tasks_are_compared() -> None:
    frame = small_runs_frame()
    # beta never ran fam_b/t2: it is left out of alpha's side too.
    frame = frame[~((frame["alias"] == "beta") & (frame["task_id"] == "fam_b/t2"))]
    pair, left_out = shared_task_table(RunTable.from_frame(frame), "alpha", "beta")
    assert set(pair.agents) == {"alpha", "beta"}
    assert "fam_b/t2" not in set(pair.task_id)
    assert left_out == {"alpha": 1, "beta": 0}


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [("alpha", "nobody", "no runs for agent"), ("alpha", "alpha", "two different agents")],
)
def test_bad_agents_are_refused(a: str, b: str, message: str) -> None:
    with pytest.raises(AnalysisInputError, match=message):
        compare_agents(RunTable.from_frame(small_runs_frame()), a, b, FAST)


def test_agents_without_a_shared_task_are_refused() -> None:
    frame = small_runs_frame()
    frame = frame[~((frame["alias"] == "beta") & frame["task_family"].isin(["fam_a", "fam_b"]))]
    frame = frame[~((frame["alias"] == "alpha") & (frame["task_family"] == "fam_c"))]
    with pytest.raises(AnalysisInputError, match="share no task"):
        compare_agents(RunTable.from_frame(frame), "alpha", "beta", FAST)


def test_a_single_shared_run_and_zero_replicates_are_refused() -> None:
    frame = small_runs_frame()
    frame = frame[(frame["alias"] != "beta") | (frame["task_id"] == "fam_a/t1")]
    with pytest.raises(AnalysisInputError, match="single run"):
        compare_agents(RunTable.from_frame(frame), "alpha", "beta", FAST)
    with pytest.raises(AnalysisInputError, match="bootstrap replicates"):
        compare_agents(
            RunTable.from_frame(small_runs_frame()), "alpha", "beta", AnalysisParams(n_bootstrap=0)
        )


def test_ratio_counts_undefined_replicates_and_ties() -> None:
    a = np.array([2.0, 1.0, 0.0, np.inf, np.nan, 0.0])
    b = np.array([1.0, 1.0, 0.0, np.inf, 3.0, 5.0])
    e = ratio_estimate(0.5, 2.0, 1.0, a, b, 0.95)
    # 0/0, inf/inf and a missing fit say nothing; 0/5 says B is longer.
    assert e.n_undefined == 3 and e.n_replicates == 3
    assert e.prob_a_longer == pytest.approx((1 + 0.5 + 0) / 3)
    assert e.ratio == 2.0


def test_comparison_json_is_complete_and_reproducible() -> None:
    table = RunTable.from_frame(small_runs_frame())
    first = compare_agents(table, "gamma", "beta", FAST).to_json()
    again = compare_agents(table, "gamma", "beta", FAST).to_json()
    assert first == again
    p50 = first["estimates"]["p50"]
    assert p50["ratio"] == pytest.approx(p50["horizon_a"] / p50["horizon_b"])
    assert 0.0 <= p50["prob_a_longer"] <= 1.0
    assert set(first["estimates"]) == {"p50", "p80"}


def _simulated_pair(rng: np.random.Generator, ratio: float) -> RunTable:
    suite = synthetic_suite(rng, n_families=36, min_tasks=1, max_tasks=4)
    agents = [SimulatedAgent("a", 20.0 * ratio), SimulatedAgent("b", 20.0)]
    frame: pd.DataFrame = simulate_runs(suite, agents, 4, rng, family_sd=0.5, task_sd=0.5)
    return RunTable.from_frame(frame)


def test_calibration_by_simulation() -> None:
    """Equal agents: the 95% interval excludes 1 about 5% of the time; a true ratio of 2.5 is
    covered about 95% of the time (300 simulated studies each, about 30 s)."""
    rng = np.random.default_rng(2024)
    outcomes: dict[float, list[tuple[bool, bool]]] = {1.0: [], 2.5: []}
    for ratio, results in outcomes.items():
        for _ in range(300):
            seed = int(rng.integers(0, 2**31 - 1))
            params = AnalysisParams(n_bootstrap=150, regularization=1e-5, seed=seed)
            e = compare_agents(_simulated_pair(rng, ratio), "a", "b", params).estimates[0.5]
            results.append((e.excludes_one, e.ci[0] <= ratio <= e.ci[1]))
    rejections = np.mean([r for r, _ in outcomes[1.0]])
    coverage = np.mean([c for _, c in outcomes[2.5]])
    assert 0.02 <= rejections <= 0.10, rejections
    assert 0.90 <= coverage <= 0.98, coverage


def test_metr_sonnet_new_against_old(metr_table: RunTable, metr_dir: Path) -> None:
    params = AnalysisParams(n_bootstrap=400, regularization=1e-5)
    e = compare_agents(metr_table, "Claude 3.5 Sonnet (New)", "Claude 3.5 Sonnet (Old)", params).estimates[
        0.5
    ]
    assert 2.4 < e.ratio < 2.8
    assert e.ci[0] > 1.0 and e.excludes_one
    assert e.prob_a_longer > 0.97
