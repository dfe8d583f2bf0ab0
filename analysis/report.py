"""The whole analysis pipeline and its JSON report.

Python entry points (the CLI and the workers call these):

    run_analysis(runs: RunTable | pandas.DataFrame,
                 release_dates: Mapping[str, date],
                 params: AnalysisParams = AnalysisParams(),
                 progress: Callable[[int, int], None] | None = None) -> dict

    full_report(runs, release_dates, params, progress) -> AnalysisReport   # run_analysis unrendered
    analyze(table: RunTable, release_dates, params, progress) -> AnalysisReport
    add_sections(table: RunTable, release_dates, report: AnalysisReport) -> AnalysisReport
    run_trend(p50: Mapping[str, float], release_dates: Mapping[str, date],
              window: DateWindow = DEFAULT_WINDOW,
              samples: Mapping[str, ndarray] | None = None,
              confidence: float = 0.95, allow_missing_dates: bool = False) -> dict

Steps of `analyze`: agents with fewer than two runs are reported in `excluded_agents` and left
out (the others are fitted); weights (stored `{weighting}_task_weight` column when present and summing to
1 per agent, else computed, see `weights.py`); per-agent fit (`logistic.py`); average score and
bucket success rates (`buckets.py`); hierarchical bootstrap with replicate i drawn from
`default_rng(seed + i)` (`bootstrap.py`); percentile CIs; frontier and doubling time over the
window (`trend.py`); flags on numbers not to read at face value (`flags.py`). `run_analysis` (and
`horizon analyze`) then adds the sections beyond METR's method (`add_sections`,
`report_sections.py`): trend shape, per-family horizons, human-time sources and the refit without
estimate-only tasks. `analyze` alone leaves them out (the calibration and simulation loops).

Presets (`PRESETS`, `preset_params`): `calibrated` (the defaults: families+tasks bootstrap,
degenerate replicates counted at their limit, doubling-time CI from the slope's interval; about 95%
coverage in simulation) and `metr` (METR's three-level bootstrap, degenerate replicates dropped,
positive doubling times only, scikit-learn solver: METR's published numbers digit for digit).

JSON shape (`AnalysisReport.to_json`, also returned by `run_analysis`):

    {"params": {"regularization", "weighting", "bootstrap", "seed", "seed_scheme", "solver",
                "window", "partial_scoring", "confidence", "extra_success_rates", "bucket_edges",
                "missing_release_dates", "bootstrap_levels", "degenerate_replicates",
                "doubling_ci", "human_time_sd": {"baseline", "estimate"} | null, "trend_shape",
                "family_horizons", "family_agents", "estimate_refit", "weights_source"},
     "agents": [{"agent", "release_date", "n_runs", "n_tasks", "average", "coefficient",
                 "intercept", "p50", "p50_ci": [lo, hi], "p80", "p80_ci": [lo, hi], "frontier",
                 "fit_status", "flags": [code, ...], "empirical_buckets": [...],
                 "bootstrap": {"n_nan_replicates", "n_all_failures", "n_all_successes",
                               "n_no_rows", "n_dropped", "n_positive_slope", "n_not_converged",
                               "p50_median", ...},
                 "horizons": {"p90": ..., "p90_ci": [...]}   # only for extra success rates
                }, ...],
     "trend": {"window": [after, before], "agents": [...], "doubling_days",
               "doubling_days_ci": [lo, hi], "doubling_days_median", "n_samples",
               "r_squared", "excluded_agents": {agent: reason}, "doubling_ci_method",
               "doubling_days_ci_unbounded", "slope_per_day_ci", "n_dropped_replicates",
               "confidence", "flags": [code, ...]},
     "trend_p80": {...},   # the same over the agents' p80s (no flags); the dashboard's p80 view
     "flags": {code: count}, "excluded_agents": {agent: reason},
     "n_runs": int, "excluded_runs": {status: count},
     "forecasts": {"p50": {...}, "p80": {...}},   # forecast.forecast_json: dates per target
     # From add_sections (absent from analyze's own report; null where params switch one off):
     "trend_shape": {"metric", "window", "agents", "n", "statistic", "p_value", "n_null",
                     "rejects_exponential", "curvature_doublings", "residual_sd_doublings",
                     "power": [{"bend_doublings", "rejection_rate"}, ...],
                     "forecasts": {"exponential": [...], "quadratic": [...]}}
                    | {"metric", "window", "note"},           # fewer than 5 frontier agents
     "families": {"agents_chosen", "success_rate", "confidence", "n_families",
                  "agents": [{"agent", "horizon", "tau_logit", "tau_doublings",
                              "families": [{"family", "n_tasks", "n_runs", "success_rate",
                                            "pooled", "ci": [lo, hi], "raw"}, ...]}
                             | {"agent", "note", "families": []}, ...]},
     "human_time": {"n_tasks", "n_estimate_tasks", "n_baseline_tasks", "n_unknown_source_tasks",
                    "has_sources", "estimate_refit", "note",
                    "sensitivity": null | {"n_tasks", "n_estimate_tasks", "has_sources",
                        "bootstrap", "agents": [{"agent", "p50", "p50_baselined_only",
                        "p50_baselined_only_ci", "ratio"}, ...], "doubling_days",
                        "doubling_days_baselined_only", "doubling_days_baselined_only_ci",
                        "excluded_agents_baselined_only"}}}

Non-finite numbers are written as null (an agent that never succeeds has coefficient -inf in
METR's convention: null here, with `fit_status` "all_failures" and p50 = p80 = 0, CIs [0, 0]).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from analysis.bootstrap import (
    BOOTSTRAP_LEVELS,
    DEGENERATE_REPLICATES,
    METR_BASE_SEED,
    BootstrapFits,
    BootstrapLevels,
    DegenerateReplicates,
    bootstrap_fits,
    percentile_interval,
)
from analysis.buckets import DEFAULT_BUCKET_EDGES, BucketRate, bucket_success_rates, weighted_average
from analysis.errors import AnalysisInputError, describe_items
from analysis.flags import ReplicateCounts, agent_flags, flag_summary, replicate_counts, trend_flags
from analysis.forecast import forecast_json
from analysis.human_time_sensitivity import FitSummary
from analysis.human_time_uncertainty import HumanTimeNoise, time_offsets
from analysis.logistic import SOLVERS, LogisticFit, Solver, fit_logistic
from analysis.report_sections import (
    ESTIMATE_REFITS,
    FAMILY_AGENTS,
    EstimateRefit,
    FamilyAgents,
    families_section,
    human_time_section,
    trend_shape_section,
)
from analysis.table import WEIGHT_COLUMNS, RunTable
from analysis.trend import (
    DEFAULT_WINDOW,
    DOUBLING_CIS,
    HUMAN_AGENT,
    DateWindow,
    DoublingCI,
    TrendResult,
    analyze_trend,
)
from analysis.weights import WEIGHTINGS, Weighting, task_weights

if TYPE_CHECKING:
    import pandas as pd  # run_analysis accepts a DataFrame; the analysis itself never needs pandas

FloatArray = NDArray[np.float64]
ProgressCallback = Callable[[int, int], None]
MissingDates = Literal["error", "exclude"]


@dataclass(frozen=True)
class AnalysisParams:
    """Every setting of the analysis. The defaults are the `calibrated` preset's intervals with
    METR's paper-era regularization (0.1; the preset itself uses 1e-5); `preset_params("metr")`
    reproduces METR's published method."""

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
    bootstrap_levels: BootstrapLevels = "families_tasks"
    degenerate_replicates: DegenerateReplicates = "count"
    doubling_ci: DoublingCI = "slope"
    # Set: each replicate also resamples the tasks' human times (docs/method.md section 10).
    human_time_noise: HumanTimeNoise | None = None
    # The sections beyond METR's method (`add_sections`, `report_sections.py`). The refit without
    # estimate-only tasks is a second fit: `point` skips its bootstrap (0.01 s next to the
    # analysis's 0.24 s on METR's file), `bootstrap` repeats it for CIs (doubles the time).
    # Families are fitted for the frontier unless `all` (docs/method.md, "Where sections 10 to 12
    # appear", has the costs).
    trend_shape: bool = True
    family_horizons: bool = True
    family_agents: FamilyAgents = "frontier"
    estimate_refit: EstimateRefit = "point"

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
        for name, allowed in (
            ("bootstrap_levels", BOOTSTRAP_LEVELS),
            ("degenerate_replicates", DEGENERATE_REPLICATES),
            ("doubling_ci", DOUBLING_CIS),
            ("estimate_refit", ESTIMATE_REFITS),
            ("family_agents", FAMILY_AGENTS),
        ):
            if getattr(self, name) not in allowed:
                problems.append(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        if self.human_time_noise is not None:
            if self.solver == "sklearn":
                problems.append("resampling human times needs the fast solver, not sklearn")
            try:
                self.human_time_noise.validate()
            except AnalysisInputError as exc:
                problems.append(str(exc))
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
            "bootstrap_levels": self.bootstrap_levels,
            "degenerate_replicates": self.degenerate_replicates,
            "doubling_ci": self.doubling_ci,
            "human_time_sd": None if self.human_time_noise is None else self.human_time_noise.to_json(),
            "trend_shape": self.trend_shape,
            "family_horizons": self.family_horizons,
            "family_agents": self.family_agents,
            "estimate_refit": self.estimate_refit,
        }


