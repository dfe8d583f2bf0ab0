"""Human times' own uncertainty in the bootstrap, and the refit without estimates (method s. 10)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from analysis.errors import AnalysisInputError
from analysis.human_time_sensitivity import sensitivity_json
from analysis.human_time_uncertainty import HumanTimeNoise, parse_noise, task_is_estimate, without_estimates
from analysis.report import analyze, preset_params, refit_without_estimates
from analysis.simulate import SimulatedAgent, simulate_runs, synthetic_suite
from analysis.table import RunTable
from tests.analysis.conftest import small_runs_frame

TRUE_P50 = 30.0


@pytest.fixture
def small_table() -> RunTable:
    return RunTable.from_frame(small_runs_frame())


def _study(rng: np.random.Generator, time_sd: float) -> RunTable:
    """Runs drawn on the true times; the table records times off by N(0, time_sd) doublings, and
    half the families' tasks are marked as estimates."""
    suite = synthetic_suite(rng, n_families=24, max_tasks=4)
    agents = [SimulatedAgent("a", TRUE_P50, release_date=date(2024, 1, 1))]
    frame = simulate_runs(suite, agents, repeats=4, rng=rng)
    noise = dict(zip(suite.task_id, rng.normal(0.0, time_sd, suite.n_tasks), strict=True))
    frame["human_minutes"] = frame["human_minutes"] * 2.0 ** frame["task_id"].map(noise)
    estimate = frame["task_family"].str[-1].isin(list("02468"))
    frame["human_source"] = np.where(estimate, "estimate", "baseline")
    return RunTable.from_frame(frame)


def test_zero_spread_leaves_the_bootstrap_unchanged(small_table: RunTable) -> None:
    params = preset_params("calibrated", n_bootstrap=50, missing_release_dates="exclude")
    plain = analyze(small_table, {}, params)
    zero = analyze(small_table, {}, replace(params, human_time_noise=HumanTimeNoise(0.0, 0.0)))
    assert plain.bootstrap is not None and zero.bootstrap is not None
    np.testing.assert_allclose(zero.bootstrap.intercept, plain.bootstrap.intercept, rtol=1e-10)


def test_injected_time_noise_is_covered_by_resampling() -> None:
    """Simulation: times off by 1 doubling; resampling them keeps p50 coverage at least as high and
    widens the intervals, and the zero-noise run is the plain one."""
    rng = np.random.default_rng(11)
    base = preset_params("calibrated", n_bootstrap=150, missing_release_dates="exclude")
    noisy = replace(base, human_time_noise=HumanTimeNoise(1.0, 1.0))
    hits = {"plain": 0, "resampled": 0}
    widths: dict[str, list[float]] = {"plain": [], "resampled": []}
    n = 30
    for _ in range(n):
        table = _study(rng, time_sd=1.0)
        for name, params in (("plain", base), ("resampled", noisy)):
            lo, hi = analyze(table, {}, params).agent("a").intervals[0.5]
            hits[name] += lo <= TRUE_P50 <= hi
            widths[name].append(math.log2(hi / lo))
    assert np.mean(widths["resampled"]) > np.mean(widths["plain"])
    assert hits["resampled"] >= hits["plain"]
    assert hits["resampled"] / n >= 0.85


def test_sources_and_the_refit_without_estimates() -> None:
    table = _study(np.random.default_rng(3), time_sd=0.0)
    estimate = task_is_estimate(table)
    assert 0 < estimate.sum() < estimate.size
    kept = without_estimates(table)
    assert kept.human_source is not None and set(kept.human_source) == {"baseline"}
    params = preset_params(
        "calibrated", n_bootstrap=20, missing_release_dates="exclude", estimate_refit="bootstrap"
    )
    full = analyze(table, {}, params)
    report = sensitivity_json(
        table, full.fit_summary(), refit_without_estimates(kept, {}, params).fit_summary()
    )
    assert report["n_estimate_tasks"] == int(estimate.sum()) and report["bootstrap"] == 20
    assert report["agents"][0]["p50_baselined_only"] > 0
    lo, hi = report["agents"][0]["p50_baselined_only_ci"]
    assert lo is not None and hi is not None and lo <= report["agents"][0]["p50_baselined_only"] <= hi


def test_without_sources_every_task_counts_as_estimate(small_table: RunTable) -> None:
    assert task_is_estimate(small_table).all()
    with pytest.raises(AnalysisInputError, match="no task has a human baseline"):
        without_estimates(small_table)


@pytest.mark.parametrize("text", ["1", "a,b", "0.5,-1", "0.5,nan", "9,1", "1,2,3"])
def test_bad_spreads_are_input_errors(text: str) -> None:
    with pytest.raises(AnalysisInputError, match="human-time spread"):
        parse_noise(text)


def test_resampling_needs_the_fast_solver(small_table: RunTable) -> None:
    params = preset_params("metr", n_bootstrap=5, human_time_noise=HumanTimeNoise())
    with pytest.raises(AnalysisInputError, match="fast solver"):
        analyze(small_table, {}, params)


def test_metr_file_sources(metr_table: RunTable) -> None:
    """METR's January 2025 file: 20 of 83 tasks carry only an estimate."""
    assert int(task_is_estimate(metr_table).sum()) == 20
