"""Flags next to the numbers, forecasts on the trend chart, the compare page, and the trend shape,
per-family horizons and human-time note under the chart (issue 15, part 8)."""

from __future__ import annotations

import copy
import datetime as dt
import math
import statistics
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from analysis.flags import FLAG_TEXT
from analysis.forecast import forecast_json
from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
from analysis.trend import DateWindow
from tests.web.conftest import RELEASES, simulated_report, store_result
from tests.web.test_dashboard import figure, trace
from web.format import minutes
from web.sections import TrendShape


def test_flags_are_shown_next_to_their_numbers_with_meaning_and_counts(client: TestClient) -> None:
    report = simulated_report()
    agent = report["agents"][0]
    agent["flags"] = ["p50_below_task_range", "p80_outside_ci", "replicate_positive_slopes"]
    report["flags"] = {"p50_below_task_range": 1, "p80_outside_ci": 1, "replicate_positive_slopes": 1}
    agent["bootstrap"]["n_positive_slope"] = 7
    store_result(report)

    page = client.get("/").text
    row = page.split(f'href="/agents/{agent["agent"]}"')[1].split("</tr>")[0]
    cells = row.split("<td")
    p50_ci, p80_ci, fit_flags = cells[3], cells[5], cells[-1]
    assert "p50 below task range" in p50_ci and "p80" not in p50_ci
    assert "p80 outside ci" in p80_ci
    assert "replicate positive slopes" in fit_flags
    assert f'title="{FLAG_TEXT["p50_below_task_range"]}"' in row
    legend = page.split('id="flag-legend"')[1].split("</ul>")[0]
    for code in report["flags"]:
        assert FLAG_TEXT[code].replace("(", "").split(" ")[0] in legend
    assert "<strong>1</strong> agent(s) or trend: " + FLAG_TEXT["p80_outside_ci"] in legend

    agent_page = client.get(f"/agents/{agent['agent']}").text
    assert "p50 below task range" in agent_page.split('id="p50-flags"')[1].split("</div>")[0]
    assert "p80 outside ci" in agent_page.split('id="p80-flags"')[1].split("</div>")[0]
    legend = agent_page.split('id="agent-flag-legend"')[1].split("</ul>")[0]
    assert FLAG_TEXT["replicate_positive_slopes"] + " (7 of 60 replicates)" in legend


def test_flags_from_submitted_results_are_bounded_and_escaped(client: TestClient) -> None:
    report = simulated_report()
    report["agents"][0]["flags"] = ["<script>x</script>", 7, None, "p50_" + "x" * 500] + [
        "p50_outside_ci"
    ] * 100
    report["flags"] = {"<b>bold</b>": 2, "p50_outside_ci": "many"}
    store_result(report)
    page = client.get("/")
    assert page.status_code == 200
    assert "<script>x</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "x" * 500 not in page.text
    assert page.text.count("p50 outside ci") <= 41  # 40 badges at most, plus none in the legend
    assert "a flag this version does not know" in page.text


def test_unbounded_doubling_ci_is_shown_as_such(client: TestClient) -> None:
    report = simulated_report()
    trend = report["trend"]
    trend["doubling_days_ci"] = [61.4, None]
    trend["doubling_days_ci_unbounded"] = True
    trend["flags"] = ["doubling_ci_unbounded"]
    store_result(report)
    page = client.get("/").text
    assert "CI [61, ∞) days" in page.split('id="doubling-ci"')[1].split("</div>")[0]
    assert "doubling ci unbounded" in page.split('id="trend-flags"')[1].split("</div>")[0]
    fig = figure(page, "trend-plot")
    assert "(95% CI [61, ∞))" in fig["layout"]["title"]["text"]
    # The band's edges are the line with the CI's finite doubling time and a flat line (an
    # infinite one), both through the frontier's centroid: one edge is constant at every point.
    lower = trace(fig, "doubling-time 95% CI")["y"]
    upper = trace(fig, "trend CI upper")["y"]
    flat = lower[-1]  # after the centroid the flat line is the lower edge, before it the upper
    assert math.isclose(upper[0], flat, rel_tol=1e-9)
    steep = []
    for lo, hi in zip(lower, upper, strict=True):
        assert math.isclose(lo, flat, rel_tol=1e-9) or math.isclose(hi, flat, rel_tol=1e-9)
        steep.append(hi if math.isclose(lo, flat, rel_tol=1e-9) else lo)
    x0, x1 = (dt.date.fromisoformat(trace(fig, "trend CI upper")["x"][i]) for i in (0, -1))
    assert math.isclose(math.log(steep[-1] / steep[0]) / (x1 - x0).days, math.log(2) / 61.4, rel_tol=1e-3)


