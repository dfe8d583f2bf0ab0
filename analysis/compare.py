"""Paired comparison of two agents' horizons on the tasks both ran (docs/method.md section 6).

Two agents' separate CIs overlap even when one is clearly longer: most of each CI is the luck of
which tasks were drawn, and that luck is shared when both ran the same tasks. So the comparison
resamples them together:

1. keep only runs on tasks that both agents ran (families are those of the kept tasks);
2. fit each agent on those runs (weights recomputed on them, `AnalysisParams.weighting`);
3. bootstrap the two-agent table: each replicate draws one set of families, tasks and runs for
   both agents (`bootstrap.bootstrap_fits`), and the ratio `h_A / h_B` is taken within it;
4. the CI is the percentile interval of those ratios, and `P(A > B)` the share of replicates in
   which A's horizon is the longer (ties count half): the bootstrap's answer, not a posterior.

A replicate in which either agent has no fit (one class only) has no ratio: it is counted in
`n_undefined` and left out of the interval and the probability, never silently. Equal horizons
are rejected at level `1 - confidence` when the interval excludes 1; tests/analysis/test_compare.py
checks by simulation that this happens about that often for equal agents and that known ratios
are covered about `confidence` of the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.bootstrap import BootstrapLevels, bootstrap_fits, percentile_interval
from analysis.errors import AnalysisInputError
from analysis.logistic import LogisticFit, fit_logistic
from analysis.report import AnalysisParams, ProgressCallback, analysis_weights, check_fittable
from analysis.table import RunTable

FloatArray = NDArray[np.float64]
COMPARED_RATES = (0.5, 0.8)


@dataclass(frozen=True)
class RatioEstimate:
    """`h_A / h_B` at one success rate: point, percentile CI, and the bootstrap's P(A > B)."""

    success_rate: float
    horizon_a: float
    horizon_b: float
    ratio: float
    ci: tuple[float, float]
    prob_a_longer: float
    n_replicates: int
    n_undefined: int

    @property
    def excludes_one(self) -> bool:
        """Whether the interval lies wholly on one side of 1 (a significant difference)."""
        lo, hi = self.ci
        return bool(lo > 1.0 or hi < 1.0)

    def to_json(self) -> dict[str, Any]:
        """This estimate in the comparison's JSON (non-finite numbers become null)."""
        return {
            "success_rate": self.success_rate,
            "horizon_a": _num(self.horizon_a),
            "horizon_b": _num(self.horizon_b),
            "ratio": _num(self.ratio),
            "ratio_ci": [_num(v) for v in self.ci],
            "prob_a_longer": _num(self.prob_a_longer),
            "excludes_one": self.excludes_one,
            "n_replicates": self.n_replicates,
            "n_undefined_replicates": self.n_undefined,
        }


@dataclass(frozen=True)
class Comparison:
    """Everything `compare_agents` found; `to_json` is the form the CLI, API and page show."""

    agent_a: str
    agent_b: str
    n_shared_tasks: int
    n_shared_families: int
    n_runs: dict[str, int]
    n_tasks_left_out: dict[str, int]
    estimates: dict[float, RatioEstimate]
    params: AnalysisParams

    def to_json(self) -> dict[str, Any]:
        """The comparison as JSON-ready objects."""
        return {
            "agent_a": self.agent_a,
            "agent_b": self.agent_b,
            "shared_tasks": self.n_shared_tasks,
            "shared_families": self.n_shared_families,
            "n_runs": dict(self.n_runs),
            "tasks_left_out": dict(self.n_tasks_left_out),
            "confidence": self.params.confidence,
            "bootstrap": self.params.n_bootstrap,
            "regularization": self.params.regularization,
            "weighting": self.params.weighting,
            "seed": self.params.seed,
            "estimates": {_key(q): e.to_json() for q, e in self.estimates.items()},
        }


def shared_task_table(table: RunTable, agent_a: str, agent_b: str) -> tuple[RunTable, dict[str, int]]:
    """Runs of the two agents on the tasks both ran, and per agent how many of its tasks were dropped."""
    missing = [a for a in (agent_a, agent_b) if a not in table.agents]
    if missing:
        raise AnalysisInputError(f"no runs for agent(s): {', '.join(missing)}")
    if agent_a == agent_b:
        raise AnalysisInputError("compare two different agents")
    tasks = {a: set(table.task_id[table.agent == a]) for a in (agent_a, agent_b)}
    shared = tasks[agent_a] & tasks[agent_b]
    if not shared:
        raise AnalysisInputError(f"{agent_a} and {agent_b} share no task: there is nothing to compare")
    keep = np.isin(table.agent, [agent_a, agent_b]) & np.isin(table.task_id, list(shared))
    left_out = {a: len(tasks[a] - shared) for a in (agent_a, agent_b)}
    return table.select(keep), left_out


