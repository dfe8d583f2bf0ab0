"""The trend figure's labels, links and off-scale marks, the figure as SVG, and an analysis's
numbers as CSV and JSON: on real stored analyses (`run_analysis` output) in PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analysis.trend import DateWindow, fit_trend
from core.settings import Settings
from tests.factories import make_agent, make_token
from tests.web.conftest import RELEASES, sign_in, simulated_report, store_result
from tests.web.test_dashboard import figure
from web.figures.trend import build_trend_figure
from web.figures.trend_marks import MAX_LABELS
from web.results import AgentHorizon, StoredResult, Trend

SVG = "{http://www.w3.org/2000/svg}"


def _stored(report: dict[str, Any], extra: list[dict[str, Any]] | None = None, **kw: Any) -> StoredResult:
    agents = [AgentHorizon.from_json(a) for a in [*report["agents"], *(extra or [])]]
    return StoredResult(
        id=kw.get("id", 7),
        label=kw.get("label", "analysis #7"),
        created_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        simulated=False,
        n_runs=report.get("n_runs", 0),
        inputs_fingerprint=None,
        params=report.get("params", {}),
        agents=agents,
        trend=Trend.from_json(report.get("trend")),
    )


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return simulated_report()


# ---------------------------------------------------------------- the figure builder


def test_points_carry_their_agent_page_and_are_labelled(report: dict[str, Any]) -> None:
    odd = {"agent": "a/b <x>", "release_date": "2023-02-01", "p50": 9.0, "p50_ci": [3.0, 20.0]}
    result = _stored(report, [odd])
    built = build_trend_figure(
        result, "p50", DateWindow(*result.trend.window) if result.trend else DateWindow()
    )
    points = [t for t in built.figure.data if t.mode == "markers" and t.name in ("Frontier", "Other agents")]
    links = {row[0]: row[6] for t in points for row in t.customdata}
    assert links["agent-2022"] == "/agents/agent-2022"
    # Percent-encoded, so a slash or markup in a name can only ever name that agent's page.
    assert links["a/b &lt;x&gt;"] == "/agents/a%2Fb%20%3Cx%3E"
    labels = next(t for t in built.figure.data if t.name == "agent labels")
    assert labels.mode == "text" and labels.hoverinfo == "skip"
    assert sorted(labels.text) == sorted(links)
    # Alternating above and below, in release order.
    assert list(labels.textposition[:2]) == ["top center", "bottom center"]


def test_labels_are_bounded_frontier_first(report: dict[str, Any]) -> None:
    many = [
        {
            "agent": f"m{i:02d}",
            "release_date": (dt.date(2021, 1, 1) + dt.timedelta(days=20 * i)).isoformat(),
            "p50": 1.0,
        }
        for i in range(40)
    ]
    result = _stored(report, many)
    built = build_trend_figure(
        result, "p50", DateWindow(*result.trend.window) if result.trend else DateWindow()
    )
    labels = next(t for t in built.figure.data if t.name == "agent labels")
    assert len(labels.text) == MAX_LABELS
    assert set(report["trend"]["agents"]) <= set(labels.text)


def test_off_scale_horizons_and_cis_are_marked_at_the_axis_edges(report: dict[str, Any]) -> None:
    extra: list[dict[str, Any]] = [
        {
            "agent": "never",
            "release_date": "2022-02-01",
            "p50": 0.0,
            "p50_ci": [0.0, 0.0],
            "fit_status": "all_failures",
        },
        {"agent": "tiny", "release_date": "2022-03-01", "p50": 1e-6, "p50_ci": [1e-9, 2.0]},
        {"agent": "always", "release_date": "2023-01-01", "p50": None, "fit_status": "all_successes"},
        {"agent": "wide", "release_date": "2023-06-01", "p50": 30.0, "p50_ci": [2.0, 1e12]},
    ]
    result = _stored(report, extra)
    built = build_trend_figure(
        result, "p50", DateWindow(*result.trend.window) if result.trend else DateWindow()
    )
    fig = built.figure
    low, top = (10**v for v in fig.layout.yaxis.range)
    # The axis is not stretched to the 1e12-minute CI end, nor down to 1e-9.
    assert top < 1e6 and low >= 0.5 / 60
    below = next(t for t in fig.data if t.name == "below the axis")
    beyond = next(t for t in fig.data if t.name == "beyond the axis")
    assert {r[0]: r[7] for r in below.customdata} == {
        "never": "p50 below 1 s (off the axis)",
        "tiny": "p50 below 1 s (off the axis)",
    }
    assert {r[0]: r[7] for r in beyond.customdata} == {
        "always": "p50 unbounded: every run succeeded",
        "wide": "upper bound beyond axis",
    }
    assert below.marker.symbol == "triangle-down" and beyond.marker.symbol == "triangle-up"
    assert all(low < y < top for y in (*below.y, *beyond.y))
    # They are drawn, so not listed as "not plotted"; "wide" is also an ordinary point.
    assert not {"never", "tiny", "always"} & set(built.not_plotted)
    others = next(t for t in fig.data if t.name == "Other agents")
    assert "wide" in [r[0] for r in others.customdata]


def test_a_published_overlay_gets_its_own_dashed_trend(report: dict[str, Any]) -> None:
    published = {f"pub-{d.year}": (d, 2.0 * 2 ** (i * 1.5)) for i, d in enumerate(RELEASES.values())}
    overlay_report = {
        "agents": [{"agent": n, "release_date": d.isoformat(), "p50": v} for n, (d, v) in published.items()]
    }
    overlay = _stored(overlay_report, id=9, label="METR (published)")
    result = _stored(report)
    window = DateWindow()
    built = build_trend_figure(result, "p50", window, [overlay])
    line = next(t for t in built.figure.data if t.name == "METR (published) trend")
    assert line.mode == "lines" and line.line.dash == "dash"
    points = next(t for t in built.figure.data if t.name == "METR (published)")
    assert line.line.color == points.marker.color
    # Overlay agents have no page here: no link.
    assert all(row[6] == "" for row in points.customdata)
    # The line is the least-squares trend over the overlay's points (all on its frontier).
    expected = fit_trend([v for _, v in published.values()], [d for d, _ in published.values()])
    days = (dt.date.fromisoformat(line.x[-1]) - dt.date.fromisoformat(line.x[0])).days
    assert math.isclose(
        math.log(2) * days / math.log(line.y[-1] / line.y[0]), expected.doubling_days, rel_tol=1e-3
    )


def test_reference_agents_are_not_on_the_trend(report: dict[str, Any]) -> None:
    oracle = {"agent": "oracle", "release_date": "2023-01-01", "p50": 5000.0, "p50_ci": [100.0, 9000.0]}
    result = _stored(report, [oracle])
    window = DateWindow(*result.trend.window) if result.trend else DateWindow()
    built = build_trend_figure(result, "p50", window, reference={"oracle"})
    names = [row[0] for t in built.figure.data if t.customdata is not None for row in t.customdata]
    assert "oracle" not in names and "oracle" not in built.plotted and "oracle" not in built.not_plotted
    with_it = build_trend_figure(result, "p50", window)
    assert "oracle" in with_it.plotted


# ---------------------------------------------------------------- the dashboard


def test_dashboard_links_downloads_and_lists_reference_agents_apart(
    client: TestClient, report: dict[str, Any]
) -> None:
    make_agent("oracle-agent", "oracle")
    with_oracle = {
        **report,
        "agents": [*report["agents"], {"agent": "oracle-agent", "n_runs": 8, "average": 1.0, "p50": None}],
    }
    analysis_id = store_result(with_oracle)
    page = client.get("/")
    assert "/figures/trend.svg?metric=p50&amp;window=stored&amp;after=" in page.text
    assert f"analysis={analysis_id}" in page.text
    assert f'href="/analyses/{analysis_id}/export.csv"' in page.text
    agents_table = page.text.split('id="agents-table"')[1].split("</table>")[0]
    reference = page.text.split('id="reference-agents"')[1].split("</table>")[0]
    assert "oracle-agent" in reference and "oracle-agent" not in agents_table
    assert "Weighted success" in agents_table and "Avg. success" not in page.text
    fig = figure(page.text, "trend-plot")
    assert all("oracle-agent" not in row[0] for t in fig["data"] for row in t.get("customdata") or [])

    listing = client.get("/agents").text
    assert "Weighted success" in listing and "Mean score" not in listing
    assert "oracle-agent" in listing.split('id="reference-agents"')[1].split("</table>")[0]
    assert "oracle-agent" not in listing.split('id="agents-list"')[1].split("</table>")[0]


# ---------------------------------------------------------------- figure export


def test_trend_svg_has_title_axes_caption_and_the_stored_numbers(
    client: TestClient, report: dict[str, Any]
) -> None:
    analysis_id = store_result(report)
    r = client.get(f"/figures/trend.svg?analysis={analysis_id}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/svg+xml"
    assert f"horizon-trend-{analysis_id}-p50.svg" in r.headers["content-disposition"]
    root = ET.fromstring(r.text)
    title = root.find(f"{SVG}text[@id='figure-title']")
    assert title is not None and title.text
    assert title.text.startswith("p50 time horizon by release date. Doubling time: ")
    assert f"{report['trend']['doubling_days']:.0f} days" in title.text
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "release date" in texts and "p50 time horizon (human time, log scale)" in texts
    group = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "figure-caption")
    caption = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
    assert f"analysis #{analysis_id}, fitted" in caption
    assert "95% CIs" in caption and f"{report['n_runs']} runs" in caption
    human = report["human_time"]
    assert (
        f"human times: {human['n_estimate_tasks']} estimates / {human['n_baseline_tasks']} baselined"
        in caption
    )
    points = {
        g.get("data-agent"): float(g.get("data-value") or "nan")
        for g in root.iter(f"{SVG}g")
        if g.get("data-agent")
    }
    stored = {a["agent"]: a["p50"] for a in report["agents"] if a.get("release_date")}
    assert points == stored

    p80 = ET.fromstring(client.get(f"/figures/trend.svg?analysis={analysis_id}&metric=p80").text)
    values = {
        g.get("data-agent"): float(g.get("data-value") or "nan")
        for g in p80.iter(f"{SVG}g")
        if g.get("data-agent")
    }
    assert values == {a["agent"]: a["p80"] for a in report["agents"] if a.get("release_date")}


def test_trend_svg_honours_the_window_and_defaults_to_the_dashboards_analysis(
    client: TestClient, report: dict[str, Any]
) -> None:
    store_result(report)
    r = client.get("/figures/trend.svg?window=custom&after=2022-01-01")
    assert r.status_code == 200
    root = ET.fromstring(r.text)
    shown = {g.get("data-agent") for g in root.iter(f"{SVG}g") if g.get("data-agent")}
    assert shown == {a for a, d in RELEASES.items() if d >= dt.date(2022, 1, 1)}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("metric=p99", 422),
        ("window=" + "x" * 21, 422),
        ("window=nonsense", 422),
        ("window=custom&after=2024-13-01", 422),
        ("window=custom&after=2024-06-01&before=2024-01-01", 422),
        ("window=custom&after=" + "9" * 11, 422),
        ("analysis=0", 422),
        ("analysis=" + str(2**63), 422),
        ("analysis=999999", 404),
    ],
)
def test_trend_svg_refuses_bad_parameters(
    client: TestClient, report: dict[str, Any], query: str, status: int
) -> None:
    store_result(report)
    assert client.get(f"/figures/trend.svg?{query}").status_code == status


def test_trend_svg_writes_hostile_names_as_text(client: TestClient, report: dict[str, Any]) -> None:
    hostile = '</text><script>alert(1)</script><a href="https://evil.example/">'
    agents = [dict(a, agent=hostile) if a["agent"] == "agent-2022" else a for a in report["agents"]]
    analysis_id = store_result({**report, "agents": agents})
    store_result(
        {"agents": [{"agent": "p", "release_date": "2023-01-01", "p50": 3.0}]},
        params={"source": "published", "label": hostile},
    )
    r = client.get(f"/figures/trend.svg?analysis={analysis_id}")
    assert r.status_code == 200
    assert "<script>" not in r.text and "<a href" not in r.text
    root = ET.fromstring(r.text)  # still well-formed XML
    assert hostile in {g.get("data-agent") for g in root.iter(f"{SVG}g")}


# ---------------------------------------------------------------- data export


def test_csv_and_json_exports_equal_the_stored_result(client: TestClient, report: dict[str, Any]) -> None:
    analysis_id = store_result(report)
    r = client.get(f"/analyses/{analysis_id}/export.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert data["analysis"]["id"] == analysis_id and data["agents_left_out"] == 0
    stored = {a["agent"]: a for a in report["agents"]}
    for a in data["agents"]:
        s = stored[a["agent"]]
        assert (a["p50"], a["p50_ci"], a["p80"], a["p80_ci"]) == (
            s["p50"],
            s["p50_ci"],
            s["p80"],
            s["p80_ci"],
        )
        assert a["release_date"] == s["release_date"] and a["weighted_success"] == s["average"]
        assert a["on_trend"] == (a["agent"] in report["trend"]["agents"])
    assert data["trend"]["doubling_days"] == report["trend"]["doubling_days"]
    assert data["trend"]["doubling_days_ci"] == report["trend"]["doubling_days_ci"]
    assert data["trend_p80"]["doubling_days"] == report["trend_p80"]["doubling_days"]
    assert data["trend_p80"]["doubling_days_ci"] == report["trend_p80"]["doubling_days_ci"]
    assert data["bootstrap_samples"].startswith("not stored")

    r = client.get(f"/analyses/{analysis_id}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert f"horizon-analysis-{analysis_id}.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["agent"] for row in rows] == [a["agent"] for a in report["agents"]]
    for row in rows:
        s = stored[row["agent"]]
        assert float(row["p50_minutes"]) == s["p50"] and float(row["p80_ci_high"]) == s["p80_ci"][1]
        assert float(row["trend_doubling_days"]) == report["trend"]["doubling_days"]
        assert float(row["trend_doubling_ci_low"]) == report["trend"]["doubling_days_ci"][0]


def test_csv_export_keeps_names_from_running_as_formulas(client: TestClient, report: dict[str, Any]) -> None:
    formula = '=HYPERLINK("https://evil.example/","x")'
    agents = [dict(a, agent=formula) if a["agent"] == "agent-2020" else a for a in report["agents"]]
    analysis_id = store_result({**report, "agents": agents})
    rows = list(csv.reader(io.StringIO(client.get(f"/analyses/{analysis_id}/export.csv").text)))
    assert ["'" + formula] == [r[0] for r in rows if "HYPERLINK" in r[0]]
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)


def test_exports_of_missing_or_unfinished_analyses_are_refused(
    client: TestClient, report: dict[str, Any]
) -> None:
    queued = store_result({}, status="queued")
    for kind in ("csv", "json"):
        assert client.get(f"/analyses/{queued}/export.{kind}").status_code == 409
        assert client.get(f"/analyses/999999/export.{kind}").status_code == 404
        assert client.get(f"/analyses/0/export.{kind}").status_code == 422
        assert client.get(f"/analyses/{2**63}/export.{kind}").status_code == 422
        assert client.get(f"/analyses/x/export.{kind}").status_code == 422


def test_exports_need_sign_in_where_reads_do(db: str, tmp_path: Any, report: dict[str, Any]) -> None:
    from api.app import create_app

    analysis_id = store_result(report)
    settings = Settings(database_url=db, data_dir=tmp_path / "data", read_requires_token=True)
    with TestClient(create_app(settings)) as c:
        paths = (
            "/figures/trend.svg",
            f"/analyses/{analysis_id}/export.csv",
            f"/analyses/{analysis_id}/export.json",
        )
        for path in paths:
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/signin"), path
        sign_in(c, "viewer")
        assert all(c.get(path).status_code == 200 for path in paths)


def test_exports_are_bounded(client: TestClient) -> None:
    from web.exports import MAX_EXPORT_AGENTS

    many = [{"agent": f"a{i}", "p50": 1.0} for i in range(MAX_EXPORT_AGENTS + 5)]
    analysis_id = store_result({"agents": many}, params={})
    data = client.get(f"/analyses/{analysis_id}/export.json").json()
    assert len(data["agents"]) == MAX_EXPORT_AGENTS and data["agents_left_out"] == 5
    lines = client.get(f"/analyses/{analysis_id}/export.csv").text.count("\n")
    assert lines == MAX_EXPORT_AGENTS + 1


def test_the_api_exports_the_same_numbers_to_token_holders(
    db: str, tmp_path: Any, report: dict[str, Any]
) -> None:
    from api.app import create_app

    analysis_id = store_result(report)
    queued = store_result({}, status="queued")
    settings = Settings(database_url=db, data_dir=tmp_path / "data", read_requires_token=True)
    with TestClient(create_app(settings)) as c:
        base = f"/api/analyses/{analysis_id}/export"
        assert c.get(base + ".json").status_code == 401 and c.get(base + ".csv").status_code == 401
        auth = {"Authorization": f"Bearer {make_token('viewer')}"}
        api_json = c.get(base + ".json", headers=auth).json()
        sign_in(c, "viewer")
        assert api_json == c.get(f"/analyses/{analysis_id}/export.json").json()
        r = c.get(base + ".csv", headers=auth)
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.text == c.get(f"/analyses/{analysis_id}/export.csv").text
        assert c.get(f"/api/analyses/{queued}/export.json", headers=auth).status_code == 409
        assert c.get("/api/analyses/999999/export.csv", headers=auth).status_code == 404
