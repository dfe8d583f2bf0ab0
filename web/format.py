"""Formatting numbers, durations and dates for pages (also registered as Jinja filters)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def is_number(value: Any) -> bool:
    """A finite int or float (bool excluded) that a float can hold."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past a float's range: nothing a page can format
        return False


def minutes(value: Any) -> str:
    """Human-readable duration from minutes: `45 s`, `12 min`, `2.5 h`, `3.1 days`; `—` if unknown."""
    if not is_number(value):
        return "—"
    m = float(value)
    if m <= 0:
        return "0"
    if m < 1:
        return f"{m * 60:.0f} s"
    if m < 60:
        return f"{m:.3g} min"
    if m < 24 * 60:
        return f"{m / 60:.3g} h"
    return f"{m / (24 * 60):.3g} days"


def seconds_clock(value: Any) -> str:
    """`H:MM:SS` from seconds."""
    if not is_number(value):
        return "—"
    total = int(float(value))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def number(value: Any, digits: int = 3) -> str:
    """A number with `digits` significant digits; `—` if missing."""
    if not is_number(value):
        return "—"
    return f"{float(value):.{digits}g}"


def percent(value: Any) -> str:
    """0.734 -> `73%`."""
    if not is_number(value):
        return "—"
    return f"{100 * float(value):.0f}%"


def dollars(value: Any) -> str:
    """A cost in dollars, with more decimals for sums under a cent."""
    if not is_number(value):
        return "—"
    v = float(value)
    return f"${v:.4f}" if 0 < v < 0.01 else f"${v:,.2f}"


def interval(pair: Any, fmt: Any = minutes) -> str:
    """`[lo, hi]` as `lo – hi`, or `—` when either side is missing."""
    if not isinstance(pair, list | tuple) or len(pair) != 2 or not all(is_number(v) for v in pair):
        return "—"
    return f"{fmt(pair[0])} – {fmt(pair[1])}"


def when(value: Any) -> str:
    """A UTC timestamp as `2026-11-23 18:40 UTC`."""
    if not isinstance(value, dt.datetime):
        return "—" if value is None else str(value)
    stamp = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration_between(start: Any, end: Any) -> str:
    """The time from start to end, in seconds or minutes."""
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        return "—"
    seconds = (end - start).total_seconds()
    return f"{seconds:.1f} s" if seconds < 120 else minutes(seconds / 60)


FILTERS = {
    "minutes": minutes,
    "clock": seconds_clock,
    "num": number,
    "pct": percent,
    "dollars": dollars,
    "interval": interval,
    "when": when,
}
