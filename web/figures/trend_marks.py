"""Marks on the trend figure beyond its points and line: agent labels, links to agent pages,
off-scale markers, published overlays' own trend lines, and the caption an exported figure carries.

A horizon the log axis cannot show (0, or under a second) or a CI reaching far past every point
would otherwise be a bare error bar or stretch the axis over decades: such agents get a triangle at
the axis edge whose hover says why. The axis itself stops `AXIS_HEADROOM` above the highest point.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import plotly.graph_objects as go

from analysis.trend import DateWindow, days_since_epoch, fit_trend, frontier_agents
from web.figures.common import escape_name, exp_in_range
from web.results import AgentHorizon, StoredResult

# Below one second a horizon is drawn as a marker on the axis floor (the axis stops at half a second).
OFF_SCALE_LOW_MINUTES = 1 / 60
# The axis reaches at most 6 doublings above the highest point; CI ends past that are marked.
AXIS_HEADROOM = 64.0
# More labels than this overlap into a smudge: beyond it only frontier and newest agents are named.
MAX_LABELS = 16
LABEL_COLOUR = "#495057"
# Neighbours by release date take turns above and below, and to either side, to overlap less.
LABEL_POSITIONS = ("top center", "bottom center", "top left", "bottom right")
OFF_SCALE_COLOUR = "#c92a2a"


def agent_link(name: str) -> str:
    """The agent page's path, the name percent-encoded (a point's click goes there)."""
    return "/agents/" + quote(name, safe="")


@dataclass(frozen=True)
class OffScale:
    """An agent drawn as a triangle at the axis edge, and what its hover says."""

    agent: AgentHorizon
    side: str  # "low" (horizon under the axis) or "high" (horizon or CI end above it)
    note: str


def is_off_scale_low(agent: AgentHorizon, metric: str) -> bool:
    """Whether the horizon is 0 or under a second: a log axis cannot show it."""
    value = agent.horizon(metric)
    return value is not None and value < OFF_SCALE_LOW_MINUTES


def is_unbounded_above(agent: AgentHorizon, metric: str) -> bool:
    """Every run succeeded: the horizon is +inf (stored as null with fit status `all_successes`)."""
    return agent.horizon(metric) is None and agent.fit_status == "all_successes"


def axis_values(agents: Sequence[AgentHorizon], metric: str) -> list[float]:
    """The horizons and CI ends the axis must cover: on-scale points, and CI ends within
    AXIS_HEADROOM of the highest point."""
    points = [v for a in agents if (v := a.horizon(metric)) is not None and v >= OFF_SCALE_LOW_MINUTES]
    if not points:
        return []
    cap = max(points) * AXIS_HEADROOM
    ends = [v for a in agents for v in (a.ci(metric) or ()) if OFF_SCALE_LOW_MINUTES <= v <= cap]
    return points + ends


def off_scale(agents: Sequence[AgentHorizon], metric: str, axis_top: float) -> list[OffScale]:
    """The agents to mark at the axis edges: under it, unbounded, or with a CI end above it."""
    marks = []
    for a in agents:
        ci = a.ci(metric)
        if is_off_scale_low(a, metric):
            marks.append(OffScale(a, "low", f"{metric} below 1 s (off the axis)"))
        elif is_unbounded_above(a, metric):
            marks.append(OffScale(a, "high", f"{metric} unbounded: every run succeeded"))
        elif ci is not None and ci[1] > axis_top:
            marks.append(OffScale(a, "high", "upper bound beyond axis"))
    return marks


def off_scale_trace(marks: list[OffScale], side: str, y: float, rows: list[list[str]]) -> go.Scatter:
    """Triangles at the axis floor ("low") or ceiling ("high"), hover naming the agent and why."""
    chosen = [m for m in marks if m.side == side]
    return go.Scatter(
        x=[m.agent.release_date.isoformat() for m in chosen if m.agent.release_date],
        y=[y] * len(chosen),
        mode="markers",
        name="below the axis" if side == "low" else "beyond the axis",
        marker={
            "color": OFF_SCALE_COLOUR,
            "size": 11,
            "symbol": "triangle-down" if side == "low" else "triangle-up",
            "line": {"color": "white", "width": 1},
        },
        # Notes are fixed text from above; names are in `rows` (escaped), never in the template.
        customdata=[[*row, m.note] for row, m in zip(rows, chosen, strict=True)],
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[7]}<br>CI: %{customdata[2]}<extra></extra>",
    )


def label_trace(points: list[tuple[AgentHorizon, float]], frontier: set[str]) -> go.Scatter:
    """Agent names beside their points, taking turns in LABEL_POSITIONS by release date; at most
    MAX_LABELS, frontier agents first, then the newest."""
    ranked = sorted(
        points,
        key=lambda p: (
            p[0].agent not in frontier,
            -(p[0].release_date.toordinal() if p[0].release_date else 0),
        ),
    )[:MAX_LABELS]
    ranked.sort(key=lambda p: p[0].release_date.toordinal() if p[0].release_date else 0)
    return go.Scatter(
        x=[a.release_date.isoformat() for a, _ in ranked if a.release_date],
        y=[y for _, y in ranked],
        mode="text",
        text=[escape_name(a.agent) for a, _ in ranked],
        textposition=[LABEL_POSITIONS[i % len(LABEL_POSITIONS)] for i in range(len(ranked))],
        textfont={"size": 10, "color": LABEL_COLOUR},
        name="agent labels",
        showlegend=False,
        hoverinfo="skip",
    )


def overlay_trend_trace(
    overlay: StoredResult, metric: str, window: DateWindow, colour: str, to_date: Callable[[float], dt.date]
) -> go.Scatter | None:
    """The published overlay's own exponential trend (least squares over its frontier), dashed.
    `to_date` maps days since 1970 to a date (the caller's clamped converter)."""
    values = {a.agent: v for a in overlay.agents if (v := a.horizon(metric)) is not None and v > 0}
    dates = {a.agent: a.release_date for a in overlay.agents if a.release_date is not None}
    frontier = frontier_agents(values, dates, window)
    if len(frontier) < 2:
        return None
    line = fit_trend([values[a] for a in frontier], [dates[a] for a in frontier])
    if not math.isfinite(line.slope) or line.slope == 0:
        return None
    xs_days = [days_since_epoch(dates[a]) for a in frontier]
    start, end = min(xs_days) - 60, max(xs_days) + 60
    xs = [start + (end - start) * i / 30 for i in range(31)]
    return go.Scatter(
        x=[to_date(x).isoformat() for x in xs],
        y=[exp_in_range(line.intercept + line.slope * x) for x in xs],
        mode="lines",
        line={"color": colour, "width": 1.6, "dash": "dash"},
        name=escape_name(f"{overlay.label} trend"),
        hoverinfo="skip",
    )


def caption(result: StoredResult, metric: str, confidence: float) -> str:
    """What a published figure must say about where it comes from (plain text, one line)."""
    p = result.params
    human = result.sections.human_time if result.sections else None
    parts = [
        f"{result.label}, fitted {result.created_at:%Y-%m-%d}",
        f"{metric}; regularization {p.get('regularization', '—')}, weighting {p.get('weighting', '—')}, "
        f"bootstrap {p.get('bootstrap', '—')}",
        f"{confidence:.0%} CIs",
        f"{result.n_runs} runs",
    ]
    if human is not None and human.n_tasks is not None:
        estimates = human.n_estimates or 0
        # Tasks of unknown source are counted among the estimates (analysis.report_sections).
        baselined = max(human.n_tasks - estimates, 0)
        parts.append(f"human times: {estimates} estimates / {baselined} baselined")
    return " · ".join(escape_name(x) for x in parts)
