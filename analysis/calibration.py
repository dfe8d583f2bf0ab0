"""Empirical coverage of the intervals on the user's own suite (`horizon calibrate`).

A 95% interval is only worth its name if it covers the truth about 95% of the time. This module
measures that by simulation (docs/method.md section 9):

1. fit the user's runs once (no bootstrap): each agent with a usable fit (status ok, negative
   slope, p50 within its tasks' range) becomes a simulated agent with that p50, that slope and
   its release date; the others are listed as skipped;
2. simulate evaluations on the user's own tasks (`simulate.simulate_runs`: same task times and
   families, `repeats` runs per agent and task, random family and task difficulty offsets drawn
   anew in every study), and analyse each with the given parameters;
3. count how often the p50, p80 and doubling-time intervals cover the truth.

The truth: p50 is the simulated agent's p50 (the offsets are symmetric, so the population success
rate there is 50%); p80 is where the population success rate, averaged over the offsets, is 80%
(solved numerically); the doubling time is the trend fitted to the true p50s of the true frontier
in the analysis window. The simulated slope is the fitted one scaled up by the logistic-normal
attenuation factor `sqrt(1 + 0.346 * sd^2)` (sd^2 = family_sd^2 + task_sd^2), so that population
curves are about as steep as the fitted ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
from scipy.special import expit

from analysis.errors import AnalysisInputError
from analysis.report import AnalysisParams, analyze
from analysis.simulate import SimulatedAgent, TaskSuite, simulate_runs
from analysis.table import RunTable
from analysis.trend import fit_trend, frontier_agents

# Logistic-normal attenuation: E[sigmoid(z + e)] ~ sigmoid(z / sqrt(1 + ATTENUATION * var(e))).
ATTENUATION = 0.346
MAX_SIMULATIONS = 10_000
_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(40)


def population_horizon(p50: float, slope: float, offset_sd: float, success_rate: float) -> float:
    """Minutes at which the success rate averaged over N(0, offset_sd) offsets is `success_rate`."""
    if offset_sd == 0:
        return p50 * 2 ** (math.log(success_rate / (1 - success_rate)) / slope)
    weights = _HERMITE_WEIGHTS / _HERMITE_WEIGHTS.sum()
    offsets = offset_sd * _HERMITE_NODES

    def gap(doublings: float) -> float:
        return float(np.dot(weights, expit(slope * doublings + offsets))) - success_rate

    # Imported here: scipy.optimize costs half a second, and every `horizon` command imports this
    # module at start-up (for `horizon calibrate`).
    from scipy.optimize import brentq

    span = 64.0 / max(abs(slope), 1e-3)
    return p50 * 2 ** float(brentq(gap, -span, span))


@dataclass(frozen=True)
class CoverageTally:
    """How many intervals covered the truth, of how many studies."""

    covered: int = 0
    total: int = 0

    def add(self, hit: bool) -> CoverageTally:
        """The tally with one more study."""
        return CoverageTally(self.covered + int(hit), self.total + 1)

    @property
    def rate(self) -> float:
        """Covered / total (NaN without studies)."""
        return self.covered / self.total if self.total else float("nan")

    def to_json(self) -> dict[str, Any]:
        """Coverage, counts and the binomial standard error."""
        rate = self.rate
        se = math.sqrt(rate * (1 - rate) / self.total) if self.total else None
        return {
            "coverage": None if math.isnan(rate) else rate,
            "covered": self.covered,
            "n": self.total,
            "standard_error": se,
        }


def covers(interval: tuple[float, float], truth: float) -> bool:
    """Whether [lo, hi] (an infinite side is unbounded) holds `truth`; a NaN side never covers."""
    lo, hi = interval
    return not (math.isnan(lo) or math.isnan(hi)) and lo <= truth <= hi


def truth_agents(
    table: RunTable, release_dates: Mapping[str, date], params: AnalysisParams, offset_sd: float
) -> tuple[list[SimulatedAgent], dict[str, str]]:
    """Simulated agents fitted from the user's runs, and the agents skipped with the reason."""
    report = analyze(table, release_dates, replace(params, n_bootstrap=0, missing_release_dates="exclude"))
    scale = math.sqrt(1 + ATTENUATION * offset_sd**2)
    agents, skipped = [], dict(report.excluded_agents)
    for result in report.agents:
        if result.agent == params.human_agent:
            continue
        fit = result.fit
        rows = table.agent == result.agent
        lo, hi = float(table.human_minutes[rows].min()), float(table.human_minutes[rows].max())
        p50 = result.horizons[0.5]
        if fit.status != "ok" or not fit.coefficient < 0:
            skipped[result.agent] = "no fit with a negative slope"
        elif not lo <= p50 <= hi:
            skipped[result.agent] = "p50 outside its tasks' range"
        else:
            agents.append(SimulatedAgent(result.agent, p50, fit.coefficient * scale, result.release_date))
    return agents, skipped