# What each preset sets; every other parameter keeps its default (docs/method.md section 3).
PRESETS: dict[str, dict[str, Any]] = {
    "calibrated": {
        "regularization": 1e-5,  # 0.1 pulls p50s outward (docs/method.md section 9)
        "bootstrap_levels": "families_tasks",
        "degenerate_replicates": "count",
        "doubling_ci": "slope",
        "solver": "fast",
    },
    "metr": {
        "regularization": 0.1,  # the paper's (METR's later files use 1e-5: override it for those)
        "bootstrap_levels": "families_tasks_runs",
        "degenerate_replicates": "drop",
        "doubling_ci": "positive_doublings",
        "solver": "sklearn",
    },
}


def preset_params(name: str, **changes: Any) -> AnalysisParams:
    """`AnalysisParams` of preset `name` with `changes` applied on top (unknown name: input error)."""
    if name not in PRESETS:
        raise AnalysisInputError(f"preset must be one of {', '.join(PRESETS)}, got {name!r}")
    return replace(AnalysisParams(), **{**PRESETS[name], **changes})


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
    flags: list[str] = field(default_factory=list)
    replicate_counts: ReplicateCounts | None = None

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
            "flags": list(self.flags),
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
                **(self.replicate_counts.to_json() if self.replicate_counts is not None else {}),
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
    excluded_agents: Mapping[str, str] = field(default_factory=dict)
    trend_flags: list[str] = field(default_factory=list)
    # The same trend over the agents' p80s (its own frontier and bootstrap CI), for the p80 view.
    trend_p80: TrendResult | None = None
    # `trend_shape`, `families`, `human_time` (`add_sections`); empty from `analyze` alone.
    sections: Mapping[str, Any] = field(default_factory=dict)

    def agent(self, name: str) -> AgentResult:
        """The result of agent `name` (KeyError if absent)."""
        for result in self.agents:
            if result.agent == name:
                return result
        raise KeyError(name)

    def forecasts(self) -> dict[str, Any]:
        """When the frontier's p50 and p80 reach a work-day, week and month (`forecast.py`)."""
        dates = {a.agent: a.release_date for a in self.agents if a.release_date is not None}
        return {
            metric: forecast_json(
                {a.agent: a.horizons[q] for a in self.agents},
                dates,
                self.params.window,
                self.params.confidence,
                metric=metric,
                human_agent=self.params.human_agent,
            )
            for metric, q in (("p50", 0.5), ("p80", 0.8))
        }

    def fit_summary(self) -> FitSummary:
        """The p50s with CIs and the doubling time, as the human-time comparison needs them."""
        return FitSummary(
            p50={a.agent: a.horizons[0.5] for a in self.agents},
            p50_ci={a.agent: a.intervals[0.5] for a in self.agents},
            doubling_days=self.trend.doubling_days,
            doubling_days_ci=self.trend.doubling_days_ci,
            excluded_agents=dict(self.excluded_agents),
            n_bootstrap=self.params.n_bootstrap,
        )

    def replicate_horizons(self, success_rate: float) -> FloatArray | None:
        """(replicates, agents) bootstrap horizons in minutes at `success_rate`, columns in the
        order of `agents`, as the CIs were taken from them; None without a bootstrap."""
        if self.bootstrap is None:
            return None
        return self.bootstrap.horizons(success_rate, self.params.degenerate_replicates)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready Python objects (see the module docstring)."""
        params = self.params.to_json()
        params["weights_source"] = self.weights_source
        trend = self.trend.to_json()
        trend["flags"] = list(self.trend_flags)
        return {
            "params": params,
            "agents": [a.to_json() for a in self.agents],
            "trend": trend,
            **({"trend_p80": self.trend_p80.to_json()} if self.trend_p80 is not None else {}),
            "flags": flag_summary([*(a.flags for a in self.agents), self.trend_flags]),
            "excluded_agents": dict(self.excluded_agents),
            "n_runs": self.n_runs,
            "excluded_runs": dict(self.excluded_runs),
            "forecasts": self.forecasts(),
            **self.sections,
        }


def analysis_weights(table: RunTable, params: AnalysisParams) -> tuple[FloatArray, str]:
    """Run weights and where they came from (`stored` column or `computed`)."""
    stored = table.stored_weights.get(params.weighting)
    if params.use_stored_weights and stored is not None:
        sums = np.bincount(table.agent_codes, weights=stored, minlength=len(table.agents))
        if np.allclose(sums, 1.0, rtol=0, atol=1e-6):
            return stored, f"stored ({WEIGHT_COLUMNS[params.weighting]})"
    return task_weights(table.agent_codes, table.task_codes, table.family_codes, params.weighting), "computed"


def unfittable_agents(table: RunTable) -> dict[str, str]:
    """Agents that cannot be fitted, with the reason: fewer than two runs."""
    counts = np.bincount(table.agent_codes, minlength=len(table.agents))
    return {table.agents[i]: "a single run cannot be fitted" for i in np.flatnonzero(counts < 2)}


def check_fittable(table: RunTable) -> None:
    """Every agent needs at least two runs; raise `AnalysisInputError` naming those that don't."""
    single = list(unfittable_agents(table))
    if single:
        raise AnalysisInputError(
            f"agent(s) with a single run cannot be fitted: {describe_items(single)} "
            "(add runs or remove these agents)"
        )


