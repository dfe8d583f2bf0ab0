"""Shared pieces of the plotly figures: colours, log-time axis ticks, JSON for embedding."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

import plotly.graph_objects as go
import plotly.io as pio

FRONTIER_COLOUR = "#1f5fbf"
OTHER_COLOUR = "#8a94a6"
TREND_COLOUR = "#d9480f"
BAND_COLOUR = "rgba(217, 72, 15, 0.14)"
CURVE_COLOUR = "#1f5fbf"
CURVE_BAND_COLOUR = "rgba(31, 95, 191, 0.15)"
BUCKET_COLOUR = "#2b8a3e"
OVERLAY_COLOURS = ("#7048e8", "#c2255c", "#0c8599", "#e67700")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

MIN_AXIS_MINUTES = 0.5 / 60
# (minutes, label) for log-scaled time axes.
TIME_TICKS: tuple[tuple[float, str], ...] = (
    (1 / 60, "1 s"),
    (4 / 60, "4 s"),
    (15 / 60, "15 s"),
    (1, "1 min"),
    (4, "4 min"),
    (15, "15 min"),
    (60, "1 h"),
    (4 * 60, "4 h"),
    (16 * 60, "16 h"),
    (24 * 60 * 2, "2 days"),
    (24 * 60 * 7, "1 week"),
    (24 * 60 * 30, "1 month"),
    (24 * 60 * 182, "6 months"),
    (24 * 60 * 365, "1 year"),
)


# Stored results and release dates come from submitters: a trend line may be asked for a value
# far past anything a float or a chart holds. Points beyond these bounds are left out (a gap in the
# line), never computed, so no page fails on them.
MAX_PLOT_MINUTES = 1e15
MIN_PLOT_MINUTES = 1e-15
_LN_MAX, _LN_MIN = math.log(MAX_PLOT_MINUTES), math.log(MIN_PLOT_MINUTES)


def exp_in_range(x: float) -> float | None:
    """math.exp(x) when the result lies in [MIN_PLOT_MINUTES, MAX_PLOT_MINUTES], else None."""
    if not math.isfinite(x) or not _LN_MIN <= x <= _LN_MAX:
        return None
    return math.exp(x)


def escape_name(text: object) -> str:
    """A name (agent, task, overlay) for a trace, hover or legend: plotly renders some HTML there
    (links among it), so names are escaped and show as text."""
    return html.escape(str(text), quote=True)


def time_axis(values: Iterable[float], *, title: str, pad: float = 2.0) -> dict[str, object]:
    """A log axis in minutes with readable ticks covering `values` (positive, finite)."""
    finite = [v for v in values if MIN_PLOT_MINUTES <= v <= MAX_PLOT_MINUTES]
    # Below half a second there is nothing to read; CI bars reaching lower run off the bottom.
    lo = max(min(finite) / pad, MIN_AXIS_MINUTES) if finite else 1.0
    hi = max(finite) * pad if finite else 480.0
    ticks = [(v, t) for v, t in TIME_TICKS if lo <= v <= hi]
    if len(ticks) < 2:
        ticks = [(v, t) for v, t in TIME_TICKS if lo / 8 <= v <= hi * 8]
    return {
        "type": "log",
        "title": {"text": title},
        "range": [math.log10(lo), math.log10(hi)],
        "tickvals": [v for v, _ in ticks],
        "ticktext": [t for _, t in ticks],
        "gridcolor": "#e9ecef",
        "zeroline": False,
    }


def base_layout(height: int) -> dict[str, object]:
    """The layout every figure starts from: white template, margins, font and legend below."""
    return {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 70, "r": 24, "t": 48, "b": 60},
        "font": {"family": FONT, "size": 13, "color": "#212529"},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0},
        "hoverlabel": {"bgcolor": "white", "font": {"family": FONT}},
    }


def add_band(
    fig: go.Figure,
    x: Sequence[object],
    upper: Sequence[float | None],
    lower: Sequence[float | None],
    *,
    name: str,
    upper_name: str,
    colour: str,
) -> None:
    """A shaded confidence band: plotly fills a trace to the one before it, so the upper edge
    goes first as an invisible line and the lower edge, filled up to it, carries the legend."""
    fig.add_trace(
        go.Scatter(
            x=x,
            y=upper,
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            name=upper_name,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=lower,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=colour,
            hoverinfo="skip",
            name=name,
        )
    )


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON for `Plotly.newPlot` (already validated when the figure was built)."""
    text: str = pio.to_json(fig, validate=False, pretty=False, engine="json")  # plotly is untyped
    return text
