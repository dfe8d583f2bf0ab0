"""Forecasts on the dashboard's trend chart: when the frontier reaches a work-day, week and month.

Computed here from the stored horizons with `analysis.forecast` (a closed-form line through a
handful of frontier points, no bootstrap), for the window and metric the chart shows, so p80 and
custom windows get their forecast too; on the analysed window and p50 this is the same computation
as the report's `forecasts` object. Drawn beyond the last release: the line extended (dotted) with
its predictive band (the line's uncertainty plus the scatter of single agents around it,
docs/method.md section 7), and for each target a marker at the date the line reaches it with its
interval as a horizontal segment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from analysis.forecast import WORK_TARGETS, FrontierTrend, forecast_json, frontier_trend
from analysis.trend import DateWindow, days_since_epoch
from web.figures.common import add_band, exp_in_range
from web.results import StoredResult

FORECAST_COLOUR = "#d9480f"
FORECAST_BAND_COLOUR = "rgba(217, 72, 15, 0.07)"
# The extension reaches the latest target's date, but never more than this past the last release
# (a flat trend would put it centuries away) and at least a year.
MAX_EXTENSION_DAYS = 8 * 365
MIN_EXTENSION_DAYS = 365
STEPS = 60


@dataclass(frozen=True)
class TargetDate:
    """One target (e.g. 8 h) and when the frontier reaches it: point and predictive interval."""

    label: str
    hours: float
    minutes: float
    date: dt.date | None
    earliest: dt.date | None  # None: unbounded (or undefined) on that side
    latest: dt.date | None
    reached: bool

    @property
    def interval_text(self) -> str:
        """The predictive interval in words, an open side as "unbounded"."""
        lo = self.earliest.isoformat() if self.earliest else "unbounded"
        hi = self.latest.isoformat() if self.latest else "unbounded"
        return f"{lo} to {hi}"


@dataclass(frozen=True)
class ForecastView:
    """The forecast of one metric over one window, or why there is none (`note`)."""

    metric: str
    confidence: float
    line: FrontierTrend | None
    targets: list[TargetDate]
    doubling_days: float | None
    residual_sd_doublings: float | None
    note: str | None = None


def _iso(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def forecast_view(result: StoredResult, metric: str, window: DateWindow, confidence: float) -> ForecastView:
    """The forecast from `result`'s stored `metric` horizons over `window` (see the module docstring)."""
    values = {a.agent: v for a in result.agents if (v := a.horizon(metric)) is not None}
    dates = {a.agent: a.release_date for a in result.agents if a.release_date is not None}
    report = forecast_json(values, dates, window, confidence, WORK_TARGETS, metric)
    targets = [
        TargetDate(
            label=t["label"],
            hours=t["hours"],
            minutes=t["minutes"],
            date=_iso(t["date"]),
            earliest=_iso(t["interval"][0]),
            latest=_iso(t["interval"][1]),
            reached=bool(t["reached"]),
        )
        for t in report["targets"]
    ]
    return ForecastView(
        metric=metric,
        confidence=confidence,
        line=frontier_trend(values, dates, window) if targets else None,
        targets=targets,
        doubling_days=report.get("doubling_days"),
        residual_sd_doublings=report.get("residual_sd_doublings"),
        note=report.get("note"),
    )


def _day(days: float) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=round(days))).isoformat()


def extension_end(view: ForecastView, last_release: dt.date) -> float:
    """The day (since 1970) the extended line and band reach."""
    last = days_since_epoch(last_release)
    wanted = [days_since_epoch(t.date) for t in view.targets if t.date is not None and not t.reached]
    end = max([last + MIN_EXTENSION_DAYS, *[d + 90 for d in wanted]])
    # A release date near the calendar's end (hostile or mistyped) must not run the axis past it.
    return min(end, last + MAX_EXTENSION_DAYS, days_since_epoch(dt.date.max))


def add_forecast(fig: go.Figure, view: ForecastView, last_release: dt.date) -> list[float]:
    """Draw the forecast after `last_release`; returns the horizons (minutes) it shows, for the axis."""
    line = view.line
    if line is None or not line.slope > 0:
        return []
    start = days_since_epoch(last_release)
    end = extension_end(view, last_release)
    xs = [start + (end - start) * i / STEPS for i in range(STEPS + 1)]
    dates = [_day(x) for x in xs]
    upper, lower = [], []
    for x in xs:
        centre, half = line.centre(x), line.half_width(x, view.confidence)
        upper.append(exp_in_range(centre + half))
        lower.append(exp_in_range(centre - half))
    add_band(
        fig,
        dates,
        upper,
        lower,
        name=f"forecast, {view.confidence:.0%} predictive band",
        upper_name="forecast band upper",
        colour=FORECAST_BAND_COLOUR,
    )
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=[exp_in_range(line.centre(x)) for x in xs],
            mode="lines",
            line={"color": FORECAST_COLOUR, "width": 2, "dash": "dot"},
            name="trend extended",
            hoverinfo="skip",
        )
    )
    shown = [t for t in view.targets if t.date is not None and days_since_epoch(t.date) <= end]
    for t in shown:
        if t.earliest is not None and t.latest is not None:
            fig.add_trace(
                go.Scatter(
                    x=[t.earliest.isoformat(), t.latest.isoformat()],
                    y=[t.minutes, t.minutes],
                    mode="lines",
                    line={"color": FORECAST_COLOUR, "width": 1.5},
                    showlegend=False,
                    hoverinfo="skip",
                    name=f"{t.label} interval",
                )
            )
    if shown:
        fig.add_trace(
            go.Scatter(
                x=[t.date.isoformat() for t in shown if t.date is not None],
                y=[t.minutes for t in shown],
                mode="markers+text",
                marker={"color": FORECAST_COLOUR, "size": 10, "symbol": "diamond"},
                text=[t.label for t in shown],
                textposition="top left",
                textfont={"size": 11, "color": FORECAST_COLOUR},
                name="target reached (forecast)",
                customdata=[[t.interval_text] for t in shown],
                hovertemplate="<b>%{text}</b>: %{x}<br>predictive interval %{customdata[0]}<extra></extra>",
            )
        )
    return [v for v in (*upper, *lower) if v is not None] + [t.minutes for t in shown]