def fittable_table(table: RunTable) -> tuple[RunTable, dict[str, str]]:
    """`table` without the agents that cannot be fitted, and those agents with the reason.

    Raises `AnalysisInputError` when no agent is left to fit.
    """
    unfittable = unfittable_agents(table)
    if not unfittable:
        return table, {}
    if len(unfittable) == len(table.agents):
        raise AnalysisInputError(
            f"agent(s) with a single run cannot be fitted: {describe_items(list(unfittable))} "
            "(add runs; no other agent is left to fit)"
        )
    keep = ~np.isin(table.agent, list(unfittable))
    return table.select(keep), unfittable


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
    table, unfittable = fittable_table(table)
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
            levels=params.bootstrap_levels,
            x_offsets=None
            if params.human_time_noise is None
            else time_offsets(table, params.human_time_noise, params.seed),
        )
    degenerate = params.degenerate_replicates
    replicate_horizons = {q: boot.horizons(q, degenerate) for q in success_rates} if boot is not None else {}

    p50 = {agent: fit.horizon(0.5) for agent, fit in zip(table.agents, fits, strict=True)}
    samples = {agent: replicate_horizons[0.5][:, i] for i, agent in enumerate(table.agents)} if boot else None
    trend = analyze_trend(
        p50, dates, params.window, samples, params.confidence, params.human_agent, params.doubling_ci
    )
    p80 = {agent: fit.horizon(0.8) for agent, fit in zip(table.agents, fits, strict=True)}
    samples80 = (
        {agent: replicate_horizons[0.8][:, i] for i, agent in enumerate(table.agents)} if boot else None
    )
    trend_p80 = analyze_trend(
        p80, dates, params.window, samples80, params.confidence, params.human_agent, params.doubling_ci
    )

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
        counts = replicate_counts(boot, a, degenerate) if boot is not None else None
        minutes = table.human_minutes[rows]
        flags = agent_flags(fit, horizons, intervals, (float(minutes.min()), float(minutes.max())), counts)
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
                flags=flags,
                replicate_counts=counts,
            )
        )
    outside = [r.agent for r in results if {"p50_below_task_range", "p50_above_task_range"} & set(r.flags)]
    return AnalysisReport(
        params=params,
        agents=results,
        trend=trend,
        bootstrap=boot,
        weights_source=weights_source,
        n_runs=len(table),
        excluded_runs=dict(table.excluded_by_status),
        excluded_agents=unfittable,
        trend_flags=trend_flags(trend, outside),
        trend_p80=trend_p80,
    )


