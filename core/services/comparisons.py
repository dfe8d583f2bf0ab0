"""Paired comparisons of two agents over the database's runs (`analysis.compare`).

The comparison reads only the two agents' completed runs (as a fit would use them: scored, on a
task with a human time, unhealthy task versions left out unless asked) and is computed while the
request waits: the joint bootstrap is capped by the request schema (`COMPARE_MAX_BOOTSTRAP`) and,
with the batched solver, takes well under a second on METR's suite. Nothing is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.compare import compare_agents
from analysis.errors import AnalysisInputError
from analysis.report import AnalysisParams
from analysis.table import RunTable
from core.errors import InvalidInput, NotFound
from core.models import Agent, Run
from core.schemas import CompareRequest
from core.services.analyses import fit_runs_query, runs_frame, unhealthy_version_ids

# The page's agent pickers list at most this many names.
MAX_LISTED_AGENTS = 500


def comparable_agents(session: Session) -> list[str]:
    """Names of agents with runs a fit would use, sorted (the compare page's choices)."""
    query = fit_runs_query().with_only_columns(Agent.name).distinct().order_by(Agent.name)
    return list(session.scalars(query.limit(MAX_LISTED_AGENTS)))


def compare(session: Session, request: CompareRequest) -> dict[str, Any]:
    """The comparison's JSON (`analysis.compare.Comparison.to_json` plus `levels`).

    NotFound for an agent that does not exist; InvalidInput when they cannot be compared (the same
    agent twice, no shared task, no usable runs).
    """
    if request.a == request.b:
        raise InvalidInput("compare two different agents")
    known = set(session.scalars(select(Agent.name).where(Agent.name.in_((request.a, request.b)))))
    unknown = [name for name in (request.a, request.b) if name not in known]
    if unknown:
        raise NotFound(f"no agent named {', '.join(repr(n) for n in unknown)}")
    rows = list(session.execute(fit_runs_query().where(Agent.name.in_(known)).order_by(Run.id)))
    unhealthy = set() if request.include_unhealthy_tasks else unhealthy_version_ids(session)
    kept = [r for r in rows if r.task_version_id not in unhealthy]
    params = AnalysisParams(
        regularization=request.regularization,
        weighting=request.weighting,  # type: ignore[arg-type]
        n_bootstrap=request.bootstrap,
        seed=request.seed,
        confidence=request.confidence,
    )
    try:
        if not kept:
            raise AnalysisInputError("neither agent has completed, scored runs on tasks with a human time")
        table = RunTable.from_frame(runs_frame(kept))
        result = compare_agents(table, request.a, request.b, params, levels=request.levels)  # type: ignore[arg-type]
    except AnalysisInputError as exc:
        raise InvalidInput(str(exc)) from exc
    return {**result.to_json(), "levels": request.levels}
