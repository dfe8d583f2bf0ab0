"""The dashboard's figure: horizon against release date (log scale) with the exponential trend.

Points are the stored per-agent horizons (p50 or p80) with their CI bars; frontier agents are
filled, the others hollow. The trend line is the least-squares fit of ln(horizon) on the release
date over the frontier agents (`analysis.trend.fit_trend`: a closed-form line through a handful of
points, recomputed here only because stored results keep the doubling time but not the line's
intercept). Its band uses the stored bootstrap CI of the doubling time: the two lines with the
CI's slopes through the frontier's centroid (mean date, mean ln horizon), where an OLS line always
passes. For a window or metric that the stored analysis did not cover, the frontier and line are
computed from the stored horizons as a point estimate, and the chart says there is no CI. A stored
CI with an unbounded upper side (the slope's interval reached 0) is drawn down to a flat line.
Forecasts past the last release are drawn by `web.figures.forecast`; agent labels, links to agent
pages, off-scale triangles and overlays' own trend lines by `web.figures.trend_marks`. Reference
agents (oracle, null) are left off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass, field

import plotly.graph_objects as go

from analysis.trend import DateWindow, days_since_epoch, fit_trend, frontier_agents
from web import format as fmt
from web.figures.common import (
    BAND_COLOUR,
    FRONTIER_COLOUR,
    OTHER_COLOUR,
    OVERLAY_COLOURS,
    TREND_COLOUR,
    add_band,
    base_layout,
    escape_name,
    exp_in_range,
    time_axis,
)
from web.figures.forecast import ForecastView, add_forecast, extension_end
from web.figures.trend_marks import (
    OFF_SCALE_LOW_MINUTES,
    agent_link,
    axis_values,
    caption,
    is_off_scale_low,
    is_unbounded_above,
    label_trace,
    off_scale,
    off_scale_trace,
    overlay_trend_trace,
)
from web.results import AgentHorizon, StoredResult

EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class TrendView:
    """The trend drawn on the chart and where its numbers come from."""

    metric: str
    frontier: list[str]
    slope: float
    intercept: float
    doubling_days: float | None
    doubling_days_ci: tuple[float, float] | None
    confidence: float
    stored: bool
    centroid: tuple[float, float]  # (mean days since epoch, mean ln horizon) of the frontier
    # The stored CI's upper side is unbounded (the slope's interval reached 0); its lower side,
    # when finite, is `ci_low`.
    ci_unbounded: bool = False
    ci_low: float | None = None

    def band_slopes(self) -> tuple[float, float] | None:
        """Slopes (per day) of the band's two edges: from the CI's doubling times, an unbounded
        side drawn as a flat line (an infinite doubling time); None without a usable CI."""
        if self.doubling_days_ci is not None and all(v > 0 for v in self.doubling_days_ci):
            lo, hi = self.doubling_days_ci
            return math.log(2) / lo, math.log(2) / hi
        if self.ci_unbounded and self.ci_low is not None and self.ci_low > 0:
            return math.log(2) / self.ci_low, 0.0
        return None

    def ci_text(self) -> str | None:
        """The doubling time's CI as `61–245`, `[61, ∞)` when unbounded above, or None."""
        if self.doubling_days_ci is not None:
            lo, hi = self.doubling_days_ci
            return f"{lo:.0f}–{hi:.0f}"
        if self.ci_unbounded:
            return f"[{self.ci_low:.0f}, ∞)" if self.ci_low is not None else "unbounded (no clear growth)"
        return None

    def value_at(self, days: float) -> float | None:
        """The line's horizon at `days`, or None where it leaves the plottable range."""
        return exp_in_range(self.intercept + self.slope * days)


@dataclass(frozen=True)
class DashboardFigure:
    """The dashboard's figure, the trend it draws, and which agents are on it or not and why."""

    figure: go.Figure
    trend: TrendView | None
    plotted: list[str]
    not_plotted: dict[str, str] = field(default_factory=dict)


_FIRST_DAY, _LAST_DAY = (d.toordinal() - EPOCH.toordinal() for d in (dt.date.min, dt.date.max))


