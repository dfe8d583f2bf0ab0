"""The whole analysis pipeline and its JSON report.

Python entry points (the CLI and the workers call these):

    run_analysis(runs: RunTable | pandas.DataFrame,
                 release_dates: Mapping[str, date],
                 params: AnalysisParams = AnalysisParams(),
                 progress: Callable[[int, int], None] | None = None) -> dict

    analyze(table: RunTable, release_dates, params, progress) -> AnalysisReport
    run_trend(p50: Mapping[str, float], release_dates: Mapping[str, date],
              window: DateWindow = DEFAULT_WINDOW,
              samples: Mapping[str, ndarray] | None = None,
              confidence: float = 0.95, allow_missing_dates: bool = False) -> dict

Steps of `analyze`: weights (stored `{weighting}_task_weight` column when present and summing to
1 per agent, else computed, see `weights.py`); per-agent fit (`logistic.py`); average score and
bucket success rates (`buckets.py`); hierarchical bootstrap with replicate i drawn from
`default_rng(seed + i)` (`bootstrap.py`); percentile CIs; frontier and doubling time over the
window (`trend.py`).

JSON shape (`AnalysisReport.to_json`, also returned by `run_analysis`):

    {"params": {...},
     "agents": [{"agent", "release_date", "n_runs", "n_tasks", "average", "coefficient",
                 "intercept", "p50", "p50_ci": [lo, hi], "p80", "p80_ci": [lo, hi], "frontier",
                 "fit_status", "empirical_buckets": [...], "bootstrap": {...},
                 "horizons": {"p90": ..., "p90_ci": [...]}   # only for extra success rates
                }, ...],
     "trend": {"window": [after, before], "agents": [...], "doubling_days",
               "doubling_days_ci": [lo, hi], "doubling_days_median", "n_samples",
               "r_squared", "excluded_agents": {agent: reason}},
     "n_runs": int, "excluded_runs": {status: count}}

Non-finite numbers are written as null (an agent that never succeeds has coefficient -inf in
METR's convention: null here, with `fit_status` "all_failures" and p50 = p80 = 0, CIs [0, 0]).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.bootstrap import METR_BASE_SEED, BootstrapFits, bootstrap_fits, percentile_interval
from analysis.buckets import DEFAULT_BUCKET_EDGES, BucketRate, bucket_success_rates, weighted_average
from analysis.errors import AnalysisInputError, describe_items
from analysis.logistic import SOLVERS, LogisticFit, Solver, fit_logistic
from analysis.table import WEIGHT_COLUMNS, RunTable
from analysis.trend import DEFAULT_WINDOW, HUMAN_AGENT, DateWindow, TrendResult, analyze_trend
from analysis.weights import WEIGHTINGS, Weighting, task_weights

FloatArray = NDArray[np.float64]
ProgressCallback = Callable[[int, int], None]
MissingDates = Literal["error", "exclude"]


@dataclass(frozen=True)
class AnalysisParams:
    """Every setting of the analysis; the defaults reproduce METR's paper-era method."""

    regularization: float = 0.1
    weighting: Weighting = "invsqrt"
    n_bootstrap: int = 1000
    seed: int = METR_BASE_SEED
    solver: Solver = "fast"
    window: DateWindow = DEFAULT_WINDOW
    partial_scoring: bool = False
    confidence: float = 0.95
    extra_success_rates: tuple[float, ...] = ()
    bucket_edges: tuple[float, ...] = DEFAULT_BUCKET_EDGES
    use_stored_weights: bool = True
    missing_release_dates: MissingDates = "error"
    human_agent: str = HUMAN_AGENT

    def validate(self) -> None:
        """Raise `AnalysisInputError` for settings outside their domain."""
        problems = []
        if not (self.regularization > 0 and math.isfinite(self.regularization)):
            problems.append(f"regularization must be a positive number, got {self.regularization}")
        if self.weighting not in WEIGHTINGS:
            problems.append(f"weighting must be one of {', '.join(WEIGHTINGS)}, got {self.weighting!r}")
        if self.solver not in SOLVERS:
            problems.append(f"solver must be one of {', '.join(SOLVERS)}, got {self.solver!r}")
        if self.n_bootstrap < 0:
            problems.append(f"bootstrap replicates must be >= 0, got {self.n_bootstrap}")
        if not 0 < self.confidence < 1:
            problems.append(f"confidence must lie strictly between 0 and 1, got {self.confidence}")
        if any(not 0 < q < 1 for q in self.extra_success_rates):
            problems.append("extra success rates must lie strictly between 0 and 1")
        if self.missing_release_dates not in ("error", "exclude"):
            problems.append("missing_release_dates must be 'error' or 'exclude'")
        if problems:
            raise AnalysisInputError("; ".join(problems))

    def to_json(self) -> dict[str, Any]:
        """The `params` object of the report."""
        return {
            "regularization": self.regularization,
            "weighting": self.weighting,
            "bootstrap": self.n_bootstrap,
            "seed": self.seed,
            "seed_scheme": "replicate i uses numpy.random.default_rng(seed + i)",
            "solver": self.solver,
            "window": self.window.as_list(),
            "partial_scoring": self.partial_scoring,
            "confidence": self.confidence,
            "extra_success_rates": list(self.extra_success_rates),
            "bucket_edges": list(self.bucket_edges),
            "missing_release_dates": self.missing_release_dates,
        }


