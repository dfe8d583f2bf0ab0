"""The report's sections beyond METR's method: trend shape, families, human-time sources.

Each section must carry exactly what its estimator gives on the same inputs, leave the main numbers
alone, follow its switches, and say why when it cannot be computed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisInputError
from analysis.family_horizons import family_horizons
from analysis.human_time_uncertainty import without_estimates
from analysis.report import AnalysisParams, analyze, run_analysis
from analysis.report_sections import SHAPE_NULL_REPLICATES, SHAPE_POWER_REPLICATES
from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
from analysis.table import RunTable
from analysis.trend_shape import trend_shape_json

RELEASES = {
    "m2020": date(2020, 3, 1),
    "m2021": date(2021, 2, 1),
    "m2022a": date(2022, 1, 1),
    "m2022b": date(2022, 10, 1),
    "m2023": date(2023, 8, 1),
    "m2024": date(2024, 6, 1),
}
PARAMS = AnalysisParams(n_bootstrap=40)
ESTIMATED_FAMILIES = 5


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """Six agents on a 200-day doubling over 20 families; the first five families' times are
    estimates, the rest baselines."""
    rng = np.random.default_rng(8)
    suite = synthetic_suite(rng, n_families=20, max_minutes=960)
    agents = agents_on_trend(RELEASES, doubling_days=200, anchor_p50=30.0, anchor_date=date(2023, 1, 1))
    runs = simulate_runs(suite, agents, repeats=4, rng=rng)
    estimated = sorted(set(runs["task_family"]))[:ESTIMATED_FAMILIES]
    runs["human_source"] = np.where(runs["task_family"].isin(estimated), "estimate", "baseline")
    return runs


def test_sections_carry_their_estimators_values(frame: pd.DataFrame) -> None:
    report = run_analysis(frame, RELEASES, PARAMS)
    json.dumps(report, allow_nan=False)
    table = RunTable.from_frame(frame)
    core = analyze(table, RELEASES, PARAMS)
    p50 = {a.agent: a.horizons[0.5] for a in core.agents}

    shape = report["trend_shape"]
    expected = trend_shape_json(
        p50,
        RELEASES,
        PARAMS.window,
        confidence=PARAMS.confidence,
        n_null=SHAPE_NULL_REPLICATES,
        n_power=SHAPE_POWER_REPLICATES,
        seed=PARAMS.seed,
    )
    assert shape["metric"] == "p50" and shape["agents"] == report["trend"]["agents"]
    assert shape["statistic"] == expected["statistic"] and shape["p_value"] == expected["p_value"]
    assert 0 < shape["p_value"] <= 1
    assert shape["forecasts"] == expected["forecasts"]
    assert [t["label"] for t in shape["forecasts"]["quadratic"]] == [
        "1 work-day",
        "1 work-week",
        "1 work-month",
    ]

    families = report["families"]
    frontier = report["trend"]["agents"]
    assert families["agents_chosen"] == "frontier"
    assert [a["agent"] for a in families["agents"]] == sorted(frontier)
    want = family_horizons(table.select(np.isin(table.agent, frontier)), 0.5, PARAMS.confidence)
    assert {k: v for k, v in families.items() if k != "agents_chosen"} == want
    assert families["n_families"] == 20
    row = families["agents"][0]["families"][0]
    assert row["ci"][0] <= row["pooled"] <= row["ci"][1]

    human = report["human_time"]
    n_estimated = len(set(frame.loc[frame["human_source"] == "estimate", "task_id"]))
    assert human["n_tasks"] == frame["task_id"].nunique()
    assert human["n_estimate_tasks"] == n_estimated > 0
    assert human["n_baseline_tasks"] == human["n_tasks"] - n_estimated
    assert human["n_unknown_source_tasks"] == 0 and human["has_sources"] and human["note"] is None
    sens = human["sensitivity"]
    refit = analyze(without_estimates(table), RELEASES, replace(PARAMS, n_bootstrap=0))
    assert sens["bootstrap"] == 0 and sens["n_estimate_tasks"] == n_estimated
    for entry, agent in zip(sens["agents"], report["agents"], strict=True):
        assert entry["agent"] == agent["agent"] and entry["p50"] == agent["p50"]
        assert entry["p50_baselined_only"] == refit.agent(agent["agent"]).horizons[0.5]
        assert entry["ratio"] == pytest.approx(entry["p50_baselined_only"] / entry["p50"])
        assert entry["p50_baselined_only_ci"] == [None, None]  # point refit: no bootstrap
    assert sens["doubling_days"] == report["trend"]["doubling_days"]
    assert sens["doubling_days_baselined_only"] == refit.trend.doubling_days


def test_sections_leave_the_main_numbers_alone(frame: pd.DataFrame) -> None:
    report = run_analysis(frame, RELEASES, PARAMS)
    plain = analyze(RunTable.from_frame(frame), RELEASES, PARAMS).to_json()
    assert set(report) - set(plain) == {"trend_shape", "families", "human_time"}
    for key in plain:
        assert report[key] == plain[key], key


def test_switches(frame: pd.DataFrame) -> None:
    off = run_analysis(
        frame, RELEASES, replace(PARAMS, trend_shape=False, family_horizons=False, estimate_refit="off")
    )
    assert off["trend_shape"] is None and off["families"] is None
    assert off["human_time"]["sensitivity"] is None and "not asked for" in off["human_time"]["note"]
    assert off["params"]["estimate_refit"] == "off" and off["params"]["trend_shape"] is False

    every = run_analysis(
        frame, RELEASES, replace(PARAMS, family_agents="all", estimate_refit="bootstrap", n_bootstrap=30)
    )
    assert [a["agent"] for a in every["families"]["agents"]] == sorted(RELEASES)
    sens = every["human_time"]["sensitivity"]
    assert sens["bootstrap"] == 30
    for entry in sens["agents"]:
        lo, hi = entry["p50_baselined_only_ci"]
        assert lo is not None and hi is not None and lo <= hi

    with pytest.raises(AnalysisInputError, match="estimate_refit"):
        run_analysis(frame, RELEASES, replace(PARAMS, estimate_refit="sometimes"))  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="family_agents"):
        run_analysis(frame, RELEASES, replace(PARAMS, family_agents="best"))  # type: ignore[arg-type]


def test_sections_say_why_they_are_empty(frame: pd.DataFrame) -> None:
    few = {k: v for k, v in RELEASES.items() if k in ("m2020", "m2022a", "m2024")}
    small = frame[frame["agent"].isin(few)].drop(columns=["human_source"])
    report = run_analysis(small, few, PARAMS)
    assert "at least 5 frontier agents" in report["trend_shape"]["note"]
    human = report["human_time"]
    assert human["has_sources"] is False and human["n_unknown_source_tasks"] == human["n_tasks"]
    assert human["n_estimate_tasks"] == human["n_tasks"] and human["sensitivity"] is None
    assert "no task has a time from people" in human["note"]

    baselined = run_analysis(frame.assign(human_source="baseline"), RELEASES, PARAMS)["human_time"]
    assert baselined["n_estimate_tasks"] == 0 and baselined["sensitivity"] is None
    assert "nothing to refit" in baselined["note"]

    # Blank sources count as estimates, and are counted apart.
    blank = frame.assign(human_source=frame["human_source"].replace("estimate", ""))
    human = run_analysis(blank, RELEASES, replace(PARAMS, n_bootstrap=0))["human_time"]
    assert human["n_unknown_source_tasks"] == human["n_estimate_tasks"] > 0
