"""Forecasts and backtests (analysis/forecast.py) and the published-horizons reader."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import AnalysisInputError
from analysis.forecast import backtest_json, check_targets, forecast_json, frontier_trend
from analysis.published import read_published_horizons
from analysis.trend import DateWindow, days_since_epoch, parse_window

TH1_HEADLINE = "benchmark_results_1_0_2026-01-30_prefix.yaml"
START = date(2020, 1, 1)


def _on_trend(doubling: float, n: int, noise: list[float]) -> tuple[dict[str, float], dict[str, date]]:
    """n agents 100 days apart, p50 = 1 min at START doubling every `doubling` days, times 2**noise."""
    values, dates = {}, {}
    for i in range(n):
        day = START + timedelta(days=100 * i)
        values[f"m{i}"] = 2 ** ((day - START).days / doubling + noise[i])
        dates[f"m{i}"] = day
    return values, dates


def test_dates_on_an_exact_trend() -> None:
    values, dates = _on_trend(200.0, 6, [0, 0.01, -0.01, 0, 0.01, -0.01])
    report = forecast_json(values, dates, DateWindow(), targets=[("1 work-day", 8.0)])
    target = report["targets"][0]
    expected = START + timedelta(days=round(200 * math.log2(480)))
    assert abs((date.fromisoformat(target["date"]) - expected).days) <= 10
    lo, hi = (date.fromisoformat(v) for v in target["interval"])
    assert lo < date.fromisoformat(target["date"]) < hi
    assert report["doubling_days"] == pytest.approx(200, rel=0.01)


def test_predictive_interval_includes_the_scatter_and_covers_new_agents() -> None:
    """Simulated trends with normal scatter: the next agent falls in the 95% predictive interval
    about 95% of the time; the line-only interval covers far less."""
    rng = np.random.default_rng(7)
    covered, line_covered = [], []
    for _ in range(400):
        values, dates = _on_trend(200.0, 9, list(rng.normal(0, 0.5, 9)))
        last = "m8"
        fitted = {a: v for a, v in values.items() if a != last}
        trend = frontier_trend(fitted, dates, DateWindow())
        if trend is None:
            continue
        day = days_since_epoch(dates[last])
        error = abs(math.log(values[last]) - trend.centre(day))
        covered.append(error <= trend.half_width(day, 0.95))
        line_covered.append(error <= trend.half_width(day, 0.95, line_only=True))
    # The frontier rule keeps agents above the running maximum, so only the bulk is checked.
    assert 0.88 <= np.mean(covered) <= 0.99
    assert np.mean(line_covered) < np.mean(covered) - 0.1


def test_a_flat_trend_leaves_a_side_unbounded() -> None:
    values, dates = _on_trend(5000.0, 4, [0, 1.5, 0.2, 1.8])
    target = forecast_json(values, dates, DateWindow(), targets=[("x", 8.0)])["targets"][0]
    assert None in target["interval"]


def test_too_few_frontier_agents_give_a_note() -> None:
    values, dates = _on_trend(200.0, 2, [0, 0])
    report = forecast_json(values, dates, DateWindow())
    assert report["targets"] == [] and "fewer than" in report["note"]


@pytest.mark.parametrize("hours", [[-1.0], [math.nan], [math.inf], [1.0] * 13])
def test_bad_targets_are_refused(hours: list[float]) -> None:
    with pytest.raises(AnalysisInputError):
        check_targets(hours)


def test_backtest_needs_a_closed_window() -> None:
    values, dates = _on_trend(200.0, 6, [0] * 6)
    with pytest.raises(AnalysisInputError, match="end date"):
        backtest_json(values, dates, DateWindow(START, None))


def test_backtest_on_metr_th1_headline(metr_dir: Path) -> None:
    """Fit METR's paper window, score the six later frontier models of the TH1.0 headline file."""
    data = read_published_horizons(metr_dir / TH1_HEADLINE)
    report = backtest_json(data.p50, data.release_dates, parse_window("paper"))
    assert [s["agent"] for s in report["scored"]] == [
        "o3",
        "grok_4",
        "claude_4_1_opus",
        "gpt_5",
        "gpt_5_1_codex_max",
        "claude_opus_4_5",
    ]
    assert report["doubling_days"] == pytest.approx(212, abs=2)
    assert report["coverage"] == pytest.approx(5 / 6)  # Claude Opus 4.5 lies above its interval
    assert report["line_only_coverage"] == 0.0
    assert report["mean_error_doublings"] > 0.5  # later models beat the paper-era trend


def test_published_yaml_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("results:\n  m:\n    metrics:\n      p50_horizon_length: {estimate: -3}\n")
    with pytest.raises(AnalysisInputError, match="non-negative"):
        read_published_horizons(bad)
    bad.write_text("just text\n")
    with pytest.raises(AnalysisInputError, match="results"):
        read_published_horizons(bad)
    bad.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
    )
    with pytest.raises(AnalysisInputError, match="cannot parse"):
        read_published_horizons(bad)