def _day(days: float) -> dt.date:
    """The date `days` after 1970-01-01, held within the dates Python has (years 1 to 9999):
    release dates are submitted, so a line may be drawn from year 1 or to year 9999."""
    return EPOCH + dt.timedelta(days=min(max(days, _FIRST_DAY), _LAST_DAY))


def _plottable(agent: AgentHorizon, metric: str, window: DateWindow) -> str | None:
    """None when the agent can be plotted, else the reason it cannot."""
    if agent.release_date is None:
        return "no release date"
    if not window.contains(agent.release_date):
        return "released outside the window"
    # 0 (no success), under a second, or unbounded: drawn as a marker at the axis edge.
    if agent.horizon(metric) is None and not is_unbounded_above(agent, metric):
        return f"no {metric}"
    return None


def trend_view(result: StoredResult, metric: str, window: DateWindow) -> TrendView | None:
    """The trend for `metric` over `window`: the stored one when it matches, else a point estimate."""
    by_name = {a.agent: a for a in result.agents}
    stored = result.stored_trend(metric)
    use_stored = (
        metric in ("p50", "p80")
        and stored is not None
        and stored.window == (window.after, window.before)
        and len(stored.agents) >= 2
    )
    if use_stored and stored is not None:
        frontier = [
            a
            for a in stored.agents
            if a in by_name and by_name[a].release_date is not None and (by_name[a].horizon(metric) or 0) > 0
        ]
    else:
        values = {a.agent: v for a in result.agents if (v := a.horizon(metric)) is not None}
        dates = {a.agent: a.release_date for a in result.agents if a.release_date is not None}
        frontier = frontier_agents(values, dates, window)
    points = [(by_name[a].release_date, by_name[a].horizon(metric)) for a in frontier]
    dates_ = [d for d, _ in points if d is not None]
    horizons = [float(v) for _, v in points if v is not None]
    if len(dates_) < 2 or len(dates_) != len(horizons):
        return None
    line = fit_trend(horizons, dates_)
    if not math.isfinite(line.slope) or line.slope == 0:
        return None
    xs = [days_since_epoch(d) for d in dates_]
    ys = [math.log(max(h, 1e-3)) for h in horizons]
    centroid = (sum(xs) / len(xs), sum(ys) / len(ys))
    if use_stored and stored is not None:
        doubling = stored.doubling_days if stored.doubling_days is not None else line.doubling_days
        return TrendView(
            metric,
            frontier,
            line.slope,
            line.intercept,
            doubling,
            stored.doubling_days_ci,
            stored.confidence,
            True,
            centroid,
            stored.ci_unbounded,
            stored.doubling_days_ci_low,
        )
    return TrendView(
        metric, frontier, line.slope, line.intercept, line.doubling_days, None, 0.95, False, centroid
    )


def doubling_text(view: TrendView) -> str:
    """`Doubling time: 213 days (95% CI 172–247)`, or a note that there is no CI."""
    if view.doubling_days is None or not math.isfinite(view.doubling_days):
        return "Doubling time: not defined"
    if view.doubling_days < 0:
        return f"Horizon halves every {-view.doubling_days:.0f} days"
    text = f"Doubling time: {view.doubling_days:.0f} days"
    ci = view.ci_text()
    if ci is not None:
        text += f" ({view.confidence:.0%} CI {ci})"
    else:
        text += " (point estimate; no CI stored for this window/metric)"
    return text


def _customdata(agents: list[AgentHorizon], metric: str, series: str, linked: bool = True) -> list[list[str]]:
    """Per point: name, horizon, CI, runs, release date, series, and the agent page a click opens
    ("" for a published overlay's agents, which have no page here)."""
    rows = []
    for a in agents:
        ci = a.ci(metric)
        rows.append(
            [
                escape_name(a.agent),
                fmt.minutes(a.horizon(metric)),
                fmt.interval(ci) if ci else "not available",
                str(a.n_runs) if a.n_runs is not None else "—",
                a.release_date.isoformat() if a.release_date else "—",
                series,
                agent_link(a.agent) if linked else "",
            ]
        )
    return rows


