"""An analysis's numbers for publication: per-agent horizons with CIs and release dates, and the
trend's doubling time with its CI, as JSON or CSV.

Built from the parsed stored result (`web.results`), so an export holds exactly what the pages
show and nothing the analysis row keeps besides (its error text, who requested it). Bounded: at
most MAX_EXPORT_AGENTS agents (a result imported from elsewhere may hold any number; the export
says when it left some out). The result keeps each agent's replicate counts, which are exported;
the replicates themselves live in `analysis_samples` and the routes add them as
`bootstrap_samples` (`web.sample_exports`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from core.services.analysis_samples import SampleSet
from web.results import AgentHorizon, StoredResult, Trend, load_results

MAX_EXPORT_AGENTS = 5_000
# A spreadsheet runs a cell starting with one of these as a formula; names come from submitters.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "agent",
    "release_date",
    "on_trend",
    "n_runs",
    "n_tasks",
    "weighted_success",
    "p50_minutes",
    "p50_ci_low",
    "p50_ci_high",
    "p80_minutes",
    "p80_ci_low",
    "p80_ci_high",
    "fit_status",
    "flags",
    "trend_doubling_days",
    "trend_doubling_ci_low",
    "trend_doubling_ci_high",
    "confidence",
)


def finished_result(session: Session, analysis_id: int) -> StoredResult:
    """Analysis `analysis_id` as the pages parse it: 404 when there is none, 409 while it has no
    result (queued, running, failed or cancelled)."""
    results = load_results(session, pinned=analysis_id, with_overlays=False, with_staleness=False)
    if results.pending is not None:
        raise Conflict(f"analysis #{analysis_id} is {results.pending.status}: it has no result to export")
    if results.current is None:
        raise NotFound(f"analysis #{analysis_id} has no readable result")
    return results.current


def _agent_json(a: AgentHorizon, on_trend: bool) -> dict[str, Any]:
    return {
        "agent": a.agent,
        "release_date": a.release_date.isoformat() if a.release_date else None,
        "on_trend": on_trend,
        "n_runs": a.n_runs,
        "n_tasks": a.n_tasks,
        "weighted_success": a.average,
        "p50": a.p50,
        "p50_ci": list(a.p50_ci) if a.p50_ci else None,
        "p80": a.p80,
        "p80_ci": list(a.p80_ci) if a.p80_ci else None,
        "fit_status": a.fit_status,
        "flags": a.flags,
        "bootstrap_counts": a.replicate_counts,
    }


def _trend_json(trend: Trend | None) -> dict[str, Any] | None:
    """A stored trend (doubling time and its CI) as JSON; None when the result has none."""
    if trend is None:
        return None
    return {
        "window": [d.isoformat() if d else None for d in trend.window],
        "agents": trend.agents,
        "doubling_days": trend.doubling_days,
        "doubling_days_ci": list(trend.doubling_days_ci) if trend.doubling_days_ci else None,
        "doubling_days_ci_unbounded": trend.ci_unbounded,
        "doubling_days_ci_low": trend.doubling_days_ci_low,
        "confidence": trend.confidence,
        "flags": trend.flags,
    }


def export_json(result: StoredResult, bootstrap_samples: SampleSet | str) -> dict[str, Any]:
    """The analysis's numbers as one JSON object, with its stored replicate horizons (or the note
    saying why there are none: `web.sample_exports.samples_json`)."""
    trend = result.trend
    on_trend = set(trend.agents) if trend else set()
    agents = result.agents[:MAX_EXPORT_AGENTS]
    return {
        "analysis": {
            "id": result.id,
            "label": result.label,
            "created_at": result.created_at.isoformat(),
            "n_runs": result.n_runs,
            "simulated": result.simulated,
            "params": result.params,
        },
        "agents": [_agent_json(a, a.agent in on_trend) for a in agents],
        "agents_left_out": len(result.agents) - len(agents),
        "trend": _trend_json(trend),
        "trend_p80": _trend_json(result.trend_p80),
        "bootstrap_samples": bootstrap_samples,
    }


def csv_cell(value: object) -> str:
    """A CSV cell: numbers as Python writes them, names kept from running as formulas."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def export_csv(result: StoredResult) -> str:
    """One row per agent (at most MAX_EXPORT_AGENTS), the trend's doubling time on every row."""
    trend = result.trend
    on_trend = set(trend.agents) if trend else set()
    ci = (trend.doubling_days_ci if trend else None) or (None, None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in result.agents[:MAX_EXPORT_AGENTS]:
        p50_ci, p80_ci = a.p50_ci or (None, None), a.p80_ci or (None, None)
        row = (
            a.agent,
            a.release_date.isoformat() if a.release_date else None,
            a.agent in on_trend,
            a.n_runs,
            a.n_tasks,
            a.average,
            a.p50,
            *p50_ci,
            a.p80,
            *p80_ci,
            a.fit_status,
            " ".join(a.flags),
            trend.doubling_days if trend else None,
            *ci,
            trend.confidence if trend else None,
        )
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()