def compare_agents(
    table: RunTable,
    agent_a: str,
    agent_b: str,
    params: AnalysisParams = AnalysisParams(),
    progress: ProgressCallback | None = None,
    levels: BootstrapLevels = "families",
) -> Comparison:
    """Paired comparison of `agent_a` against `agent_b` (see the module docstring).

    Raises `AnalysisInputError` for an unknown or repeated agent, no shared task, fewer than two
    runs of either on the shared tasks, or zero bootstrap replicates (the interval needs them).
    """
    params.validate()
    if params.n_bootstrap < 1:
        raise AnalysisInputError("a paired comparison needs bootstrap replicates (--bootstrap >= 1)")
    pair, left_out = shared_task_table(table, agent_a, agent_b)
    check_fittable(pair)
    y = pair.scores(params.partial_scoring)
    # The table's stored weights were normalised over all of an agent's tasks, not the shared ones.
    weights, _ = analysis_weights(pair, params)
    x = pair.log2_minutes
    fits: dict[str, LogisticFit] = {}
    for code, agent in enumerate(pair.agents):
        rows = pair.agent_codes == code
        fits[agent] = fit_logistic(x[rows], y[rows], weights[rows], params.regularization, params.solver)
    initial = (
        np.array([fits[a].intercept if fits[a].status == "ok" else np.nan for a in pair.agents]),
        np.array([fits[a].coefficient if fits[a].status == "ok" else np.nan for a in pair.agents]),
    )
    boot = bootstrap_fits(
        pair,
        y,
        weights,
        params.regularization,
        params.n_bootstrap,
        solver=params.solver,
        base_seed=params.seed,
        initial=initial,
        progress=progress,
        levels=levels,
    )
    column = {agent: i for i, agent in enumerate(boot.agents)}
    estimates: dict[float, RatioEstimate] = {}
    for q in (*COMPARED_RATES, *[r for r in params.extra_success_rates if r not in COMPARED_RATES]):
        horizons = boot.horizons(q, "count")
        estimates[q] = ratio_estimate(
            q,
            fits[agent_a].horizon(q),
            fits[agent_b].horizon(q),
            horizons[:, column[agent_a]],
            horizons[:, column[agent_b]],
            params.confidence,
        )
    return Comparison(
        agent_a=agent_a,
        agent_b=agent_b,
        n_shared_tasks=len(np.unique(pair.task_id)),
        n_shared_families=len(np.unique(pair.task_family)),
        n_runs={a: int(np.sum(pair.agent == a)) for a in (agent_a, agent_b)},
        n_tasks_left_out=left_out,
        estimates=estimates,
        params=params,
    )


def ratio_estimate(
    success_rate: float,
    horizon_a: float,
    horizon_b: float,
    replicates_a: FloatArray,
    replicates_b: FloatArray,
    confidence: float,
) -> RatioEstimate:
    """The ratio's point, interval and P(A > B) from paired replicate horizons (NaN = no fit)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.asarray(replicates_a, dtype=np.float64) / np.asarray(replicates_b, dtype=np.float64)
    # 0/0 and inf/inf are NaN here too: such a replicate says nothing about which is longer.
    defined = ~np.isnan(ratios)
    kept = ratios[defined]
    if kept.size:
        prob = float((np.sum(kept > 1.0) + 0.5 * np.sum(kept == 1.0)) / kept.size)
    else:
        prob = float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        point = horizon_a / horizon_b if horizon_b != 0 else float("nan")
    return RatioEstimate(
        success_rate=success_rate,
        horizon_a=horizon_a,
        horizon_b=horizon_b,
        ratio=float(point),
        ci=percentile_interval(kept, confidence),
        prob_a_longer=prob,
        n_replicates=int(kept.size),
        n_undefined=int(np.sum(~defined)),
    )


def _num(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _key(q: float) -> str:
    return f"p{round(q * 100, 6):g}"
