"""Honest edges and calibrated intervals: bootstrap levels, degenerate replicates, the slope-based
doubling-time interval, flags, presets and `analysis.calibration` (docs/method.md sections 3, 4, 8, 9)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from analysis.bootstrap import ALL_FAILURES, HierarchicalResampler, bootstrap_fits
from analysis.calibration import calibrate, covers, population_horizon
from analysis.errors import AnalysisInputError
from analysis.logistic import fit_logistic_batch
from analysis.report import AnalysisParams, analyze, preset_params
from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
from analysis.table import RunTable
from analysis.trend import invert_slope_interval
from tests.analysis.conftest import small_runs_frame


def _small_table() -> RunTable:
    return RunTable.from_frame(small_runs_frame())


def test_two_level_weights_equal_refitting_the_repeated_rows() -> None:
    table = _small_table()
    y = table.scores(False)
    w = np.ones(len(table))
    boot = bootstrap_fits(table, y, w, 0.1, 20, levels="families_tasks")
    resampler = HierarchicalResampler.from_table(table)
    for i in range(20):
        rows = resampler.sample(np.random.default_rng(42 + i), "families_tasks")
        # Two levels never draw runs: every drawn task brings each of its rows k times.
        counts = np.bincount(rows, minlength=len(table))
        tasks = table.task_codes
        assert all(len(set(counts[tasks == t])) == 1 for t in np.unique(tasks))
        for a in range(len(table.agents)):
            own = rows[table.agent_codes[rows] == a]
            fit = fit_logistic_batch(
                table.log2_minutes[own][None, :], (w * y)[own][None, :], (w * (1 - y))[own][None, :], 0.1
            )
            np.testing.assert_allclose(
                [boot.intercept[i, a], boot.coefficient[i, a]],
                [fit.intercept[0], fit.coefficient[0]],
                rtol=1e-7,
                atol=1e-9,
            )


def test_degenerate_replicates_are_counted_at_their_limit_or_dropped() -> None:
    table = _small_table()
    y = table.scores(False)
    boot = bootstrap_fits(table, y, np.ones(len(table)), 0.1, 300, levels="families_tasks")
    assert boot.status is not None
    beta = table.agents.index("beta")
    failures = boot.status[:, beta] == ALL_FAILURES
    assert failures.any()  # beta fails on most tasks: some replicates hold no success
    assert (boot.horizons(0.5, "count")[failures, beta] == 0).all()
    assert np.isnan(boot.horizons(0.5, "drop")[failures, beta]).all()


def test_slope_interval_inversion_and_unbounded_side() -> None:
    ln2 = math.log(2)
    assert invert_slope_interval(ln2 / 200, ln2 / 100) == pytest.approx((100, 200))
    lower, upper = invert_slope_interval(-0.001, ln2 / 100)
    assert lower == pytest.approx(100) and upper == math.inf
    assert invert_slope_interval(-0.002, -0.001) == (math.inf, math.inf)
    assert all(math.isnan(v) for v in invert_slope_interval(math.nan, 1.0))


def test_unknown_settings_are_input_errors() -> None:
    for bad in ({"bootstrap_levels": "runs"}, {"degenerate_replicates": "hide"}, {"doubling_ci": "any"}):
        with pytest.raises(AnalysisInputError, match=next(iter(bad))):
            AnalysisParams(**bad).validate()  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="preset must be one of calibrated, metr"):
        preset_params("bayes")


def test_flags_are_in_the_json_with_counts() -> None:
    frame = small_runs_frame()
    # An agent that succeeds on long tasks and fails short ones: a positive slope.
    upside = frame[frame["alias"] == "alpha"].assign(
        alias="upside", score_binarized=lambda f: (f["human_minutes"] >= 30).astype(int)
    )
    frame = __import__("pandas").concat([frame, upside])
    report = analyze(
        RunTable.from_frame(frame), {}, AnalysisParams(n_bootstrap=100, missing_release_dates="exclude")
    )
    data = report.to_json()
    upside_flags = next(a for a in data["agents"] if a["agent"] == "upside")["flags"]
    assert "positive_slope" in upside_flags
    assert data["flags"]["positive_slope"] == 1
    for agent in data["agents"]:
        counts = agent["bootstrap"]
        assert {
            "n_all_failures",
            "n_all_successes",
            "n_dropped",
            "n_positive_slope",
            "n_not_converged",
        } <= set(counts)
        for code in agent["flags"]:
            assert data["flags"][code] >= 1


def test_metr_file_edges_are_flagged(metr_dir: Path, metr_table: RunTable) -> None:
    from analysis.runs_io import read_release_dates

    dates = read_release_dates(metr_dir / "release_dates_2025-03_paper.yaml")
    metr = analyze(metr_table, dates, preset_params("metr", solver="fast", missing_release_dates="exclude"))
    trend = metr.to_json()["trend"]
    # METR's rule keeps only positive doubling times: the point (69.23 d) falls below its own CI.
    assert round(trend["doubling_days"], 2) == 69.23
    assert [round(v, 2) for v in trend["doubling_days_ci"]] == [70.41, 295.53]
    assert "doubling_outside_ci" in trend["flags"]
    gpt35 = metr.agent("gpt-3.5-turbo-instruct")
    assert "p50_below_task_range" in gpt35.flags and gpt35.replicate_counts is not None
    assert gpt35.replicate_counts.all_failures == 150 and gpt35.replicate_counts.dropped == 150

    calibrated = analyze(metr_table, dates, AnalysisParams(missing_release_dates="exclude")).to_json()
    lo, hi = calibrated["trend"]["doubling_days_ci"]
    assert lo <= calibrated["trend"]["doubling_days"] <= hi
    assert "doubling_outside_ci" not in calibrated["trend"]["flags"]
    counted = next(a for a in calibrated["agents"] if a["agent"] == "gpt-3.5-turbo-instruct")
    assert counted["bootstrap"]["n_dropped"] == 0 and counted["p50_ci"][0] == 0


def test_population_horizon() -> None:
    assert population_horizon(10.0, -0.7, 0.0, 0.5) == pytest.approx(10.0)
    assert population_horizon(10.0, -0.7, 0.0, 0.8) == pytest.approx(10 * 2 ** (math.log(4) / -0.7))
    # Offsets flatten the population curve: the 80% point moves further below the p50.
    assert population_horizon(10.0, -0.7, 1.0, 0.8) < population_horizon(10.0, -0.7, 0.0, 0.8)
    assert population_horizon(10.0, -0.7, 1.0, 0.5) == pytest.approx(10.0)
    assert covers((1.0, math.inf), 5.0) and not covers((math.nan, 2.0), 1.0)


def _trend_study(seed: int, families: int, agents: int) -> tuple[RunTable, dict[str, date]]:
    rng = np.random.default_rng(seed)
    suite = synthetic_suite(rng, n_families=families, min_tasks=1, max_tasks=4)
    dates = {f"agent{i}": date(2022, 1, 1) + timedelta(days=120 * i) for i in range(agents)}
    truth = agents_on_trend(dates, 200.0, 30.0, date(2022, 9, 1), -0.7)
    return RunTable.from_frame(simulate_runs(suite, truth, 4, rng, 0.5, 0.5)), dates


def test_calibrate_reports_coverage_and_rejects_bad_settings() -> None:
    table, dates = _trend_study(3, 10, 3)
    params = preset_params("calibrated", n_bootstrap=20)
    report = calibrate(table, dates, params, 3, np.random.default_rng(0))
    assert report["simulated"] and report["n_simulations"] == 3
    assert report["coverage"]["p50"]["n"] == 3 * len(report["agents"])
    assert report["coverage"]["doubling_days"]["true_doubling_days"] is not None
    with pytest.raises(AnalysisInputError, match="simulations"):
        calibrate(table, dates, params, 0, np.random.default_rng(0))
    with pytest.raises(AnalysisInputError, match="bootstrap"):
        calibrate(table, dates, preset_params("calibrated", n_bootstrap=0), 3, np.random.default_rng(0))
    with pytest.raises(AnalysisInputError, match="SDs"):
        calibrate(table, dates, params, 3, np.random.default_rng(0), family_sd=-1)


@pytest.mark.slow
def test_recommended_preset_covers_about_95_percent() -> None:
    table, dates = _trend_study(0, 40, 5)
    report = calibrate(
        table, dates, preset_params("calibrated", n_bootstrap=200), 300, np.random.default_rng(1)
    )
    coverage = report["coverage"]
    print({k: (v["coverage"], v["n"]) for k, v in coverage.items()})
    for key in ("p50", "p80", "doubling_days"):
        assert 0.93 <= coverage[key]["coverage"] <= 0.97, key
