"""Reproduction of METR's published outputs on its January 2025 runs file (needs ../shared/metr).

Every check runs under the `metr` preset (three-level bootstrap, degenerate replicates dropped,
positive doubling times only); the fast solver is used unless a test asks for scikit-learn.

Reference numbers are rounded to 6 decimals, so "within 1e-5 relative" is checked as
|ours - ref| <= 1e-5 * |ref| + 5e-7 (the rounding half-unit).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.bootstrap import bootstrap_fits, percentile_interval
from analysis.report import AnalysisParams, analyze, preset_params, run_trend
from analysis.runs_io import read_bootstrap_samples, read_horizons, read_release_dates
from analysis.table import RunTable
from analysis.trend import DEFAULT_WINDOW, NAMED_WINDOWS
from tests.analysis.conftest import REFERENCE_DIR, reference_bootstrap, reference_fits

ROUNDING = 5e-7
REGULARIZATIONS = ["0.1", "1e-5"]
BUCKETS = ["1-4 min", "4-16 min", "16-64 min", "64-256 min", "256-960 min", "960-2880 min"]


def _close(ours: float, ref: float, rel: float) -> bool:
    if math.isinf(ref) or math.isinf(ours):
        return ours == ref
    return abs(ours - ref) <= rel * abs(ref) + ROUNDING


def _params(regularization: str, **changes: Any) -> AnalysisParams:
    base = preset_params(
        "metr",
        solver="fast",
        regularization=float(regularization),
        missing_release_dates="exclude",
        n_bootstrap=0,
    )
    return replace(base, **changes)


@pytest.mark.parametrize("regularization", REGULARIZATIONS)
def test_compatibility_fits_match_metr(metr_dir: Path, metr_table: RunTable, regularization: str) -> None:
    ref = reference_fits(metr_dir, regularization)
    result = analyze(metr_table, {}, _params(regularization, solver="sklearn"))
    assert result.weights_source == "stored (invsqrt_task_weight)"
    assert sorted(a.agent for a in result.agents) == sorted(ref.index)
    for agent in result.agents:
        row = ref.loc[agent.agent]
        if math.isinf(row["coefficient"]):  # davinci-002 never succeeds: METR writes -inf
            assert agent.fit.coefficient == row["coefficient"] and agent.fit.status == "all_failures"
        else:
            assert abs(agent.fit.coefficient - row["coefficient"]) < 1e-6, agent.agent
        assert abs(agent.fit.intercept - row["intercept"]) < 1e-6, agent.agent
        for q, column in ((0.5, "p50"), (0.8, "p80")):
            assert _close(agent.horizons[q], row[column], 1e-5), (agent.agent, column)
        assert abs(agent.average - row["average"]) < 1e-6
        for bucket, label in zip(agent.buckets, BUCKETS, strict=True):
            assert bucket.label == label
            assert (math.isnan(bucket.rate) and math.isnan(row[label])) or abs(
                bucket.rate - row[label]
            ) < 1e-6


@pytest.mark.parametrize("regularization", REGULARIZATIONS)
def test_fast_solver_p50_within_one_percent(
    metr_dir: Path, metr_table: RunTable, regularization: str
) -> None:
    ref = reference_fits(metr_dir, regularization)
    result = analyze(metr_table, {}, _params(regularization))
    lo, hi = metr_table.human_minutes.min(), metr_table.human_minutes.max()
    checked = 0
    for agent in result.agents:
        p50 = ref.loc[agent.agent, "p50"]
        if lo <= p50 <= hi:
            assert abs(agent.horizons[0.5] / p50 - 1) < 0.01, agent.agent
            checked += 1
    assert checked == 9  # all but gpt-3.5-turbo-instruct (p50 far below a minute) and davinci-002 (no fit)


def test_first_50_bootstrap_replicates_match_bit_for_bit(metr_dir: Path, metr_table: RunTable) -> None:
    ref = reference_bootstrap(metr_dir, "0.1").iloc[:50]
    weights = metr_table.stored_weights["invsqrt"]
    boot = bootstrap_fits(metr_table, metr_table.scores(False), weights, 0.1, 50, solver="sklearn")
    _assert_replicates_match(boot.agents, {0.5: boot.horizons(0.5), 0.8: boot.horizons(0.8)}, ref, 1e-9)


def _assert_replicates_match(
    agents: list[str], horizons: dict[float, np.ndarray], ref: pd.DataFrame, rel: float
) -> None:
    for i, agent in enumerate(agents):
        for q, suffix in ((0.5, "p50"), (0.8, "p80")):
            ours = horizons[q][:, i]
            column = f"{agent}_{suffix}"
            if column not in ref.columns:  # METR writes no column for an agent never fitted
                assert np.isnan(ours).all(), agent
                continue
            theirs = ref[column].to_numpy()
            np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=column)
            finite = ~np.isnan(theirs)
            np.testing.assert_allclose(ours[finite], theirs[finite], rtol=rel, atol=0, err_msg=column)


@pytest.mark.parametrize("regularization", REGULARIZATIONS)
def test_percentile_interval_matches_metr_ci_columns(metr_dir: Path, regularization: str) -> None:
    ref = reference_fits(metr_dir, regularization)
    replicates = reference_bootstrap(metr_dir, regularization)
    for agent, row in ref.iterrows():
        for suffix in ("p50", "p80"):
            column = f"{agent}_{suffix}"
            if column not in replicates.columns:
                continue
            lo, hi = percentile_interval(replicates[column].to_numpy(), 0.95)
            assert _close(lo, row[f"{suffix}q0.025"], 1e-6) and _close(hi, row[f"{suffix}q0.975"], 1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("regularization", REGULARIZATIONS)
def test_all_1000_replicates_and_cis_match_in_compatibility_mode(
    metr_dir: Path, metr_table: RunTable, regularization: str
) -> None:
    ref = reference_fits(metr_dir, regularization)
    result = analyze(metr_table, {}, _params(regularization, solver="sklearn", n_bootstrap=1000))
    assert result.bootstrap is not None
    horizons = {0.5: result.bootstrap.horizons(0.5), 0.8: result.bootstrap.horizons(0.8)}
    _assert_replicates_match(
        result.bootstrap.agents, horizons, reference_bootstrap(metr_dir, regularization), 1e-6
    )
    for agent in result.agents:
        row = ref.loc[agent.agent]
        for q, suffix in ((0.5, "p50"), (0.8, "p80")):
            lo, hi = agent.intervals[q]
            assert _close(lo, row[f"{suffix}q0.025"], 1e-6), (agent.agent, suffix)
            assert _close(hi, row[f"{suffix}q0.975"], 1e-6), (agent.agent, suffix)


def test_fast_mode_cis_are_close_to_metr(metr_dir: Path, metr_table: RunTable) -> None:
    ref = reference_fits(metr_dir, "0.1")
    result = analyze(metr_table, {}, _params("0.1", n_bootstrap=1000))
    for agent in result.agents:
        if agent.agent in ("davinci-002", "gpt-3.5-turbo-instruct"):
            continue  # no fit / p50 below a minute: replicate p50s span 170 orders of magnitude
        lo, hi = agent.intervals[0.5]
        assert lo / ref.loc[agent.agent, "p50q0.025"] == pytest.approx(1, abs=0.02), agent.agent
        assert hi / ref.loc[agent.agent, "p50q0.975"] == pytest.approx(1, abs=0.02), agent.agent


def test_headline_doubling_time(metr_dir: Path) -> None:
    p50, dates = read_horizons(metr_dir / "th1_0_logistic_fits_headline_2025-06_metr.csv")
    dates.update(read_release_dates(metr_dir / "release_dates_2025-06_crossdomain.yaml"))
    samples = read_bootstrap_samples(metr_dir / "th1_0_bootstrap_headline_2025-06_metr.csv")
    trend = run_trend(p50, dates, NAMED_WINDOWS["paper"], samples, doubling_ci="positive_doublings")
    assert round(trend["doubling_days"], 2) == 212.96
    assert [round(v, 2) for v in trend["doubling_days_ci"]] == [172.37, 247.37]
    assert trend["window"] == ["2019-01-01", "2025-02-25"]
    assert "o3" not in trend["agents"] and "Claude 3.7 Sonnet" in trend["agents"]


@pytest.mark.parametrize("regularization", REGULARIZATIONS)
def test_trend_matches_metr_trend_outputs(metr_dir: Path, regularization: str) -> None:
    expected = json.loads((metr_dir / REFERENCE_DIR / f"trend_reg{regularization}.json").read_text())
    fits = reference_fits(metr_dir, regularization)
    dates: dict[str, date] = read_release_dates(metr_dir / "release_dates_2025-03_paper.yaml")
    samples = read_bootstrap_samples(metr_dir / REFERENCE_DIR / f"bootstrap_reg{regularization}_n1000.csv")
    p50 = fits["p50"].to_dict()
    trend = run_trend(
        p50, dates, DEFAULT_WINDOW, samples, allow_missing_dates=True, doubling_ci="positive_doublings"
    )
    assert trend["agents"] == expected["sota_agents"]
    assert trend["doubling_days"] == pytest.approx(expected["point_estimate"], rel=1e-9)
    assert trend["doubling_days_median"] == pytest.approx(expected["median"], rel=1e-9)
    assert trend["doubling_days_ci"] == pytest.approx([expected["ci_lower"], expected["ci_upper"]], rel=1e-9)
    assert trend["n_samples"] == expected["n"]
    assert trend["excluded_agents"] == {"davinci-002": "no release date"}
