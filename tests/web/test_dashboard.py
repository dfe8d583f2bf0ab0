"""The dashboard and agent pages read stored analyses (real `run_analysis` output) correctly."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import math
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from analysis.trend import DateWindow, analyze_trend
from core.models import Run
from tests.factories import make_agent, make_task
from tests.web.conftest import RELEASES, simulated_report, store_result

FIGURE_RE = re.compile(r'id="(?P<id>[\w-]+)" class="plot" data-figure="(?P<json>[^"]*)"')


def figure(page: str, plot_id: str) -> dict[str, Any]:
    for match in FIGURE_RE.finditer(page):
        if match.group("id") == plot_id:
            parsed: dict[str, Any] = json.loads(html.unescape(match.group("json")))
            return parsed
    raise AssertionError(f"no plot {plot_id} on the page")


def trace(fig: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [t for t in fig["data"] if t.get("name") == name]
    assert found, f"no trace {name!r}: {[t.get('name') for t in fig['data']]}"
    return found[0]


def test_dashboard_without_analysis_says_so(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "No analysis is stored yet" in page.text
    assert "data-figure" not in page.text


def test_dashboard_plots_stored_horizons_cis_frontier_and_trend(client: TestClient) -> None:
    report = simulated_report()
    store_result(report)
    page = client.get("/")
    assert page.status_code == 200
    fig = figure(page.text, "trend-plot")
    agents = {a["agent"]: a for a in report["agents"]}
    frontier = report["trend"]["agents"]
    assert frontier, "the simulated agents are on a trend, so some are on the frontier"

    points = trace(fig, "Frontier")
    shown = [row[0] for row in points["customdata"]]
    assert sorted(shown) == sorted(frontier)
    for name, y, plus, minus in zip(
        shown, points["y"], points["error_y"]["array"], points["error_y"]["arrayminus"], strict=True
    ):
        lo, hi = agents[name]["p50_ci"]
        assert y == agents[name]["p50"]
        assert math.isclose(y + plus, hi) and math.isclose(y - minus, lo)
    assert points["x"] == [agents[n]["release_date"] for n in shown]

    # The drawn line doubles every `doubling_days` (the stored figure) and the title says so with its CI.
    line = trace(fig, "exponential trend")
    x0, x1 = (dt.date.fromisoformat(line["x"][i]) for i in (0, -1))
    y0, y1 = line["y"][0], line["y"][-1]
    doubling = math.log(2) * (x1 - x0).days / math.log(y1 / y0)
    stored = report["trend"]["doubling_days"]
    assert math.isclose(doubling, stored, rel_tol=1e-3)
    lo, hi = report["trend"]["doubling_days_ci"]
    assert fig["layout"]["title"]["text"] == f"Doubling time: {stored:.0f} days (95% CI {lo:.0f}–{hi:.0f})"
    assert trace(fig, "doubling-time 95% CI")["fill"] == "tonexty"
    assert fig["layout"]["yaxis"]["type"] == "log"
    # The hover names agent, horizon, CI and runs.
    assert all(k in points["hovertemplate"] for k in ("customdata[0]", "CI", "runs"))
    assert "Not up to date" not in page.text and "may be out of date" not in page.text


def test_p80_view(client: TestClient) -> None:
    report = simulated_report()
    store_result(report)
    fig = figure(client.get("/?metric=p80").text, "trend-plot")
    agents = {a["agent"]: a for a in report["agents"]}
    plotted = [t for t in fig["data"] if t.get("mode") == "markers"]
    for t in plotted:
        for row, y in zip(t["customdata"], t["y"], strict=True):
            assert y == agents[row[0]]["p80"]
    # The stored p80 trend (its own frontier and bootstrap CI) is drawn, not a point estimate.
    stored = report["trend_p80"]
    lo, hi = stored["doubling_days_ci"]
    title = fig["layout"]["title"]["text"]
    assert title == f"Doubling time: {stored['doubling_days']:.0f} days (95% CI {lo:.0f}–{hi:.0f})"
    # A result stored before p80 trends were fitted still shows a point estimate.
    report.pop("trend_p80")
    store_result(report)
    older = figure(client.get("/?metric=p80").text, "trend-plot")
    assert "point estimate" in older["layout"]["title"]["text"]


def test_date_window_selection(client: TestClient) -> None:
    report = simulated_report()
    store_result(report)
    page = client.get("/?window=custom&after=2022-01-01&before=")
    fig = figure(page.text, "trend-plot")
    plotted = {row[0] for t in fig["data"] if t.get("mode") == "markers" for row in t["customdata"]}
    assert plotted == {a for a, d in RELEASES.items() if d >= dt.date(2022, 1, 1)}
    assert "released outside the window" in page.text
    # The window's trend is the method's point estimate over the stored p50s.
    p50 = {a["agent"]: a["p50"] for a in report["agents"]}
    expected = analyze_trend(p50, RELEASES, DateWindow(dt.date(2022, 1, 1), None))
    assert f"Doubling time: {expected.doubling_days:.0f} days" in fig["layout"]["title"]["text"]

    bad = client.get("/?window=custom&after=2024-01-01&before=2023-01-01")
    assert "must come after" in bad.text


def test_overlay_of_published_results(client: TestClient) -> None:
    report = simulated_report()
    store_result(report)
    published = copy.deepcopy(report)
    for agent in published["agents"]:
        agent["agent"] = "METR " + agent["agent"]
    store_result(published, params={"source": "published", "label": "METR (published)"})
    fig = figure(client.get("/").text, "trend-plot")
    overlay = trace(fig, "METR (published)")
    assert len(overlay["y"]) == len([a for a in report["agents"] if (a["p50"] or 0) > 0])
    # The overlay is drawn, not taken as the current analysis.
    assert {row[0] for row in trace(fig, "Frontier")["customdata"]} <= set(RELEASES)


def test_results_missing_optional_fields_still_render(client: TestClient) -> None:
    minimal = {
        "agents": [
            {"agent": "a", "release_date": "2023-01-01", "p50": 4.0},
            {"agent": "b", "release_date": "2024-01-01", "p50": 16.0},
            {"agent": "c", "p50": 1.0},
            {"agent": "d", "release_date": "2024-06-01", "p50": 0.0},
        ]
    }
    store_result(minimal, params={})
    page = client.get("/")
    assert page.status_code == 200
    fig = figure(page.text, "trend-plot")
    points = [t for t in fig["data"] if t.get("mode") == "markers" and t["name"] != "below the axis"]
    assert sorted(y for t in points for y in t["y"]) == [4.0, 16.0]
    # A p50 of 0 is a triangle on the axis floor saying so, not a point a log axis cannot place.
    below = trace(fig, "below the axis")
    assert [row[0] for row in below["customdata"]] == ["d"]
    assert below["customdata"][0][7] == "p50 below 1 s (off the axis)"
    assert below["y"][0] == 10 ** fig["layout"]["yaxis"]["range"][0] * 1.25
    assert "no release date" in page.text
    assert client.get("/agents/a").status_code == 200


def _complete_one_run(task_id: str, agent_id: int) -> None:
    """A run through the real lifecycle: batch -> claim -> finish."""
    from core.db import session_scope
    from core.schemas import BatchCreate, RunResult
    from core.services.batches import create_batch
    from core.services.runs import claim_run, finish_run
    from core.states import StopReason

    with session_scope() as s:
        batch = create_batch(s, BatchCreate(agents=[agent_id], tasks=[task_id]))
        run_id = s.scalars(select(Run.id).where(Run.batch_id == batch.id)).one()
    with session_scope() as s:
        attempt = claim_run(s, run_id, "test-worker")
        assert attempt is not None
        finish_run(s, run_id, attempt, RunResult(StopReason.SUBMITTED, 1.0, 1, 10, 5, 0.0, []))


def test_stale_results_are_flagged(client: TestClient) -> None:
    make_task("t1")
    agent_id = make_agent("agent-2023", "oracle", RELEASES["agent-2023"])
    store_result(simulated_report())
    assert "may be out of date" not in client.get("/").text
    _complete_one_run("t1", agent_id)
    page = client.get("/")
    assert "may be out of date" in page.text and "Runs completed after this analysis" in page.text


def test_newer_analysis_in_progress_is_announced(client: TestClient) -> None:
    store_result(simulated_report())
    newer = store_result({}, status="running", inputs_fingerprint="0" * 64)
    page = client.get("/")
    assert f"A newer analysis (#{newer}) is being computed" in page.text
    assert "A newer analysis was started on different inputs" in page.text


def test_agent_page_curve_band_buckets_and_tasks(client: TestClient) -> None:
    report = simulated_report()
    store_result(report)
    make_task("short", baselines=[{"baseliner": "ann", "minutes": 3, "succeeded": True}])
    agent_id = make_agent("agent-2022", "oracle", RELEASES["agent-2022"])
    _complete_one_run("short", agent_id)
    page = client.get("/agents/agent-2022")
    assert page.status_code == 200
    fig = figure(page.text, "agent-plot")
    stored = next(a for a in report["agents"] if a["agent"] == "agent-2022")
    curve = trace(fig, "fitted logistic")
    for x, y in zip(curve["x"][::20], curve["y"][::20], strict=True):
        z = stored["intercept"] + stored["coefficient"] * math.log2(x)
        assert math.isclose(y, 1 / (1 + math.exp(-z)), rel_tol=1e-9)
    assert trace(fig, "CI band (from p50/p80 CIs)")["fill"] == "tonexty"
    buckets = trace(fig, "weighted success per bucket")
    assert buckets["y"] == [b["rate"] for b in stored["empirical_buckets"] if b["rate"] is not None]
    assert "curves through the lower CI bounds" in page.text  # the band is explained
    table = page.text[page.text.index('id="agent-tasks"') :]
    assert ">short</a>" in table and "measured" in table
    assert client.get("/agents/nobody").status_code == 404


def test_agents_list(client: TestClient) -> None:
    store_result(simulated_report())
    make_agent("agent-2024", "null", RELEASES["agent-2024"])
    page = client.get("/agents")
    assert page.status_code == 200
    assert "agent-2024" in page.text
    # Agents only present in the analysis are listed apart.
    assert "Only in the analysis" in page.text and "agent-2020" in page.text


def test_plotly_is_served_by_the_app(client: TestClient) -> None:
    from web.rendering import PLOTLY_PATH

    store_result(simulated_report())
    page = client.get("/").text
    assert f'src="{PLOTLY_PATH}"' in page
    assert "cdn" not in page.lower()
    r = client.get(PLOTLY_PATH, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "plotly.js v" in r.text[:200]
    assert "immutable" in r.headers["cache-control"]
    assert client.get(PLOTLY_PATH, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
