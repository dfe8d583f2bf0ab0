"""The report's sections beyond METR's method: trend shape, per-family horizons, human-time sources.

`analysis.report.add_sections` calls these after the main fit, so `run_analysis` (hence every
stored analysis) and `horizon analyze` carry them; `analyze` itself stays the plain method, which
the calibration and simulation loops call hundreds of times. Each section is a JSON object or null
(switched off in `AnalysisParams`); a section that cannot be computed on this data (too few
frontier agents for the shape test, no baselined task to refit on) says why in `note` instead of
failing the analysis. `analysis.report` calls this module, so it takes plain values and never
imports the report back.

- `trend_shape`: `trend_shape.trend_shape_json` on the report's p50s over its window (docs/method.md
  section 11): the likelihood-ratio statistic, its parametric-bootstrap p-value, the power curve and
  the forecasts under each shape.
- `families`: `family_horizons.family_horizons` at p50 (section 12), for the frontier agents or for
  every agent (`AnalysisParams.family_agents`).
- `human_time`: how many tasks have people's times and how many only an estimate, and the refit
  without estimate-only tasks (section 10) beside the full fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np

from analysis.errors import AnalysisInputError
from analysis.family_horizons import family_horizons
from analysis.human_time_sensitivity import FitSummary, sensitivity_json, source_counts
from analysis.human_time_uncertainty import without_estimates
from analysis.table import RunTable
from analysis.trend import DateWindow
from analysis.trend_shape import trend_shape_json

EstimateRefit = Literal["off", "point", "bootstrap"]
ESTIMATE_REFITS: tuple[EstimateRefit, ...] = ("off", "point", "bootstrap")
FamilyAgents = Literal["frontier", "all"]
FAMILY_AGENTS: tuple[FamilyAgents, ...] = ("frontier", "all")

# The shape test's bootstrap draws: its p-value is resolved to about 1/2000, and the whole
# section costs a few milliseconds (the frontier has a handful of points).
SHAPE_NULL_REPLICATES = 2000
SHAPE_POWER_REPLICATES = 500


def trend_shape_section(
    p50: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow,
    confidence: float,
    seed: int,
    human_agent: str,
) -> dict[str, Any]:
    """The shape test over the frontier of `p50`, or a `note` when it cannot be run."""
    try:
        shape = trend_shape_json(
            p50,
            release_dates,
            window,
            confidence=confidence,
            n_null=SHAPE_NULL_REPLICATES,
            n_power=SHAPE_POWER_REPLICATES,
            seed=seed,
            human_agent=human_agent,
        )
    except AnalysisInputError as exc:
        return {"metric": "p50", "window": window.as_list(), "note": str(exc)}
    return {"metric": "p50", **shape}


def families_section(
    table: RunTable, agents: Sequence[str], chosen: FamilyAgents, confidence: float, partial: bool
) -> dict[str, Any]:
    """Pooled per-family p50s of `agents` (the frontier's or every fitted agent, as `chosen` says)."""
    out: dict[str, Any] = {"agents_chosen": chosen}
    if not agents:
        return {**out, "agents": [], "note": "no frontier agent in the window: no per-family horizons"}
    subset = table.select(np.isin(table.agent, list(agents)))
    return {**out, **family_horizons(subset, 0.5, confidence, partial)}


def human_time_section(
    table: RunTable, mode: EstimateRefit, full: FitSummary, refit: Callable[[RunTable], FitSummary]
) -> dict[str, Any]:
    """Task counts by source of time, and `full` beside `refit` of the tasks with people's times."""
    counts = source_counts(table)
    out: dict[str, Any] = {**counts, "estimate_refit": mode, "sensitivity": None, "note": None}
    if counts["n_estimate_tasks"] == 0:
        out["note"] = "every task's time comes from people: nothing to refit"
    elif counts["n_baseline_tasks"] == 0:
        out["note"] = "no task has a time from people (baseline, qa or external_qa): no refit"
    elif mode == "off":
        out["note"] = "the refit without estimate-only tasks was not asked for"
    else:
        try:
            out["sensitivity"] = sensitivity_json(table, full, refit(without_estimates(table)))
        except AnalysisInputError as exc:
            out["note"] = f"the refit without estimate-only tasks failed: {exc}"
    return out