def refit_without_estimates(
    table: RunTable, release_dates: Mapping[str, date], params: AnalysisParams
) -> AnalysisReport:
    """The plain analysis of `table` (already without estimate-only tasks); its bootstrap only when
    `params.estimate_refit` is `bootstrap`."""
    if params.estimate_refit != "bootstrap":
        params = replace(params, n_bootstrap=0)
    return analyze(table, release_dates, params)


def add_sections(
    table: RunTable, release_dates: Mapping[str, date], report: AnalysisReport
) -> AnalysisReport:
    """`report` with the sections beyond METR's method (`report_sections.py`) filled in; a section
    that `report.params` switches off is null."""
    params = report.params
    fitted, _ = fittable_table(table)
    p50 = {a.agent: a.horizons[0.5] for a in report.agents}
    sections: dict[str, Any] = {"trend_shape": None, "families": None}
    if params.trend_shape:
        sections["trend_shape"] = trend_shape_section(
            p50, release_dates, params.window, params.confidence, params.seed, params.human_agent
        )
    if params.family_horizons:
        agents = list(p50) if params.family_agents == "all" else [a for a in report.trend.agents if a in p50]
        sections["families"] = families_section(
            fitted, agents, params.family_agents, params.confidence, params.partial_scoring
        )
    sections["human_time"] = human_time_section(
        fitted,
        params.estimate_refit,
        report.fit_summary(),
        lambda kept: refit_without_estimates(kept, release_dates, params).fit_summary(),
    )
    return replace(report, sections=sections)


