"""One-line summaries of an analysis's parameters, for the dashboard's header and the history page.

Stored parameters come from an `AnalysisRequest` (fits of this database) or from a report's own
`params` (imports), so every field is read defensively and a missing one is left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from analysis.report import PRESETS

# The request fields that name a preset; an analysis matching all of one preset's values is
# summarised by that preset's name, otherwise as "custom".
_PRESET_FIELDS = ("regularization", "bootstrap_levels", "degenerate_replicates", "doubling_ci", "solver")
MAX_TEXT = 40  # imported params may hold anything: each shown value is cut to this


def preset_name(params: dict[str, Any]) -> str:
    """`calibrated`, `metr`, or `custom` when the parameters match neither preset."""
    for name, values in PRESETS.items():
        if all(params.get(k) == values[k] for k in _PRESET_FIELDS):
            return name
    return "custom"


def _day(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value:
        return value[:10]
    return None


def window_text(params: dict[str, Any]) -> str | None:
    """The release-date window the trend was fitted over, as `2019-01-01 to 2030-01-01`."""
    after, before = _day(params.get("window_after")), _day(params.get("window_before"))
    window = params.get("window")
    if after is None and before is None and isinstance(window, list) and len(window) == 2:
        after, before = _day(window[0]), _day(window[1])
    if after is None and before is None:
        return None
    return f"{after or 'any'} to {before or 'any'}"


def _short(value: Any) -> str:
    return str(value)[:MAX_TEXT]


def params_summary(params: dict[str, Any]) -> str:
    """`preset calibrated, bootstrap 1000, regularization 1e-05, window 2019-01-01 to 2030-01-01`."""
    parts = [f"preset {preset_name(params)}"]
    if "bootstrap" in params:
        parts.append(f"bootstrap {_short(params['bootstrap'])}")
    if "regularization" in params:
        parts.append(f"regularization {_short(params['regularization'])}")
    window = window_text(params)
    if window:
        parts.append(f"window {window}")
    return ", ".join(parts)
