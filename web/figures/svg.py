"""The trend figure as a standalone SVG, drawn on the server from the same plotly figure the page
shows (no kaleido or browser needed): a date x axis, the log time y axis with its ticks, bands,
lines, markers with CI bars, agent labels, a legend, and the export title and caption from
`layout.meta` (`web.figures.trend`).

It draws only what the trend figure uses: scatter traces in `lines`, `markers`, `text` or
`markers+text` mode, bands filled `tonexty`, and the marker symbols below. Every string is
unescaped from plotly's HTML-escaped form and written XML-escaped, so names stay text.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import plotly.graph_objects as go

from web.figures.common import FONT

WIDTH = 1000
LEFT, RIGHT, TOP = 84, 24, 72
PLOT_HEIGHT = 400
CAPTION_CHARS = 150
MAX_LEGEND_ROWS = 4


def _text(value: object) -> str:
    """Plotly strings are HTML-escaped (`escape_name`); SVG wants the plain text XML-escaped."""
    return escape(html.unescape(str(value)))


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True)
class Frame:
    """The plot area and its scales: x in days (ordinal), y in log10 minutes."""

    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, day: dt.date) -> float:
        """The x pixel of a date."""
        span = (self.x1 - self.x0) or 1.0
        return LEFT + (day.toordinal() - self.x0) / span * (WIDTH - LEFT - RIGHT)

    def py(self, minutes: float) -> float:
        """The y pixel of a horizon in minutes (log scale); off-range values land off the area."""
        span = (self.y1 - self.y0) or 1.0
        return TOP + PLOT_HEIGHT - (math.log10(minutes) - self.y0) / span * PLOT_HEIGHT


def _frame(fig: go.Figure) -> Frame:
    yrange = list(fig.layout.yaxis.range or (0.0, 3.0))
    xrange = [d for d in (_date(v) for v in (fig.layout.xaxis.range or ())) if d is not None]
    if len(xrange) != 2:
        days = [d for t in fig.data for d in (_date(v) for v in (t.x or ())) if d is not None]
        xrange = [min(days), max(days)] if days else [dt.date(2020, 1, 1), dt.date(2025, 1, 1)]
    return Frame(xrange[0].toordinal(), xrange[1].toordinal(), float(yrange[0]), float(yrange[1]))


def _points(trace: Any, frame: Frame) -> list[tuple[float, float] | None]:
    """The trace's points in pixels; None where a value is missing or not plottable."""
    out: list[tuple[float, float] | None] = []
    for x, y in zip(trace.x or (), trace.y or (), strict=False):
        day, value = _date(x), _num(y)
        out.append((frame.px(day), frame.py(value)) if day is not None and value and value > 0 else None)
    return out


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Unbroken runs of points (a None is a gap in the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if len(r) >= 2]


