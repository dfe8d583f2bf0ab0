"""The console and number formats every `horizon` analysis command prints with."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

console = Console()


def _fmt(value: Any, digits: int = 3) -> str:
    """A number for a table: "-" when missing; 2 decimals under 100, 1 above; 3 digits under 1 or from 1e5."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    magnitude = abs(number)
    if magnitude >= 1e5 or magnitude < 1:
        return f"{number:.{digits}g}"
    return f"{number:.2f}" if magnitude < 100 else f"{number:,.1f}"


def _ci(pair: list[Any]) -> str:
    """An interval as [lo, hi]."""
    return f"[{_fmt(pair[0])}, {_fmt(pair[1])}]"
