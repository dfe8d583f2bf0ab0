"""Agents: the list (with stored horizons) and one agent's page (success curve and per-task table)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.agent_kinds import REFERENCE_SCAFFOLDS
from core.errors import NotFound
from core.models import Agent
from core.services.catalog import agent_spend
from web.deps import DbDep, Viewer
from web.figures.agent import BAND_NOTE, TaskPoint, build_agent_figure
from web.figures.common import figure_json
from web.params import AnalysisRef
from web.queries import agent_task_table, agents_overview
from web.rendering import WebRoute, render
from web.results import load_results

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/agents")
def agents_page(request: Request, db: DbDep, user: Viewer) -> Response:
    """Every agent with its stored horizon, including agents known only from imported runs."""
    results = load_results(db, with_overlays=False, with_staleness=False)
    horizons = {a.agent: a for a in results.current.agents} if results.current else {}
    rows = agents_overview(db)
    known = {r.name for r in rows}
    # Agents that only exist in the analysis (imported runs) are listed too.
    analysed_only = [a for name, a in sorted(horizons.items()) if name not in known and name != "human"]
    return render(
        request,
        "agents.html",
        {
            "rows": rows,
            "horizons": horizons,
            "analysed_only": analysed_only,
            "result": results.current,
            "reference_scaffolds": REFERENCE_SCAFFOLDS,
        },
    )


@router.get("/agents/{name:path}")
def agent_page(
    request: Request, name: str, db: DbDep, user: Viewer, analysis: AnalysisRef = None
) -> Response:
    """One agent: its success curve against human time and its runs per task (from the linked
    analysis when `?analysis=` pins one)."""
    agent = db.scalar(select(Agent).options(joinedload(Agent.model)).where(Agent.name == name))
    results = load_results(db, pinned=analysis, with_overlays=False)
    horizon = results.current.agent(name) if results.current else None
    if agent is None and horizon is None:
        raise NotFound(f"no agent named {name!r} (neither configured nor in the stored analysis)")
    table = agent_task_table(db, agent.id) if agent is not None else []
    spend = agent_spend(db, [agent.id])[agent.id] if agent is not None else None
    points = [
        TaskPoint(r.task_id, r.human_minutes, r.mean_score, r.n_completed)
        for r in table
        if r.human_minutes and r.mean_score is not None
    ]
    figure, band = build_agent_figure(horizon, points)
    return render(
        request,
        "agent.html",
        {
            "name": name,
            "agent": agent,
            "horizon": horizon,
            "table": table,
            "spend": spend,
            "figure": figure_json(figure),
            "band": band,
            "band_note": BAND_NOTE,
            "results": results,
        },
    )