def _path(run: Sequence[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in run)


DASHES = {"dash": "7,4", "dot": "2,3", "dashdot": "7,3,2,3"}


def _line(trace: Any, frame: Frame) -> list[str]:
    colour = trace.line.color or "#333"
    width = trace.line.width if trace.line.width is not None else 2
    dash = DASHES.get(trace.line.dash or "", "")
    style = f' stroke-dasharray="{dash}"' if dash else ""
    return [
        f'<path d="{_path(run)}" fill="none" stroke={quoteattr(colour)} stroke-width="{width}"{style}/>'
        for run in _runs(_points(trace, frame))
    ]


def _band(upper: Any, lower: Any, frame: Frame) -> list[str]:
    """The area between two traces, piece by piece where both have values."""
    pairs = list(zip(_points(upper, frame), _points(lower, frame), strict=False))
    shapes, piece = [], []
    for top, bottom in [*pairs, (None, None)]:
        if top is not None and bottom is not None:
            piece.append((top, bottom))
            continue
        if len(piece) >= 2:
            outline = [t for t, _ in piece] + [b for _, b in reversed(piece)]
            shapes.append(
                f'<path d="{_path(outline)} Z" fill={quoteattr(lower.fillcolor or "#ddd")} stroke="none"/>'
            )
        piece = []
    return shapes


def _symbol(symbol: str, x: float, y: float, size: float, colour: str) -> str:
    """One marker: filled unless plotly's symbol ends in `-open`."""
    open_ = symbol.endswith("-open")
    paint = (
        f'fill="white" stroke={quoteattr(colour)} stroke-width="1.6"'
        if open_
        else f"fill={quoteattr(colour)}"
    )
    r = size / 2
    base = symbol.removesuffix("-open")
    if base == "diamond":
        return f'<path d="{_path([(x, y - r), (x + r, y), (x, y + r), (x - r, y)])} Z" {paint}/>'
    if base in ("triangle-up", "triangle-down"):
        tip = -r if base == "triangle-up" else r
        return f'<path d="{_path([(x, y + tip), (x + r, y - tip), (x - r, y - tip)])} Z" {paint}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>'


def _markers(trace: Any, frame: Frame, metric: str) -> list[str]:
    colour = trace.marker.color or "#333"
    size = trace.marker.size or 8
    symbol = trace.marker.symbol or "circle"
    plus = list(trace.error_y.array or ()) if trace.error_y else []
    minus = list(trace.error_y.arrayminus or ()) if trace.error_y else []
    # Agent points carry (name, ..., link) rows (web.figures.trend); other markers have no name.
    names = [html.unescape(str(row[0])) if len(row) >= 7 else "" for row in (trace.customdata or ())]
    out = []
    for i, p in enumerate(_points(trace, frame)):
        if p is None:
            continue
        x, y = p
        value = float(trace.y[i])
        if i < len(plus) and i < len(minus):
            hi, lo = value + float(plus[i]), max(value - float(minus[i]), 1e-12)
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.py(hi):.1f}" y2="{frame.py(lo):.1f}" '
                f'stroke={quoteattr(colour)} stroke-width="1.2"/>'
            )
        name = names[i] if i < len(names) else ""
        tip = f"<title>{escape(name)}: {metric} {value:.6g} min</title>" if name else ""
        mark = _symbol(str(symbol), x, y, float(size), str(colour))
        out.append(f'<g class="point" data-agent={quoteattr(name)} data-value="{value!r}">{tip}{mark}</g>')
    return out


def _labels(trace: Any, frame: Frame) -> list[str]:
    positions = trace.textposition if isinstance(trace.textposition, list | tuple) else None
    colour = trace.textfont.color or "#495057"
    size = trace.textfont.size or 10
    out = []
    for i, (p, text) in enumerate(zip(_points(trace, frame), trace.text or (), strict=False)):
        if p is None:
            continue
        where = positions[i] if positions else (trace.textposition or "top center")
        dy = -9.0 if str(where).startswith("top") else 15.0
        anchor = {"left": "end", "right": "start"}.get(str(where).rsplit(" ", 1)[-1], "middle")
        out.append(
            f'<text x="{p[0]:.1f}" y="{p[1] + dy:.1f}" font-size="{size}" fill={quoteattr(colour)} '
            f'text-anchor="{anchor}">{_text(text)}</text>'
        )
    return out


def _axes(fig: go.Figure, frame: Frame) -> list[str]:
    bottom, right = TOP + PLOT_HEIGHT, WIDTH - RIGHT
    out = [
        f'<rect x="{LEFT}" y="{TOP}" width="{right - LEFT}" height="{PLOT_HEIGHT}" '
        'fill="white" stroke="#adb5bd"/>'
    ]
    for value, label in zip(fig.layout.yaxis.tickvals or (), fig.layout.yaxis.ticktext or (), strict=False):
        y = frame.py(float(value))
        if TOP <= y <= bottom:
            out.append(f'<line x1="{LEFT}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e9ecef"/>')
            out.append(
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{_text(label)}</text>'
            )
    first, last = dt.date.fromordinal(int(frame.x0)), dt.date.fromordinal(int(frame.x1))
    step = max(1, math.ceil((last.year - first.year + 1) / 12))
    for year in range(first.year + 1, last.year + 1, step):
        x = frame.px(dt.date(year, 1, 1))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{bottom}" stroke="#e9ecef"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11">{year}</text>')
    ytitle = fig.layout.yaxis.title.text or ""
    xtitle = fig.layout.xaxis.title.text or ""
    out.append(
        f'<text transform="translate(18,{TOP + PLOT_HEIGHT / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'font-size="12">{_text(ytitle)}</text>'
    )
    out.append(
        f'<text x="{(LEFT + right) / 2:.0f}" y="{bottom + 36}" text-anchor="middle" font-size="12">'
        f"{_text(xtitle)}</text>"
    )
    return out


