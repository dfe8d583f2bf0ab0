"""Runs out, in METR's runs format (JSON Lines), for METR's own analysis code or `horizon analyze`.

One object per run that a fit would use (`analyses.fit_runs_query`: completed, scored, on a task
with a human time; runs on task versions that failed their health check are left out unless
asked for, as in fits), with METR's field names:

    alias, task_id, task_family, run_id, human_minutes, human_source, score_cont,
    score_binarized, equal_task_weight, invsqrt_task_weight

and `source_run_id` (the id the source gave an imported run). The weights are
`analysis.weights.task_weights` over the exported runs, so they sum to 1 per agent, as in METR's
files, and a fit of the file uses them as they are. They are computed from per-(agent, task) run
counts first, then the runs are streamed in pages: memory grows with agents times tasks, never
with the number of runs. The export holds the runs stored when it was planned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from analysis.table import WEIGHT_COLUMNS
from analysis.weights import WEIGHTINGS, task_weights
from core.models import Agent, Run
from core.services.analyses import continuous_score, fit_runs_query, unhealthy_version_ids

PAGE_ROWS = 1000  # rows fetched from the database at a time


@dataclass(frozen=True)
class ExportScope:
    """Which runs to export: these agents (all when empty), with unhealthy task versions or not."""

    agents: Sequence[str] = ()
    include_unhealthy: bool = False


@dataclass(frozen=True)
class ExportPlan:
    """What `plan_export` settled before the first line: the runs stored then (ids up to
    `last_run_id`), the task versions left out, and each (agent, task) pair's weights."""

    scope: ExportScope
    last_run_id: int
    unhealthy: frozenset[int]
    weights: dict[tuple[str, str], dict[str, float]]


def _scoped(stmt: Select[*tuple[Any, ...]], scope: ExportScope, last_run_id: int) -> Select[*tuple[Any, ...]]:
    stmt = stmt.where(Run.id <= last_run_id)
    return stmt.where(Agent.name.in_(list(scope.agents))) if scope.agents else stmt


def plan_export(session: Session, scope: ExportScope) -> ExportPlan:
    """Settle the export's runs and weights. Every query that can fail on the scope runs here,
    before a line is sent, so a streamed answer never breaks off on bad input."""
    last_run_id = session.scalar(select(func.max(Run.id))) or 0
    unhealthy = frozenset() if scope.include_unhealthy else frozenset(unhealthy_version_ids(session))
    runs = _scoped(fit_runs_query(), scope, last_run_id).subquery()
    stmt = select(
        runs.c.name, runs.c.task_id, runs.c.family_id, runs.c.task_version_id, func.count()
    ).group_by(runs.c.name, runs.c.task_id, runs.c.family_id, runs.c.task_version_id)
    counts: dict[tuple[str, str, str], int] = {}
    for name, task_id, family, version_id, n in session.execute(stmt):
        if version_id not in unhealthy:
            counts[(name, task_id, family)] = counts.get((name, task_id, family), 0) + int(n)
    return ExportPlan(scope, last_run_id, unhealthy, _pair_weights(counts))


def _pair_weights(counts: dict[tuple[str, str, str], int]) -> dict[tuple[str, str], dict[str, float]]:
    """Each (agent, task) pair's run weight under every weighting, from its run count."""
    if not counts:
        return {}
    keys = sorted(counts)
    repeats = np.array([counts[k] for k in keys], dtype=np.int64)

    def codes(position: int) -> Any:
        _, inverse = np.unique(np.array([k[position] for k in keys], dtype=object), return_inverse=True)
        return np.repeat(inverse.astype(np.int64), repeats)

    # One row per run, as the weights are defined; each pair's runs share one weight.
    agent_codes, task_codes, family_codes = codes(0), codes(1), codes(2)
    first_row = np.concatenate(([0], np.cumsum(repeats)[:-1]))
    per_scheme = {
        scheme: task_weights(agent_codes, task_codes, family_codes, scheme)[first_row]
        for scheme in WEIGHTINGS
    }
    return {
        (name, task_id): {WEIGHT_COLUMNS[s]: float(per_scheme[s][i]) for s in WEIGHTINGS}
        for i, (name, task_id, _family) in enumerate(keys)
    }


def export_records(session: Session, plan: ExportPlan) -> Iterator[dict[str, Any]]:
    """The planned runs, one METR-format record each, ordered by agent, task and run id. A run
    whose task gained its human time after planning was not counted in the weights: left out."""
    if not plan.weights:
        return
    stmt = _scoped(fit_runs_query().add_columns(Run.external_id), plan.scope, plan.last_run_id).order_by(
        Agent.name, Run.task_id, Run.id
    )
    for row in session.execute(stmt.execution_options(yield_per=PAGE_ROWS)):
        weights = plan.weights.get((row.name, row.task_id))
        if row.task_version_id in plan.unhealthy or weights is None:
            continue
        yield {
            "alias": row.name,
            "task_id": row.task_id,
            "task_family": row.family_id,
            "run_id": str(row.id),
            "source_run_id": row.external_id,
            "human_minutes": float(row.human_minutes),
            "human_source": row.human_minutes_source,
            "score_cont": continuous_score(row.score_cont, row.score_binarized),
            "score_binarized": int(row.score_binarized),
            **weights,
        }


def export_jsonl(session: Session, plan: ExportPlan) -> Iterator[str]:
    """The planned runs as JSON Lines, one line (with its newline) per run."""
    for record in export_records(session, plan):
        yield json.dumps(record, allow_nan=False) + "\n"