@dataclass(frozen=True)
class AgentResult:
    """One agent's fit, horizons with CIs, scores and bootstrap summary."""

    agent: str
    release_date: date | None
    n_runs: int
    n_tasks: int
    average: float
    fit: LogisticFit
    horizons: dict[float, float]
    intervals: dict[float, tuple[float, float]]
    frontier: bool
    buckets: list[BucketRate]
    n_missing_replicates: int
    replicate_medians: dict[float, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The agent's object in the report."""
        out: dict[str, Any] = {
            "agent": self.agent,
            "release_date": None if self.release_date is None else self.release_date.isoformat(),
            "n_runs": self.n_runs,
            "n_tasks": self.n_tasks,
            "average": _num(self.average),
            "coefficient": _num(self.fit.coefficient),
            "intercept": _num(self.fit.intercept),
            "p50": _num(self.horizons[0.5]),
            "p50_ci": [_num(v) for v in self.intervals[0.5]],
            "p80": _num(self.horizons[0.8]),
            "p80_ci": [_num(v) for v in self.intervals[0.8]],
            "frontier": self.frontier,
            "fit_status": self.fit.status,
            "empirical_buckets": [
                {
                    "bucket": b.label,
                    "lo": b.lo,
                    "hi": b.hi,
                    "rate": _num(b.rate),
                    "weight": b.weight,
                    "n_runs": b.n_runs,
                }
                for b in self.buckets
            ],
            "bootstrap": {
                "n_nan_replicates": self.n_missing_replicates,
                **{f"{_key(q)}_median": _num(v) for q, v in self.replicate_medians.items()},
            },
        }
        extra = {q: v for q, v in self.horizons.items() if q not in (0.5, 0.8)}
        if extra:
            out["horizons"] = {}
            for q, value in extra.items():
                out["horizons"][_key(q)] = _num(value)
                out["horizons"][f"{_key(q)}_ci"] = [_num(v) for v in self.intervals[q]]
        return out


@dataclass(frozen=True)
class AnalysisReport:
    """Everything `analyze` computed; `to_json` gives the report."""

    params: AnalysisParams
    agents: list[AgentResult]
    trend: TrendResult
    bootstrap: BootstrapFits | None
    weights_source: str
    n_runs: int
    excluded_runs: Mapping[str, int]

    def agent(self, name: str) -> AgentResult:
        """The result of agent `name` (KeyError if absent)."""
        for result in self.agents:
            if result.agent == name:
                return result
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready Python objects (see the module docstring)."""
        params = self.params.to_json()
        params["weights_source"] = self.weights_source
        return {
            "params": params,
            "agents": [a.to_json() for a in self.agents],
            "trend": self.trend.to_json(),
            "n_runs": self.n_runs,
            "excluded_runs": dict(self.excluded_runs),
        }


def analysis_weights(table: RunTable, params: AnalysisParams) -> tuple[FloatArray, str]:
    """Run weights and where they came from (`stored` column or `computed`)."""
    stored = table.stored_weights.get(params.weighting)
    if params.use_stored_weights and stored is not None:
        sums = np.bincount(table.agent_codes, weights=stored, minlength=len(table.agents))
        if np.allclose(sums, 1.0, rtol=0, atol=1e-6):
            return stored, f"stored ({WEIGHT_COLUMNS[params.weighting]})"
    return task_weights(table.agent_codes, table.task_codes, table.family_codes, params.weighting), "computed"


def check_fittable(table: RunTable) -> None:
    """Every agent needs at least two runs; raise `AnalysisInputError` naming those that don't."""
    counts = np.bincount(table.agent_codes, minlength=len(table.agents))
    single = [table.agents[i] for i in np.flatnonzero(counts < 2)]
    if single:
        raise AnalysisInputError(
            f"agent(s) with a single run cannot be fitted: {describe_items(single)} "
            "(add runs or remove these agents)"
        )


def check_release_dates(
    agents: list[str], release_dates: Mapping[str, date], params: AnalysisParams
) -> dict[str, date]:
    """Release dates of `agents`; unknown ones raise unless `missing_release_dates == "exclude"`."""
    unknown = [a for a in agents if a != params.human_agent and a not in release_dates]
    if unknown and params.missing_release_dates == "error":
        raise AnalysisInputError(
            f"unknown release date for agent(s): {describe_items(unknown)}; add them to the release "
            "dates file, or allow missing dates (--allow-missing-dates) to leave them out of the trend"
        )
    return {a: release_dates[a] for a in agents if a in release_dates}


def analyze(
    table: RunTable,
    release_dates: Mapping[str, date],
    params: AnalysisParams = AnalysisParams(),
    progress: ProgressCallback | None = None,
) -> AnalysisReport:
    """Run the whole method on `table` (see the module docstring); raises `AnalysisInputError`."""
    params.validate()
    check_fittable(table)
    dates = check_release_dates(table.agents, release_dates, params)
    y = table.scores(params.partial_scoring)
    weights, weights_source = analysis_weights(table, params)
    x = table.log2_minutes
    success_rates = (0.5, 0.8, *[q for q in params.extra_success_rates if q not in (0.5, 0.8)])

    fits: list[LogisticFit] = []
    for a in range(len(table.agents)):
        rows = table.agent_codes == a
        fits.append(fit_logistic(x[rows], y[rows], weights[rows], params.regularization, params.solver))

    boot: BootstrapFits | None = None
    if params.n_bootstrap > 0:
        initial = (
            np.array([f.intercept if f.status == "ok" else np.nan for f in fits]),
            np.array([f.coefficient if f.status == "ok" else np.nan for f in fits]),
        )
        boot = bootstrap_fits(
            table,
            y,
            weights,
            params.regularization,
            params.n_bootstrap,
            solver=params.solver,
            base_seed=params.seed,
            initial=initial,
            progress=progress,
        )
    replicate_horizons = {q: boot.horizons(q) for q in success_rates} if boot is not None else {}

    p50 = {agent: fit.horizon(0.5) for agent, fit in zip(table.agents, fits, strict=True)}
    samples = {agent: replicate_horizons[0.5][:, i] for i, agent in enumerate(table.agents)} if boot else None
    trend = analyze_trend(p50, dates, params.window, samples, params.confidence, params.human_agent)

    results = []
    missing = boot.n_missing() if boot is not None else np.zeros(len(table.agents), dtype=np.int64)
    for a, (agent, fit) in enumerate(zip(table.agents, fits, strict=True)):
        rows = table.agent_codes == a
        horizons = {q: fit.horizon(q) for q in success_rates}
        intervals: dict[float, tuple[float, float]] = {}
        medians: dict[float, float] = {}
        for q in success_rates:
            if fit.status == "all_failures":
                intervals[q] = (0.0, 0.0)  # METR's convention for an agent that never succeeds
            elif boot is not None:
                intervals[q] = percentile_interval(replicate_horizons[q][:, a], params.confidence)
            else:
                intervals[q] = (float("nan"), float("nan"))
            if boot is not None:
                column = replicate_horizons[q][:, a]
                medians[q] = float(np.nanmedian(column)) if np.any(~np.isnan(column)) else float("nan")
        results.append(
            AgentResult(
                agent=agent,
                release_date=dates.get(agent),
                n_runs=int(rows.sum()),
                n_tasks=len(np.unique(table.task_codes[rows])),
                average=weighted_average(y[rows], weights[rows]),
                fit=fit,
                horizons=horizons,
                intervals=intervals,
                frontier=agent in trend.agents,
                buckets=bucket_success_rates(
                    table.human_minutes[rows], y[rows], weights[rows], params.bucket_edges
                ),
                n_missing_replicates=int(missing[a]),
                replicate_medians=medians,
            )
        )
    return AnalysisReport(
        params=params,
        agents=results,
        trend=trend,
        bootstrap=boot,
        weights_source=weights_source,
        n_runs=len(table),
        excluded_runs=dict(table.excluded_by_status),
    )


def run_analysis(
    runs: RunTable | pd.DataFrame,
    release_dates: Mapping[str, date],
    params: AnalysisParams | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Analyse a runs table (RunTable or DataFrame in METR's columns) and return the JSON report."""
    table = runs if isinstance(runs, RunTable) else RunTable.from_frame(runs)
    return analyze(table, release_dates, params or AnalysisParams(), progress).to_json()


def run_trend(
    p50: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    samples: Mapping[str, FloatArray] | None = None,
    confidence: float = 0.95,
    allow_missing_dates: bool = False,
    human_agent: str = HUMAN_AGENT,
) -> dict[str, Any]:
    """Trend over given per-agent p50s (and optional replicate p50s): the report's `trend` object.

    Agents other than `human_agent` without a release date raise `AnalysisInputError` unless
    `allow_missing_dates`, in which case they are listed in `excluded_agents`.
    """
    params = replace(AnalysisParams(), missing_release_dates="exclude" if allow_missing_dates else "error")
    params = replace(params, human_agent=human_agent)
    check_release_dates(list(p50), release_dates, params)
    return analyze_trend(p50, release_dates, window, samples, confidence, human_agent).to_json()


def _num(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _key(q: float) -> str:
    return f"p{round(q * 100, 6):g}"