def _legend(fig: go.Figure, y: float) -> tuple[list[str], float]:
    """Swatches for the named traces, wrapped into rows; returns the SVG and the y below it."""
    out, x, rows = [], float(LEFT), 1
    for trace in fig.data:
        if trace.showlegend is False or not trace.name or trace.mode == "text":
            continue
        label = html.unescape(str(trace.name))
        width = 40 + 7.2 * len(label)
        if x + width > WIDTH - RIGHT and x > LEFT:
            if rows == MAX_LEGEND_ROWS:
                break
            x, y, rows = float(LEFT), y + 18, rows + 1
        colour = str(trace.fillcolor or trace.line.color or trace.marker.color or "#333")
        if trace.mode and "markers" in trace.mode:
            swatch = _symbol(
                str(trace.marker.symbol or "circle"), x + 10, y - 4, 9, str(trace.marker.color or colour)
            )
        elif trace.fill:
            swatch = (
                f'<rect x="{x + 2:.1f}" y="{y - 9:.1f}" width="16" height="10" fill={quoteattr(colour)}/>'
            )
        else:
            dash = DASHES.get(trace.line.dash or "", "")
            style = f' stroke-dasharray="{dash}"' if dash else ""
            swatch = (
                f'<path d="{_path([(x, y - 4), (x + 20, y - 4)])}" stroke={quoteattr(colour)} '
                f'stroke-width="2"{style}/>'
            )
        out.append(swatch + f'<text x="{x + 24:.1f}" y="{y:.1f}" font-size="11">{escape(label)}</text>')
        x += width
    return out, y + 22


def trend_svg(fig: go.Figure, metric: str) -> str:
    """The figure as an SVG document, with the export title and caption from `layout.meta`."""
    frame = _frame(fig)
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    body: list[str] = _axes(fig, frame)
    plotted: list[str] = []
    traces = list(fig.data)
    for i, trace in enumerate(traces):
        mode = trace.mode or ""
        if trace.fill == "tonexty" and i > 0:
            plotted += _band(traces[i - 1], trace, frame)
        elif mode == "lines" and (trace.line.width is None or trace.line.width > 0):
            plotted += _line(trace, frame)
    for trace in traces:
        mode = trace.mode or ""
        if "markers" in mode:
            plotted += _markers(trace, frame, metric)
        if "text" in mode:
            plotted += _labels(trace, frame)
    legend, below = _legend(fig, TOP + PLOT_HEIGHT + 62)
    caption = textwrap.wrap(html.unescape(str(meta.get("caption", ""))), CAPTION_CHARS)
    caption_svg = [
        f'<text x="{LEFT}" y="{below + 16 * i:.0f}" font-size="11" fill="#495057">{escape(line)}</text>'
        for i, line in enumerate(caption)
    ]
    height = int(below + 16 * len(caption) + 14)
    title = _text(meta.get("title", ""))
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family={quoteattr(FONT)} fill="#212529">',
            f"<title>{title}</title>",
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
            f'<text x="{LEFT}" y="34" font-size="17" font-weight="600" id="figure-title">{title}</text>',
            f'<clipPath id="plot-area"><rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{PLOT_HEIGHT}"/></clipPath>',
            *body,
            '<g clip-path="url(#plot-area)">',
            *plotted,
            "</g>",
            *legend,
            '<g id="figure-caption">',
            *caption_svg,
            "</g>",
            "</svg>",
        ]
    )