def test_forecast_line_band_and_dates_on_the_dashboard(client: TestClient) -> None:
    report = simulated_report()
    store_result(report)
    page = client.get("/").text
    fig = figure(page, "trend-plot")
    p50 = {a["agent"]: a["p50"] for a in report["agents"] if a["p50"] is not None}
    after, before = (dt.date.fromisoformat(d) if d else None for d in report["params"]["window"])
    expected = forecast_json(p50, RELEASES, DateWindow(after, before))
    assert expected["targets"], "five agents on a trend give a forecast"

    extended = trace(fig, "trend extended")
    last = max(RELEASES.values())
    assert extended["x"][0] == last.isoformat()
    band = trace(fig, "forecast, 95% predictive band")
    assert band["fill"] == "tonexty"
    upper = trace(fig, "forecast band upper")
    # The predictive band holds the line and widens with distance from the data.
    for lo, mid, hi in zip(band["y"], extended["y"], upper["y"], strict=True):
        assert lo < mid < hi
    assert upper["y"][-1] / band["y"][-1] > upper["y"][0] / band["y"][0]

    table = page.split('id="forecast-table"')[1].split("</table>")[0]
    for target in expected["targets"]:
        assert target["label"] in table
        if target["date"]:
            assert target["date"] in table
        lo, hi = target["interval"]
        assert f"{lo or 'unbounded'} to {hi or 'unbounded'}" in table
    markers = trace(fig, "target reached (forecast)")
    shown = dict(zip(markers["text"], markers["x"], strict=True))
    for target in expected["targets"]:
        if target["label"] in shown:
            assert shown[target["label"]] == target["date"]
    # The y axis reaches the targets drawn.
    assert 10 ** fig["layout"]["yaxis"]["range"][1] >= max(markers["y"])


def test_forecast_needs_three_frontier_agents(client: TestClient) -> None:
    two = {k: RELEASES[k] for k in ("agent-2020", "agent-2024")}
    store_result(simulated_report(releases=two))
    page = client.get("/").text
    assert "forecast-table" not in page
    assert "fewer than 3 frontier agents" in page.split('id="forecast-note"')[1]
    assert "trend extended" not in page


# ---------------------------------------------------------------- compare page


def import_simulated_runs(ratio: float = 4.0) -> None:
    """Two agents (and a third) with known horizons on one simulated suite, imported as runs."""
    from core.db import session_scope
    from core.services.imports import import_runs

    rng = np.random.default_rng(3)
    suite = synthetic_suite(rng, n_families=16, max_minutes=960)
    dates = {"strong": dt.date(2024, 6, 1), "weak": dt.date(2023, 6, 1), "other": dt.date(2022, 6, 1)}
    agents = agents_on_trend(
        dates, doubling_days=365 / math.log2(ratio), anchor_p50=30.0, anchor_date=dates["strong"]
    )
    frame = simulate_runs(suite, agents, repeats=4, rng=rng)
    with session_scope() as s:
        import_runs(s, frame, "simulated", dates)