def _hover(metric: str) -> str:
    return (
        f"<b>%{{customdata[0]}}</b> (%{{customdata[5]}})<br>{metric}: %{{customdata[1]}}"
        "<br>CI: %{customdata[2]}<br>runs: %{customdata[3]}<br>released %{customdata[4]}<extra></extra>"
    )


def _error_bars(agents: list[AgentHorizon], metric: str) -> dict[str, object]:
    plus, minus = [], []
    for a in agents:
        value = a.horizon(metric) or 0.0
        ci = a.ci(metric)
        plus.append(max(0.0, ci[1] - value) if ci else 0.0)
        minus.append(max(0.0, value - ci[0]) if ci else 0.0)
    return {
        "type": "data",
        "symmetric": False,
        "array": plus,
        "arrayminus": minus,
        "thickness": 1.2,
        "width": 0,
    }


def _scatter(
    agents: list[AgentHorizon], metric: str, name: str, marker: dict[str, object], linked: bool = True
) -> go.Scatter:
    return go.Scatter(
        x=[a.release_date.isoformat() for a in agents if a.release_date],
        y=[a.horizon(metric) for a in agents],
        mode="markers",
        name=escape_name(name),
        marker=marker,
        error_y={**_error_bars(agents, metric), "color": marker.get("color", OTHER_COLOUR)},
        # Names come from submitters: escaped, and passed as data rather than into the template.
        customdata=_customdata(agents, metric, escape_name(name.lower()), linked),
        hovertemplate=_hover(metric),
    )


def _add_edges_and_labels(
    fig: go.Figure,
    plotted: list[AgentHorizon],
    on_scale: list[AgentHorizon],
    frontier: set[str],
    metric: str,
    yaxis: dict[str, object],
) -> None:
    """Triangles at the axis floor and ceiling for horizons and CIs it cannot show, and the names
    beside the points."""
    axis_range = yaxis["range"]
    assert isinstance(axis_range, list)
    bottom, top = 10 ** axis_range[0], 10 ** axis_range[1]
    # Just inside the axis, so the whole triangle shows.
    floor, ceiling = bottom * 1.25, top / 1.25
    marks = off_scale(plotted, metric, top)
    for side, y in (("low", floor), ("high", ceiling)):
        chosen = [m.agent for m in marks if m.side == side]
        if chosen:
            fig.add_trace(off_scale_trace(marks, side, y, _customdata(chosen, metric, "off the axis")))
    placed = {m.agent.agent: floor if m.side == "low" else ceiling for m in marks}
    points = [(a, float(a.horizon(metric) or 0.0)) for a in on_scale]
    shown = {a.agent for a in on_scale}
    points += [(a, placed[a.agent]) for a in plotted if a.agent in placed and a.agent not in shown]
    if points:
        fig.add_trace(label_trace(points, frontier))


