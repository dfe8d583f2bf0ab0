"""Exponential vs curved trend: calibration under the null, power, forecasts (method s. 11)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import AnalysisInputError
from analysis.published import read_published_horizons
from analysis.trend import parse_window
from analysis.trend_shape import bootstrap_p_value, null_calibration, rejection_rate, trend_shape_json

T = np.linspace(-1.0, 1.0, 12)


def test_false_rejections_near_five_percent() -> None:
    rate = null_calibration(T, sd=0.5, n_datasets=4000, n_null=999, rng=np.random.default_rng(1))
    assert 0.04 <= rate <= 0.06


def test_per_data_set_bootstrap_is_calibrated() -> None:
    """The full procedure (a fresh null bootstrap for each data set) on data from a line."""
    rng = np.random.default_rng(2)
    p = [bootstrap_p_value(T, 0.3 * T + 0.4 * rng.standard_normal(T.size), 199, rng)[1] for _ in range(600)]
    assert 0.03 <= float(np.mean(np.array(p) <= 0.05)) <= 0.075


def test_power_grows_with_the_bend() -> None:
    rng = np.random.default_rng(3)
    rates = [rejection_rate(T, 0.5, bend, 1000, 999, rng, 0.05) for bend in (0.0, 1.0, 3.0)]
    assert rates[0] < rates[1] < rates[2] and rates[2] > 0.9


def _dates(n: int) -> dict[str, date]:
    return {f"m{i}": date(2020, 1, 1) + timedelta(days=120 * i) for i in range(n)}


def test_line_not_rejected_and_forecasts_side_by_side() -> None:
    dates = _dates(10)
    rng = np.random.default_rng(4)
    values = {a: 2.0 ** (i * 0.6 + rng.normal(0, 0.3)) for i, a in enumerate(dates)}
    report = trend_shape_json(values, dates, parse_window(None), n_null=499, n_power=200, seed=1)
    assert report["n"] >= 5 and 0 <= report["p_value"] <= 1
    assert [f["label"] for f in report["forecasts"]["quadratic"]] == [
        f["label"] for f in report["forecasts"]["exponential"]
    ]
    assert report["power"][0]["bend_doublings"] == 0.0


def test_too_few_points_and_oversized_requests_are_input_errors() -> None:
    dates = _dates(4)
    values = {a: 2.0**i for i, a in enumerate(dates)}
    with pytest.raises(AnalysisInputError, match="at least 5 frontier agents"):
        trend_shape_json(values, dates, parse_window(None))
    with pytest.raises(AnalysisInputError, match="replicates"):
        trend_shape_json(values, dates, parse_window(None), n_null=10**7)
    with pytest.raises(AnalysisInputError, match="bends"):
        trend_shape_json(values, dates, parse_window(None), bends=[float("nan")])


def test_metr_th11_frontier_bends_upward(metr_dir: Path) -> None:
    """METR's TH1.1 headline file (2026-03-03): the frontier's growth is faster than exponential."""
    data = read_published_horizons(metr_dir / "benchmark_results_1_1_2026-03-03_postfix.yaml")
    report = trend_shape_json(
        data.metric("p50"), data.release_dates, parse_window(None), n_null=999, n_power=200
    )
    assert report["rejects_exponential"] and report["curvature_doublings"] > 1
