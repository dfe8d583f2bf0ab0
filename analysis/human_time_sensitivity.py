"""Sensitivity of the horizons to estimated human times (docs/method.md section 10).

Refits the same analysis on the tasks whose time comes from people (`human_source` baseline, qa,
external_qa) and sets each agent's p50 and the doubling time beside the full fit's. A large ratio
says the answer leans on estimates; the refit's own CIs say how much the smaller suite costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from analysis.human_time_uncertainty import task_is_estimate, without_estimates
from analysis.report import AnalysisParams, AnalysisReport, _num, analyze
from analysis.table import RunTable


def estimate_sensitivity(
    table: RunTable, release_dates: Mapping[str, date], params: AnalysisParams, full: AnalysisReport
) -> dict[str, Any]:
    """The `human_time_sensitivity` object: `full` against a refit without estimate-only tasks."""
    estimate = task_is_estimate(table)
    baselined = analyze(without_estimates(table), release_dates, params)
    refit = {a.agent: a for a in baselined.agents}
    agents = []
    for result in full.agents:
        other = refit.get(result.agent)
        p50, kept = result.horizons[0.5], other.horizons[0.5] if other is not None else float("nan")
        agents.append(
            {
                "agent": result.agent,
                "p50": _num(p50),
                "p50_baselined_only": _num(kept),
                "p50_baselined_only_ci": [_num(v) for v in other.intervals[0.5]] if other else [None, None],
                "ratio": _num(kept / p50) if p50 > 0 else None,
            }
        )
    return {
        "n_tasks": int(estimate.size),
        "n_estimate_tasks": int(estimate.sum()),
        "has_sources": table.human_source is not None,
        "agents": agents,
        "doubling_days": _num(full.trend.doubling_days),
        "doubling_days_baselined_only": _num(baselined.trend.doubling_days),
        "doubling_days_baselined_only_ci": [_num(v) for v in baselined.trend.doubling_days_ci],
        "excluded_agents_baselined_only": dict(baselined.excluded_agents),
    }