def build_trend_figure(
    result: StoredResult,
    metric: str,
    window: DateWindow,
    overlays: list[StoredResult] | None = None,
    forecast: ForecastView | None = None,
    reference: Collection[str] = (),
) -> DashboardFigure:
    """The dashboard figure for `metric` ("p50" or "p80") over `window`, with `forecast` drawn
    beyond the last release when given. Agents named in `reference` (oracle, null) are left off."""
    result = dataclasses.replace(result, agents=[a for a in result.agents if a.agent not in reference])
    view = trend_view(result, metric, window)
    frontier = set(view.frontier) if view else {a.agent for a in result.agents if a.frontier}
    plotted: list[AgentHorizon] = []
    not_plotted: dict[str, str] = {}
    for agent in result.agents:
        reason = _plottable(agent, metric, window)
        if reason is None:
            plotted.append(agent)
        elif agent.agent != "human":
            not_plotted[agent.agent] = reason
    edge = {a.agent for a in plotted if is_off_scale_low(a, metric) or is_unbounded_above(a, metric)}
    on_scale = [a for a in plotted if a.agent not in edge]
    on_frontier = [a for a in on_scale if a.agent in frontier]
    others = [a for a in on_scale if a.agent not in frontier]

    fig = go.Figure()
    all_dates = [a.release_date for a in plotted if a.release_date]
    values = axis_values(on_scale, metric)

    if view is not None and all_dates:
        start = days_since_epoch(min(all_dates)) - 60
        end = days_since_epoch(max(all_dates)) + 60
        steps = 60
        xs = [start + (end - start) * i / steps for i in range(steps + 1)]
        slopes = view.band_slopes()
        if slopes is not None:
            cx, cy = view.centroid
            lines = [[exp_in_range(cy + s * (x - cx)) for x in xs] for s in slopes]
            # Where either edge leaves the plottable range the band has a gap.
            pairs = [(a, b) if a is not None and b is not None else None for a, b in zip(*lines, strict=True)]
            upper = [max(p) if p else None for p in pairs]
            lower = [min(p) if p else None for p in pairs]
            dates = [_day(x).isoformat() for x in xs]
            add_band(
                fig,
                dates,
                upper,
                lower,
                name=f"doubling-time {view.confidence:.0%} CI",
                upper_name="trend CI upper",
                colour=BAND_COLOUR,
            )
        fig.add_trace(
            go.Scatter(
                x=[_day(x).isoformat() for x in xs],
                y=[view.value_at(x) for x in xs],
                mode="lines",
                line={"color": TREND_COLOUR, "width": 2, "dash": "solid" if view.stored else "dash"},
                name="exponential trend" + ("" if view.stored else " (point estimate)"),
                hoverinfo="skip",
            )
        )
    if others:
        fig.add_trace(
            _scatter(
                others,
                metric,
                "Other agents",
                {"color": OTHER_COLOUR, "size": 8, "symbol": "circle-open", "line": {"width": 1.6}},
            )
        )
    if on_frontier:
        fig.add_trace(
            _scatter(
                on_frontier,
                metric,
                "Frontier",
                {"color": FRONTIER_COLOUR, "size": 10, "line": {"color": "white", "width": 1}},
            )
        )
    for i, overlay in enumerate(overlays or []):
        shown = [
            a
            for a in overlay.agents
            if _plottable(a, metric, window) is None and (a.horizon(metric) or 0) >= OFF_SCALE_LOW_MINUTES
        ]
        if not shown:
            continue
        colour = OVERLAY_COLOURS[i % len(OVERLAY_COLOURS)]
        fig.add_trace(
            _scatter(
                shown,
                metric,
                overlay.label,
                {"color": colour, "size": 9, "symbol": "diamond-open", "line": {"width": 1.6}},
                linked=False,
            )
        )
        overlay_line = overlay_trend_trace(overlay, metric, window, colour, _day)
        if overlay_line is not None:
            fig.add_trace(overlay_line)
        values += axis_values(shown, metric)
        all_dates += [a.release_date for a in shown if a.release_date]

    last_day = days_since_epoch(max(all_dates)) + 90 if all_dates else None
    if forecast is not None and all_dates and view is not None:
        drawn = add_forecast(fig, forecast, max(all_dates))
        if drawn:
            values += drawn
            last_day = extension_end(forecast, max(all_dates))

    layout = base_layout(560)
    layout["yaxis"] = yaxis = time_axis(values, title=f"{metric} time horizon (human time, log scale)")
    _add_edges_and_labels(fig, plotted, on_scale, frontier, metric, yaxis)
    xaxis: dict[str, object] = {"title": {"text": "release date"}, "type": "date", "gridcolor": "#e9ecef"}
    layout["xaxis"] = xaxis
    if all_dates and last_day is not None:
        xaxis["range"] = [
            _day(days_since_epoch(min(all_dates)) - 90).isoformat(),
            _day(last_day).isoformat(),
        ]
    if view is not None:
        layout["title"] = {
            "text": doubling_text(view),
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 16, "color": TREND_COLOUR},
        }
    # What an exported figure (SVG route, PNG button) adds: a title and a caption naming the analysis.
    confidence = view.confidence if view is not None else 0.95
    export_title = f"{metric} time horizon by release date" + (f". {doubling_text(view)}" if view else "")
    layout["meta"] = {"title": export_title, "caption": caption(result, metric, confidence)}
    fig.update_layout(layout)
    return DashboardFigure(fig, view, [a.agent for a in plotted], not_plotted)
