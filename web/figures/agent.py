"""The agent page's figure: success probability against human time, log x.

- The fitted curve: `P = sigmoid(intercept + coefficient * log2(minutes))` from the stored fit.
- Its band: stored results keep the bootstrap CIs of p50 and p80 but not the replicate curves.
  A logistic curve in log2(minutes) is fixed by two points, so the band is drawn between the curve
  through the two lower bounds (p50_lo at 50%, p80_lo at 80%) and the curve through the two upper
  bounds, pointwise min and max. It shows the CIs where they were computed (at 50% and 80%) and
  interpolates between and beyond them; it is not a pointwise bootstrap band, and the page says so.
- Weighted empirical success per human-time bucket (stored with the result), sized by runs.
- Each task's mean score for this agent (from the runs table), as small grey dots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from web import format as fmt
from web.figures.common import (
    BUCKET_COLOUR,
    CURVE_BAND_COLOUR,
    CURVE_COLOUR,
    MAX_PLOT_MINUTES,
    MIN_PLOT_MINUTES,
    OTHER_COLOUR,
    add_band,
    base_layout,
    escape_name,
    time_axis,
)
from web.results import AgentHorizon

LN4 = math.log(4.0)
BAND_NOTE = (
    "Band: logistic curves through the lower CI bounds of p50 and p80 and through the upper bounds "
    "(the stored result keeps those CIs, not every bootstrap curve); it is exact at 50% and 80% "
    "success and interpolated elsewhere."
)


@dataclass(frozen=True)
class TaskPoint:
    """One task's dot on the agent's figure: its human time and the agent's mean score."""

    task_id: str
    human_minutes: float
    mean_score: float
    n_runs: int


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def curve_through(p50: float, p80: float) -> tuple[float, float] | None:
    """(intercept, coefficient) of the logistic in log2(minutes) with P(p50)=0.5 and P(p80)=0.8."""
    if not (p50 > 0 and p80 > 0) or p50 == p80:
        return None
    coefficient = LN4 / (math.log2(p80) - math.log2(p50))
    return -coefficient * math.log2(p50), coefficient


def success_curve(intercept: float, coefficient: float, minutes: Sequence[float]) -> list[float]:
    """The fitted logistic curve's success probability at each human time."""
    return [_sigmoid(intercept + coefficient * math.log2(m)) for m in minutes]


def _grid(lo: float, hi: float, steps: int = 120) -> list[float]:
    a, b = math.log10(lo), math.log10(hi)
    return [10 ** (a + (b - a) * i / steps) for i in range(steps + 1)]


def build_agent_figure(agent: AgentHorizon | None, tasks: Sequence[TaskPoint]) -> tuple[go.Figure, bool]:
    """The figure, and whether a CI band could be drawn."""
    fig = go.Figure()
    span = [t.human_minutes for t in tasks]
    if agent is not None:
        span += [v for v in (agent.p50, agent.p80) if v is not None]
        span += [b for bucket in agent.buckets for b in (bucket.lo, bucket.hi) if b is not None]
    # Stored values may be anything a float column holds (inf, NaN, 1e300): the grid spans only
    # what a chart can show.
    span = [v for v in span if MIN_PLOT_MINUTES <= v <= MAX_PLOT_MINUTES]
    lo = min(span) / 2 if span else 0.5
    hi = max(span) * 2 if span else 960.0
    grid = _grid(lo, hi)
    band = False

    if agent is not None and agent.p50_ci and agent.p80_ci:
        lower = curve_through(agent.p50_ci[0], agent.p80_ci[0])
        upper = curve_through(agent.p50_ci[1], agent.p80_ci[1])
        if lower and upper:
            a = success_curve(*lower, grid)
            b = success_curve(*upper, grid)
            add_band(
                fig,
                grid,
                [max(p, q) for p, q in zip(a, b, strict=True)],
                [min(p, q) for p, q in zip(a, b, strict=True)],
                name="CI band (from p50/p80 CIs)",
                upper_name="CI upper",
                colour=CURVE_BAND_COLOUR,
            )
            band = True
    if agent is not None and agent.intercept is not None and agent.coefficient is not None:
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=success_curve(agent.intercept, agent.coefficient, grid),
                mode="lines",
                line={"color": CURVE_COLOUR, "width": 2.5},
                name="fitted logistic",
                hovertemplate="%{x:.3g} min: P(success) %{y:.2f}<extra>fit</extra>",
            )
        )
    if tasks:
        fig.add_trace(
            go.Scatter(
                x=[t.human_minutes for t in tasks],
                y=[t.mean_score for t in tasks],
                mode="markers",
                name="task mean score",
                marker={"color": OTHER_COLOUR, "size": 6, "opacity": 0.6},
                customdata=[[escape_name(t.task_id), fmt.minutes(t.human_minutes), t.n_runs] for t in tasks],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>human time %{customdata[1]}<br>mean score %{y:.2f}"
                    " over %{customdata[2]} runs<extra></extra>"
                ),
            )
        )
    if agent is not None:
        buckets = [b for b in agent.buckets if b.rate is not None and b.lo and b.hi]
        if buckets:
            fig.add_trace(
                go.Scatter(
                    x=[math.sqrt((b.lo or 1) * (b.hi or 1)) for b in buckets],
                    y=[b.rate for b in buckets],
                    mode="markers",
                    name="weighted success per bucket",
                    marker={
                        "color": BUCKET_COLOUR,
                        "symbol": "square",
                        "size": [8 + min(14, 2 * math.sqrt(b.n_runs or 0)) for b in buckets],
                        "line": {"color": "white", "width": 1},
                    },
                    customdata=[
                        [escape_name(b.label), b.n_runs if b.n_runs is not None else "—"] for b in buckets
                    ],
                    hovertemplate=(
                        "bucket %{customdata[0]}<br>weighted success %{y:.2f}<br>%{customdata[1]} runs"
                        "<extra></extra>"
                    ),
                )
            )
    layout = base_layout(480)
    layout["xaxis"] = time_axis(grid, title="human time of the task (log scale)", pad=1.0)
    layout["yaxis"] = {
        "title": {"text": "probability of success"},
        "range": [-0.03, 1.03],
        "tickformat": ".0%",
        "gridcolor": "#e9ecef",
        "zeroline": False,
    }
    shapes, notes = [], []
    if agent is not None:
        for label, value, dash in (("p50", agent.p50, "dot"), ("p80", agent.p80, "dash")):
            if value is not None and value > 0:
                shapes.append(
                    {
                        "type": "line",
                        "xref": "x",
                        "yref": "paper",
                        "x0": value,
                        "x1": value,
                        "y0": 0,
                        "y1": 1,
                        "line": {"color": "#495057", "width": 1, "dash": dash},
                    }
                )
                notes.append(
                    {
                        "x": math.log10(value),
                        "y": 1.0,
                        "xref": "x",
                        "yref": "paper",
                        "text": f"{label} {fmt.minutes(value)}",
                        "showarrow": False,
                        "yanchor": "bottom",
                        "font": {"size": 12, "color": "#495057"},
                    }
                )
    layout["shapes"] = shapes
    layout["annotations"] = notes
    fig.update_layout(layout)
    return fig, band
