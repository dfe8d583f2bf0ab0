"""Published (outside) per-agent horizons, stored as an overlay for the dashboard's trend chart.

An overlay is a finished `analysis_results` row whose `params.source` is `published`
(`web/results.py` tells overlays from this system's fits by it), so it is never mixed into them.
Everything is read and checked before the row is written: bad input stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from analysis.report import run_trend
from analysis.runs_io import read_bootstrap_samples, read_horizon_cis, read_horizons, read_release_dates
from analysis.trend import parse_window
from core.models import AnalysisResult, utcnow
from core.states import AnalysisStatus

SOURCE_PUBLISHED = "published"


def import_published_horizons(
    session: Session,
    horizons: Path,
    label: str,
    *,
    release_dates: Path | None = None,
    bootstrap_samples: Path | None = None,
    window: str | None = None,
) -> AnalysisResult:
    """Read a horizons CSV (agent or model, p50, optional release_date and CI columns), fit the
    trend over it and store the overlay named `label`. `AnalysisInputError` on bad input."""
    p50, dates = read_horizons(horizons)
    if release_dates is not None:
        dates.update(read_release_dates(release_dates))
    samples = read_bootstrap_samples(bootstrap_samples) if bootstrap_samples is not None else None
    trend = run_trend(p50, dates, parse_window(window), samples=samples, allow_missing_dates=True)
    cis = read_horizon_cis(horizons)
    frontier = set(trend.get("agents") or [])
    agents: list[dict[str, Any]] = [
        {
            "agent": agent,
            "p50": value,
            "p50_ci": list(cis.get(agent, (None, None))),
            "release_date": dates[agent].isoformat() if agent in dates else None,
            "frontier": agent in frontier,
        }
        for agent, value in p50.items()
    ]
    row = AnalysisResult(
        status=AnalysisStatus.DONE,
        params={"source": SOURCE_PUBLISHED, "label": label, "file": horizons.name},
        result={"params": {"source": SOURCE_PUBLISHED, "label": label}, "agents": agents, "trend": trend},
        n_runs=0,
        finished_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row
