"""The whole pipeline: JSON shape, weights source, validation, degenerate agents."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisInputError
from analysis.report import AnalysisParams, analyze, run_analysis, run_trend
from analysis.table import RunTable
from analysis.trend import fit_trend, frontier_agents, parse_window
from tests.analysis.conftest import small_runs_frame

DATES = {"alpha": date(2023, 1, 1), "beta": date(2023, 6, 1), "gamma": date(2024, 1, 1)}
AGENT_KEYS = {
    "agent",
    "release_date",
    "n_runs",
    "n_tasks",
    "average",
    "coefficient",
    "intercept",
    "p50",
    "p50_ci",
    "p80",
    "p80_ci",
    "frontier",
}
TREND_KEYS = {"window", "agents", "doubling_days", "doubling_days_ci", "doubling_days_median"}
FAST = AnalysisParams(n_bootstrap=200)


def test_report_shape_and_values() -> None:
    report = run_analysis(small_runs_frame(), DATES, FAST)
    json.dumps(report, allow_nan=False)  # strict JSON: no NaN or inf anywhere
    assert set(report) >= {"params", "agents", "trend"}
    assert report["params"]["regularization"] == 0.1 and report["params"]["bootstrap"] == 200
    assert report["params"]["weights_source"] == "computed"
    assert [a["agent"] for a in report["agents"]] == ["alpha", "beta", "gamma"]
    for agent in report["agents"]:
        assert set(agent) >= AGENT_KEYS
        lo, hi = agent["p50_ci"]
        assert lo <= agent["p50"] and (hi is None or agent["p50"] <= hi)  # hi None: infinite
        assert agent["p80"] < agent["p50"]  # success falls with task length
        assert agent["bootstrap"]["n_nan_replicates"] >= 0
        assert len(agent["empirical_buckets"]) == 6
    alpha = report["agents"][0]
    assert alpha["n_runs"] == 13 and alpha["n_tasks"] == 6 and alpha["release_date"] == "2023-01-01"
    assert set(report["trend"]) >= TREND_KEYS
    assert report["trend"]["window"] == ["2019-01-01", None]
    frontier = [a["agent"] for a in report["agents"] if a["frontier"]]
    assert frontier == report["trend"]["agents"]


def test_the_p80_trend_has_its_own_frontier_line_and_bootstrap_ci() -> None:
    report = run_analysis(small_runs_frame(), DATES, FAST)
    p80 = {a["agent"]: a["p80"] for a in report["agents"]}
    trend80 = report["trend_p80"]
    assert set(trend80) >= TREND_KEYS and trend80["window"] == report["trend"]["window"]
    frontier = frontier_agents(p80, DATES, parse_window("2019-01-01:"))
    assert trend80["agents"] == frontier
    line = fit_trend([p80[a] for a in frontier], [DATES[a] for a in frontier])
    assert trend80["doubling_days"] == pytest.approx(line.doubling_days)
    assert trend80["n_samples"] > 0  # its interval comes from the replicates' p80s


def test_average_is_the_weighted_score() -> None:
    table = RunTable.from_frame(small_runs_frame())
    result = analyze(table, DATES, replace(FAST, n_bootstrap=0))
    beta = result.agent("beta")
    # beta: fam_a has 3 tasks, fam_b 2, fam_c 1; per-task success fractions 1, 1/2, 0 | 0, 0 | 1/2.
    raw = {"a": 1 / np.sqrt(3), "b": 1 / np.sqrt(2), "c": 1.0}
    expected = (raw["a"] * (1 + 0.5 + 0) + raw["c"] * 0.5) / (3 * raw["a"] + 2 * raw["b"] + raw["c"])
    assert beta.average == pytest.approx(expected)
    assert all(math.isnan(v) for v in beta.intervals[0.5])  # no bootstrap, no CI
    assert run_analysis(table, DATES, replace(FAST, n_bootstrap=0))["agents"][1]["p50_ci"] == [None, None]


def test_stored_weights_are_used_only_when_they_sum_to_one() -> None:
    frame = small_runs_frame()
    frame["invsqrt_task_weight"] = 1.0 / frame.groupby("alias")["alias"].transform("size")
    table = RunTable.from_frame(frame)
    assert (
        analyze(table, DATES, replace(FAST, n_bootstrap=0)).weights_source == "stored (invsqrt_task_weight)"
    )
    frame["invsqrt_task_weight"] = 0.5
    table = RunTable.from_frame(frame)
    assert analyze(table, DATES, replace(FAST, n_bootstrap=0)).weights_source == "computed"


def test_equal_weighting_and_regularization_change_the_fit() -> None:
    table = RunTable.from_frame(small_runs_frame())
    base = analyze(table, DATES, replace(FAST, n_bootstrap=0)).agent("alpha").fit
    equal = analyze(table, DATES, replace(FAST, n_bootstrap=0, weighting="equal")).agent("alpha").fit
    weak = analyze(table, DATES, replace(FAST, n_bootstrap=0, regularization=1e-5)).agent("alpha").fit
    assert equal.coefficient != base.coefficient
    assert abs(weak.coefficient) > abs(base.coefficient)


def test_partial_scoring_fits_the_continuous_score() -> None:
    table = RunTable.from_frame(small_runs_frame())
    result = analyze(table, DATES, replace(FAST, n_bootstrap=20, partial_scoring=True))
    binary = analyze(table, DATES, replace(FAST, n_bootstrap=0))
    for agent in result.agents:
        # score = 0.25 + 0.5 * binary, so the weighted average moves the same way.
        assert agent.average == pytest.approx(0.25 + 0.5 * binary.agent(agent.agent).average)
        assert abs(agent.fit.coefficient) < abs(binary.agent(agent.agent).fit.coefficient)


def test_extra_success_rates() -> None:
    report = run_analysis(small_runs_frame(), DATES, replace(FAST, extra_success_rates=(0.9, 0.25)))
    agent = report["agents"][0]
    assert set(agent["horizons"]) == {"p90", "p90_ci", "p25", "p25_ci"}
    assert agent["horizons"]["p90"] < agent["p80"] < agent["p50"] < agent["horizons"]["p25"]


def test_human_and_never_successful_agents() -> None:
    frame = small_runs_frame()
    human = frame[frame["alias"] == "gamma"].assign(alias="human")
    zero = frame[frame["alias"] == "beta"].assign(alias="zero", score_binarized=0)
    report = run_analysis(pd.concat([frame, human, zero]), {**DATES, "zero": date(2022, 1, 1)}, FAST)
    by_name = {a["agent"]: a for a in report["agents"]}
    assert by_name["human"]["release_date"] is None and not by_name["human"]["frontier"]
    assert "human" not in report["trend"]["excluded_agents"]
    never = by_name["zero"]
    assert never["fit_status"] == "all_failures" and never["coefficient"] is None and never["intercept"] == 0
    assert never["p50"] == 0 and never["p50_ci"] == [0, 0] and never["p80_ci"] == [0, 0]
    assert never["bootstrap"]["n_nan_replicates"] == 200


def test_single_run_agents_are_reported_and_the_others_fitted() -> None:
    frame = pd.concat([small_runs_frame(), small_runs_frame().iloc[:1].assign(alias="lonely")])
    report = run_analysis(frame, {**DATES, "lonely": date(2024, 1, 1)}, FAST)
    assert report["excluded_agents"] == {"lonely": "a single run cannot be fitted"}
    assert sorted(a["agent"] for a in report["agents"]) == ["alpha", "beta", "gamma"]
    without = run_analysis(small_runs_frame(), DATES, FAST)
    assert report == {**without, "excluded_agents": report["excluded_agents"]}


def test_only_unfittable_agents_is_an_input_error() -> None:
    frame = small_runs_frame().iloc[:1].assign(alias="lonely")
    with pytest.raises(AnalysisInputError, match="single run cannot be fitted: lonely"):
        run_analysis(frame, {"lonely": date(2024, 1, 1)}, FAST)


def test_unknown_release_dates() -> None:
    dates = {"alpha": DATES["alpha"]}
    with pytest.raises(AnalysisInputError, match="unknown release date for agent\\(s\\): beta, gamma"):
        run_analysis(small_runs_frame(), dates, FAST)
    report = run_analysis(small_runs_frame(), dates, replace(FAST, missing_release_dates="exclude"))
    assert report["trend"]["excluded_agents"] == {"beta": "no release date", "gamma": "no release date"}
    assert report["trend"]["agents"] == ["alpha"] and report["trend"]["doubling_days"] is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"regularization": 0.0}, "regularization"),
        ({"n_bootstrap": -1}, "bootstrap"),
        ({"confidence": 1.0}, "confidence"),
        ({"solver": "magic"}, "solver"),
        ({"weighting": "cubic"}, "weighting"),
    ],
)
def test_invalid_parameters(change: dict[str, object], message: str) -> None:
    with pytest.raises(AnalysisInputError, match=message):
        run_analysis(small_runs_frame(), DATES, replace(FAST, **change))  # type: ignore[arg-type]


def test_progress_is_reported() -> None:
    seen: list[int] = []
    run_analysis(small_runs_frame(), DATES, FAST, progress=lambda done, total: seen.append(done))
    assert seen and seen[-1] == 200


def test_sklearn_solver_pipeline_runs() -> None:
    report = run_analysis(small_runs_frame(), DATES, replace(FAST, solver="sklearn", n_bootstrap=10))
    fast = run_analysis(small_runs_frame(), DATES, replace(FAST, n_bootstrap=0))
    for compat, exact in zip(report["agents"], fast["agents"], strict=True):
        assert compat["p50"] == pytest.approx(exact["p50"], rel=0.02)


def test_run_trend_requires_dates_unless_allowed() -> None:
    p50 = {"a": 1.0, "b": 2.0, "c": 4.0, "human": 100.0}
    dates = {"a": date(2020, 1, 1), "b": date(2021, 1, 1)}
    with pytest.raises(AnalysisInputError, match="unknown release date for agent\\(s\\): c"):
        run_trend(p50, dates)
    trend = run_trend(p50, dates, allow_missing_dates=True)
    assert trend["agents"] == ["a", "b"] and trend["excluded_agents"] == {"c": "no release date"}
    assert trend["doubling_days"] == pytest.approx(366.0)
