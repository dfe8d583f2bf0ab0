"""Sensitivity of the horizons to estimated human times (docs/method.md section 10).

Compares the full fit with a refit on the tasks whose time comes from people (`human_source`
baseline, qa, external_qa): each agent's p50 and the doubling time side by side. A large ratio
says the answer leans on estimates; the refit's own CIs (when it was bootstrapped) say how much
the smaller suite costs. The refit itself is `analysis.report.refit_without_estimates`; this
module only lays the two fits' summaries side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.human_time_uncertainty import task_is_estimate
from analysis.table import RunTable


@dataclass(frozen=True)
class FitSummary:
    """What the comparison needs of one analysis (`AnalysisReport.fit_summary`)."""

    p50: Mapping[str, float]  # per fitted agent, in the report's agent order
    p50_ci: Mapping[str, tuple[float, float]]
    doubling_days: float
    doubling_days_ci: tuple[float, float]
    excluded_agents: Mapping[str, str]
    n_bootstrap: int


def source_counts(table: RunTable) -> dict[str, Any]:
    """How many tasks have people's times and how many only an estimate (or no stated source)."""
    estimate = task_is_estimate(table)
    unknown = 0
    if table.human_source is not None and len(table):
        blank = table.human_source == ""
        stated = set(table.task_codes[~blank].tolist())
        unknown = len(set(table.task_codes[blank].tolist()) - stated)
    elif len(table):
        unknown = int(estimate.size)
    return {
        "n_tasks": int(estimate.size),
        "n_estimate_tasks": int(estimate.sum()),
        "n_baseline_tasks": int(estimate.size - estimate.sum()),
        "n_unknown_source_tasks": unknown,
        "has_sources": table.human_source is not None,
    }


def sensitivity_json(table: RunTable, full: FitSummary, baselined: FitSummary) -> dict[str, Any]:
    """The sensitivity object: `full` against `baselined`, its refit without estimate-only tasks."""
    agents = []
    for agent, p50 in full.p50.items():
        kept = baselined.p50.get(agent, float("nan"))
        ci = baselined.p50_ci.get(agent)
        agents.append(
            {
                "agent": agent,
                "p50": _num(p50),
                "p50_baselined_only": _num(kept),
                "p50_baselined_only_ci": [_num(v) for v in ci] if ci is not None else [None, None],
                "ratio": _num(kept / p50) if p50 > 0 else None,
            }
        )
    counts = source_counts(table)
    return {
        "n_tasks": counts["n_tasks"],
        "n_estimate_tasks": counts["n_estimate_tasks"],
        "has_sources": counts["has_sources"],
        "bootstrap": baselined.n_bootstrap,
        "agents": agents,
        "doubling_days": _num(full.doubling_days),
        "doubling_days_baselined_only": _num(baselined.doubling_days),
        "doubling_days_baselined_only_ci": [_num(v) for v in baselined.doubling_days_ci],
        "excluded_agents_baselined_only": dict(baselined.excluded_agents),
    }


def _num(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