def run_analysis(
    runs: RunTable | pd.DataFrame,
    release_dates: Mapping[str, date],
    params: AnalysisParams | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Analyse a runs table (RunTable or DataFrame in METR's columns) and return the JSON report,
    with the sections beyond METR's method."""
    return full_report(runs, release_dates, params, progress).to_json()


def full_report(
    runs: RunTable | pd.DataFrame,
    release_dates: Mapping[str, date],
    params: AnalysisParams | None = None,
    progress: ProgressCallback | None = None,
) -> AnalysisReport:
    """`run_analysis` before it becomes JSON: the report keeps its bootstrap replicates, which a
    caller may store beside the JSON (`AnalysisReport.replicate_horizons`)."""
    table = runs if isinstance(runs, RunTable) else RunTable.from_frame(runs)
    report = analyze(table, release_dates, params or AnalysisParams(), progress)
    return add_sections(table, release_dates, report)


def run_trend(
    p50: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    samples: Mapping[str, FloatArray] | None = None,
    confidence: float = 0.95,
    allow_missing_dates: bool = False,
    human_agent: str = HUMAN_AGENT,
    doubling_ci: DoublingCI = "slope",
) -> dict[str, Any]:
    """Trend over given per-agent p50s (and optional replicate p50s): the report's `trend` object.

    Agents other than `human_agent` without a release date raise `AnalysisInputError` unless
    `allow_missing_dates`, in which case they are listed in `excluded_agents`. `doubling_ci` is
    the interval's rule (`positive_doublings` is METR's; see `analysis.trend`).
    """
    params = replace(AnalysisParams(), missing_release_dates="exclude" if allow_missing_dates else "error")
    params = replace(params, human_agent=human_agent)
    check_release_dates(list(p50), release_dates, params)
    trend = analyze_trend(p50, release_dates, window, samples, confidence, human_agent, doubling_ci)
    report = trend.to_json()
    report["flags"] = trend_flags(trend, ())
    return report


def _num(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _key(q: float) -> str:
    return f"p{round(q * 100, 6):g}"