def test_compare_page_shows_ratio_ci_probability_and_shared_tasks(client: TestClient) -> None:
    import_simulated_runs()
    empty = client.get("/compare")
    assert empty.status_code == 200
    for name in ("strong", "weak", "other"):
        assert f'<option value="{name}"' in empty.text
    page = client.get("/compare?a=strong&b=weak")
    assert page.status_code == 200
    assert '<option value="strong" selected' in page.text.split('id="agent-a"')[1].split("</select>")[0]
    api = client.get("/api/analyses/compare", params={"a": "strong", "b": "weak"}).json()
    table = page.text.split('id="compare-table"')[1].split("</table>")[0]
    for key in ("p50", "p80"):
        e = api["estimates"][key]
        assert f"{e['ratio']:.3g}" in table
        assert f"[{e['ratio_ci'][0]:.3g}, {e['ratio_ci'][1]:.3g}]" in table
        assert f"{100 * e['prob_a_longer']:.0f}%" in table
    assert api["shared_tasks"] > 10
    assert f'id="shared-tasks">{api["shared_tasks"]}<' in page.text
    assert "1000 joint bootstrap replicates" in page.text
    # A known ratio of 4 (a year at a 6-month doubling) is inside the interval, which excludes 1.
    lo, hi = api["estimates"]["p50"]["ratio_ci"]
    assert lo < 4 < hi and lo > 1
    assert "A longer" in table


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("a=strong&b=nobody", 404, "no agent named &#39;nobody&#39;"),
        ("a=strong&b=strong", 422, "compare two different agents"),
        ("a=strong", 422, "Choose two agents"),
        ("a=" + "x" * 300 + "&b=weak", 422, "at most 200 characters"),
    ],
)
def test_compare_page_refuses_bad_choices_on_the_page(
    client: TestClient, query: str, status: int, text: str
) -> None:
    import_simulated_runs()
    page = client.get("/compare?" + query)
    assert page.status_code == status
    assert text in page.text
    assert 'id="compare-form"' in page.text and "compare-table" not in page.text


def test_compare_page_uses_the_stored_analysis_settings(client: TestClient) -> None:
    import_simulated_runs()
    report = copy.deepcopy(simulated_report())
    report["params"]["regularization"] = 1e-5
    store_result(report)
    page = client.get("/compare?a=strong&b=weak").text
    assert "Regularization 1e-05" in page


def _report_with_sources(n_bootstrap: int = 40) -> dict[str, Any]:
    """A real report of simulated runs where the first four families' times are estimates."""
    from analysis.report import AnalysisParams, run_analysis

    rng = np.random.default_rng(4)
    suite = synthetic_suite(rng, n_families=16, max_minutes=960)
    agents = agents_on_trend(RELEASES, doubling_days=200, anchor_p50=30.0, anchor_date=dt.date(2023, 1, 1))
    runs = simulate_runs(suite, agents, repeats=4, rng=rng)
    estimated = sorted(set(runs["task_family"]))[:4]
    runs["human_source"] = np.where(runs["task_family"].isin(estimated), "estimate", "baseline")
    return run_analysis(runs, RELEASES, AnalysisParams(n_bootstrap=n_bootstrap))