def true_doubling_days(agents: list[SimulatedAgent], params: AnalysisParams) -> float | None:
    """Doubling time of the true p50s over the true frontier in the window (None if undefined)."""
    p50 = {a.name: a.p50 for a in agents if a.release_date is not None}
    dates = {a.name: a.release_date for a in agents if a.release_date is not None}
    frontier = frontier_agents(p50, dates, params.window, params.human_agent)
    line = fit_trend([p50[a] for a in frontier], [dates[a] for a in frontier])
    doubling = line.doubling_days
    return doubling if math.isfinite(doubling) and doubling > 0 else None


def calibrate(
    table: RunTable,
    release_dates: Mapping[str, date],
    params: AnalysisParams,
    n_simulations: int,
    rng: np.random.Generator,
    repeats: int | None = None,
    family_sd: float = 0.5,
    task_sd: float = 0.5,
) -> dict[str, Any]:
    """Simulate `n_simulations` studies like the user's and report the intervals' coverage.

    `repeats` defaults to the median number of runs per agent and task in `table`. Raises
    `AnalysisInputError` for bad settings or when no agent can be simulated.
    """
    if not 1 <= n_simulations <= MAX_SIMULATIONS:
        raise AnalysisInputError(f"simulations must be between 1 and {MAX_SIMULATIONS}, got {n_simulations}")
    if params.n_bootstrap < 1:
        raise AnalysisInputError("calibration needs bootstrap replicates (--bootstrap >= 1)")
    if not (family_sd >= 0 and task_sd >= 0 and math.isfinite(family_sd + task_sd)):
        raise AnalysisInputError("family and task SDs must be non-negative numbers")
    params.validate()
    offset_sd = math.hypot(family_sd, task_sd)
    agents, skipped = truth_agents(table, release_dates, params, offset_sd)
    if not agents:
        raise AnalysisInputError("no agent has a usable fit to simulate from (see the analysis flags)")
    if repeats is None:
        _, per_cell = np.unique(
            np.column_stack([table.agent_codes, table.task_codes]), axis=0, return_counts=True
        )
        repeats = max(1, round(float(np.median(per_cell))))
    suite = TaskSuite.from_table(table, source="your runs")
    truth = {a.name: {0.5: a.p50, 0.8: population_horizon(a.p50, a.slope, offset_sd, 0.8)} for a in agents}
    doubling = true_doubling_days(agents, params)
    tallies = {a.name: {0.5: CoverageTally(), 0.8: CoverageTally()} for a in agents}
    trend_tally = CoverageTally()
    dates = {a.name: a.release_date for a in agents if a.release_date is not None}
    for _ in range(n_simulations):
        runs = simulate_runs(suite, agents, repeats, rng, family_sd, task_sd)
        seeded = replace(params, seed=int(rng.integers(0, 2**31 - 1)), missing_release_dates="exclude")
        result = analyze(RunTable.from_frame(runs), dates, seeded)
        for agent in result.agents:
            for q in (0.5, 0.8):
                tallies[agent.agent][q] = tallies[agent.agent][q].add(
                    covers(agent.intervals[q], truth[agent.agent][q])
                )
        if doubling is not None:
            trend_tally = trend_tally.add(covers(result.trend.doubling_days_ci, doubling))
    pooled = {
        q: CoverageTally(
            sum(t[q].covered for t in tallies.values()), sum(t[q].total for t in tallies.values())
        )
        for q in (0.5, 0.8)
    }
    return {
        "simulated": True,
        "params": params.to_json(),
        "n_simulations": n_simulations,
        "repeats": repeats,
        "suite": {"n_tasks": suite.n_tasks, "n_families": suite.n_families},
        "truth_model": {"family_sd": family_sd, "task_sd": task_sd},
        "confidence": params.confidence,
        "agents": {
            a.name: {
                "true_p50": truth[a.name][0.5],
                "true_p80": truth[a.name][0.8],
                "true_slope": a.slope,
                "p50": tallies[a.name][0.5].to_json(),
                "p80": tallies[a.name][0.8].to_json(),
            }
            for a in agents
        },
        "skipped_agents": skipped,
        "coverage": {
            "p50": pooled[0.5].to_json(),
            "p80": pooled[0.8].to_json(),
            "doubling_days": {**trend_tally.to_json(), "true_doubling_days": doubling},
        },
    }