def test_trend_shape_families_and_human_times_on_the_dashboard(client: TestClient) -> None:
    report = _report_with_sources()
    store_result(report)
    page = client.get("/").text

    shape = report["trend_shape"]
    line = page.split('id="trend-shape"')[1].split("</p>")[0]
    assert f"over the {shape['n']} frontier agents, p = {shape['p_value']:.2g}:" in line
    verdict = "not a straight line in log scale" if shape["rejects_exponential"] else "no evidence against"
    assert verdict in line
    table = page.split('id="shape-forecasts"')[1].split("</table>")[0]
    for exp, quad in zip(shape["forecasts"]["exponential"], shape["forecasts"]["quadratic"], strict=True):
        line_date, curve_date = exp["date"] or "never", quad["date"] or "never"
        cells = f'<td class="nowrap">{line_date}</td><td class="nowrap">{curve_date}</td>'
        assert f"<td>{exp['label']}</td>{cells}" in table

    # The newest frontier agent's families by default, sorted by pooled horizon, with intervals.
    newest = max(report["trend"]["agents"], key=lambda a: RELEASES[a])
    head = page.split('id="families-head"')[1].split("</h3>")[0]
    assert newest in head
    fams = next(a for a in report["families"]["agents"] if a["agent"] == newest)["families"]
    rows = page.split('id="families-table"')[1].split("</tbody>")[0].split("<tr>")[2:]
    assert len(rows) == len(fams)
    ordered = sorted(fams, key=lambda f: (f["pooled"] is None, f["pooled"] or 0.0, f["family"]))
    for row, fam in zip(rows, ordered, strict=True):
        assert f"<td>{fam['family']}</td>" in row
        assert minutes(fam["pooled"]) in row and f"{minutes(fam['ci'][0])} – {minutes(fam['ci'][1])}" in row
    other = min(report["trend"]["agents"], key=lambda a: RELEASES[a])
    picked = client.get("/", params={"family_agent": other}).text
    assert other in picked.split('id="families-head"')[1].split("</h3>")[0]
    assert client.get("/", params={"family_agent": "x" * 300}).status_code == 422

    human = report["human_time"]
    note = page.split('id="human-time-note"')[1].split("</p>")[0]
    assert f"{human['n_estimate_tasks']} of {human['n_tasks']} tasks have an estimated time" in note
    ratios = [a["ratio"] for a in human["sensitivity"]["agents"] if a["ratio"] is not None]
    median, low, high = statistics.median(ratios), min(ratios), max(ratios)
    assert f"factor of {median:.3g} ({low:.3g} to {high:.3g} across {len(ratios)} agents)" in note


def test_sections_from_submitted_results_are_bounded_and_escaped(client: TestClient) -> None:
    report = simulated_report()
    report["trend_shape"] = {"p_value": "low", "note": "<script>x</script>" * 100}
    report["families"] = {
        "agents": [
            {"agent": "<b>a</b>", "families": [{"family": "f" * 5000, "pooled": "x", "ci": [1]}] * 900}
        ]
        + ["junk"] * 5,
        "confidence": 7,
    }
    report["human_time"] = {"n_tasks": -3, "n_estimate_tasks": 2**70, "sensitivity": {"agents": "none"}}
    store_result(report)
    page = client.get("/")
    assert page.status_code == 200
    assert "<script>x</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "<b>a</b>" not in page.text and "f" * 201 not in page.text
    assert page.text.split('id="families-table"')[1].split("</tbody>")[0].count("<tr>") <= 501


def test_results_without_sections_show_no_sections_panel(client: TestClient) -> None:
    report = simulated_report()
    for key in ("trend_shape", "families", "human_time"):
        report.pop(key)
    store_result(report)
    page = client.get("/")
    assert page.status_code == 200 and 'id="beyond-metr"' not in page.text


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        ({"p_value": 0.01, "rejects_exponential": True, "curvature_doublings": 2.6}, "bends 2.6 doublings"),
        ({"p_value": 0.01, "rejects_exponential": True, "curvature_doublings": -1.0}, "(slowing down)"),
        (
            {"p_value": 0.4, "power": [{"bend_doublings": 2.0, "rejection_rate": 0.09}]},
            "miss most real bends",
        ),
        ({"p_value": 0.4, "power": [{"bend_doublings": 2.0, "rejection_rate": 0.9}]}, "90% of the time"),
        ({"metric": "p50", "note": "too few points"}, "not tested: too few points"),
    ],
)
def test_trend_shape_verdict_in_words(shape: dict[str, Any], words: str) -> None:
    parsed = TrendShape.from_json(shape, 0.95)
    assert parsed is not None and words in parsed.meaning
