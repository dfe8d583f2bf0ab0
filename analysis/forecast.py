"""When the frontier reaches a work-day, week or month, and how well such forecasts did (method s. 7).

Model: the frontier agents' `ln h = a + b * day + e` (`trend.fit_trend`, the same line and the same
frontier rule as the doubling time), with the residuals `e` treated as independent, normal, with
one standard deviation `s` (n - 2 degrees of freedom). A future frontier agent released on day `d`
then has `ln h` within

    a + b d  +-  t * s * sqrt(1 + 1/n + (d - mean day)^2 / Sxx)        (t: Student, n - 2 df)

with probability `confidence`: the predictive interval. The `1` under the root is the residual
scatter of single agents around the trend; without it (`line_only`) the interval is only the
line's uncertainty, far too narrow for "when will an agent reach T" (the backtest shows it).

Date a target T is reached: the point is where the line crosses ln T; the interval is the set of
days whose predictive interval contains ln T (inverse prediction, Fieller's method). When the slope
is not clearly positive at this level (`b^2 <= t^2 s^2 / Sxx`) a side of that set is unbounded and
is reported as null.

Backtest: fit on the frontier of one window, then score every later agent that extends the
frontier (the frontier rule over the fit window's start onwards): its log horizon against the
predictive interval at its release date, the error in doublings, and how many days ahead of the
trend it arrived. Coverage is the share of scored agents inside their interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.special import stdtrit

from analysis.errors import AnalysisInputError
from analysis.trend import (
    DEFAULT_WINDOW,
    EPOCH,
    HUMAN_AGENT,
    MIN_HORIZON,
    DateWindow,
    days_since_epoch,
    fit_trend,
    frontier_agents,
)

HOURS_PER_WORK_DAY = 8.0
# Work-day, work-week (5 days) and work-month (167 h: 2,000 h a year / 12), in hours.
WORK_TARGETS: tuple[tuple[str, float], ...] = (
    ("1 work-day", 8.0),
    ("1 work-week", 40.0),
    ("1 work-month", 167.0),
)
MAX_TARGETS = 12
MIN_POINTS = 3  # the residual scatter needs n - 2 >= 1 degrees of freedom


@dataclass(frozen=True)
class FrontierTrend:
    """The OLS line through the frontier's log horizons, with what its intervals need."""

    agents: list[str]
    slope: float
    intercept: float
    n: int
    mean_day: float
    sxx: float
    residual_sd: float

    def quantile(self, confidence: float) -> float:
        """Student t quantile for a two-sided `confidence` interval with n - 2 df."""
        # scipy.stats' t.ppf is this function; scipy.stats itself costs 0.5 s to import.
        return float(stdtrit(self.n - 2, 0.5 + confidence / 2.0))

    def centre(self, day: float) -> float:
        """ln horizon on the line at `day`."""
        return self.intercept + self.slope * day

    def half_width(self, day: float, confidence: float, line_only: bool = False) -> float:
        """Half-width (ln scale) of the predictive interval at `day`, or of the line's own CI."""
        spread = (0.0 if line_only else 1.0) + 1.0 / self.n + (day - self.mean_day) ** 2 / self.sxx
        return self.quantile(confidence) * self.residual_sd * math.sqrt(spread)

    def day_reached(
        self, ln_target: float, confidence: float
    ) -> tuple[float | None, float | None, float | None]:
        """(point, earliest, latest) day at which ln horizon = `ln_target`; None where undefined
        (a flat or falling line has no point) or unbounded (see the module docstring)."""
        point = (ln_target - self.intercept) / self.slope if self.slope > 0 else None
        k = self.quantile(confidence) ** 2 * self.residual_sd**2
        gap = ln_target - (self.intercept + self.slope * self.mean_day)
        a = self.slope**2 - k / self.sxx
        b = -2.0 * self.slope * gap
        c = gap**2 - k * (1.0 + 1.0 / self.n)
        disc = b * b - 4.0 * a * c
        if a > 0:  # disc > 0 here: the point itself satisfies the inequality strictly
            root = math.sqrt(max(disc, 0.0))
            u1, u2 = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
            return point, self.mean_day + u1, self.mean_day + u2
        if disc <= 0 or a == 0 or point is None:
            return point, None, None
        root = math.sqrt(disc)
        r1, r2 = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
        if point - self.mean_day >= r2:
            return point, self.mean_day + r2, None
        return point, None, self.mean_day + r1


def frontier_trend(
    values: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    human_agent: str = HUMAN_AGENT,
) -> FrontierTrend | None:
    """The frontier's line with its residual scatter; None with fewer than three frontier agents
    or all on one date (no scatter can be estimated)."""
    frontier = frontier_agents(values, release_dates, window, human_agent)
    days = np.array([days_since_epoch(release_dates[a]) for a in frontier], dtype=np.float64)
    if len(frontier) < MIN_POINTS or np.all(days == days[0]):
        return None
    line = fit_trend([values[a] for a in frontier], [release_dates[a] for a in frontier])
    ln_h = np.log(np.clip([values[a] for a in frontier], MIN_HORIZON, None))
    residuals = ln_h - (line.intercept + line.slope * days)
    mean_day = float(days.mean())
    return FrontierTrend(
        agents=frontier,
        slope=line.slope,
        intercept=line.intercept,
        n=len(frontier),
        mean_day=mean_day,
        sxx=float(np.sum((days - mean_day) ** 2)),
        residual_sd=float(np.sqrt(np.sum(residuals**2) / (len(frontier) - 2))),
    )


def check_targets(hours: Sequence[float]) -> list[tuple[str, float]]:
    """Targets as (label, hours); an error for a non-positive or non-finite one or too many."""
    if len(hours) > MAX_TARGETS:
        raise AnalysisInputError(f"at most {MAX_TARGETS} forecast targets")
    bad = [h for h in hours if not (math.isfinite(h) and h > 0)]
    if bad:
        raise AnalysisInputError(f"forecast targets must be positive hours, got {bad[0]}")
    known = dict((h, label) for label, h in WORK_TARGETS)
    return [(known.get(h, f"{h:g} h"), float(h)) for h in hours]


def forecast_json(
    values: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    confidence: float = 0.95,
    targets: Sequence[tuple[str, float]] = WORK_TARGETS,
    metric: str = "p50",
    human_agent: str = HUMAN_AGENT,
) -> dict[str, Any]:
    """Dates the frontier's `metric` reaches each target, with predictive intervals (JSON form).

    With fewer than three frontier agents `targets` is empty and `note` says why.
    """
    trend = frontier_trend(values, release_dates, window, human_agent)
    out: dict[str, Any] = {
        "metric": metric,
        "window": window.as_list(),
        "confidence": confidence,
        "targets": [],
    }
    if trend is None:
        out["note"] = f"fewer than {MIN_POINTS} frontier agents on distinct dates: no forecast"
        return out
    out.update(
        {
            "agents": trend.agents,
            "doubling_days": math.log(2) / trend.slope if trend.slope > 0 else None,
            "residual_sd_doublings": trend.residual_sd / math.log(2),
        }
    )
    best = max(values[a] for a in trend.agents)
    for label, hours in targets:
        point, lo, hi = trend.day_reached(math.log(hours * 60.0), confidence)
        out["targets"].append(
            {
                "label": label,
                "hours": hours,
                "minutes": hours * 60.0,
                "date": day_to_iso(point),
                "interval": [day_to_iso(lo), day_to_iso(hi)],
                "reached": best >= hours * 60.0,
            }
        )
    return out


@dataclass(frozen=True)
class ScoredAgent:
    """One later frontier agent against the forecast made before it."""

    agent: str
    release_date: date
    observed: float
    predicted: float
    interval: tuple[float, float]
    line_interval: tuple[float, float]
    days_ahead: float | None

    @property
    def covered(self) -> bool:
        """Whether the observed horizon lies in the predictive interval."""
        return self.interval[0] <= self.observed <= self.interval[1]

    @property
    def line_covered(self) -> bool:
        """Whether it lies in the line-only interval (what ignoring the scatter would claim)."""
        return self.line_interval[0] <= self.observed <= self.line_interval[1]

    @property
    def error_doublings(self) -> float:
        """log2(observed / predicted): positive when the agent beat the trend."""
        return math.log2(max(self.observed, MIN_HORIZON) / self.predicted)

    def to_json(self) -> dict[str, Any]:
        """This agent's row of the backtest."""
        return {
            "agent": self.agent,
            "release_date": self.release_date.isoformat(),
            "observed": self.observed,
            "predicted": self.predicted,
            "interval": list(self.interval),
            "covered": self.covered,
            "line_only_interval": list(self.line_interval),
            "line_only_covered": self.line_covered,
            "error_doublings": self.error_doublings,
            "days_ahead_of_trend": self.days_ahead,
        }


def backtest_json(
    values: Mapping[str, float],
    release_dates: Mapping[str, date],
    fit_window: DateWindow,
    confidence: float = 0.95,
    metric: str = "p50",
    human_agent: str = HUMAN_AGENT,
) -> dict[str, Any]:
    """Fit on `fit_window`'s frontier, score the later frontier agents (module docstring)."""
    if fit_window.before is None:
        raise AnalysisInputError("the fit window needs an end date (AFTER:BEFORE): later agents are scored")
    trend = frontier_trend(values, release_dates, fit_window, human_agent)
    if trend is None:
        raise AnalysisInputError(f"fewer than {MIN_POINTS} frontier agents in the fit window: nothing to fit")
    later_window = DateWindow(fit_window.after, None)
    later = [
        a
        for a in frontier_agents(values, release_dates, later_window, human_agent)
        if release_dates[a] >= fit_window.before
    ]
    scored = [_score(a, values[a], release_dates[a], trend, confidence) for a in later]
    covered = [s.covered for s in scored]
    errors = [s.error_doublings for s in scored]
    return {
        "metric": metric,
        "fit_window": fit_window.as_list(),
        "confidence": confidence,
        "fit_agents": trend.agents,
        "doubling_days": math.log(2) / trend.slope if trend.slope > 0 else None,
        "residual_sd_doublings": trend.residual_sd / math.log(2),
        "scored": [s.to_json() for s in scored],
        "n_scored": len(scored),
        "coverage": float(np.mean(covered)) if scored else None,
        "line_only_coverage": float(np.mean([s.line_covered for s in scored])) if scored else None,
        "mean_error_doublings": float(np.mean(errors)) if scored else None,
    }


def _score(
    agent: str, observed: float, released: date, trend: FrontierTrend, confidence: float
) -> ScoredAgent:
    day = days_since_epoch(released)
    centre = trend.centre(day)
    wide = trend.half_width(day, confidence)
    narrow = trend.half_width(day, confidence, line_only=True)
    ln_observed = math.log(max(observed, MIN_HORIZON))
    return ScoredAgent(
        agent=agent,
        release_date=released,
        observed=observed,
        predicted=math.exp(centre),
        interval=(math.exp(centre - wide), math.exp(centre + wide)),
        line_interval=(math.exp(centre - narrow), math.exp(centre + narrow)),
        days_ahead=(ln_observed - centre) / trend.slope if trend.slope > 0 else None,
    )


def day_to_iso(days: float | None) -> str | None:
    """The ISO date `days` after 1970-01-01, or None when absent or beyond the calendar (year 9999)."""
    if days is None or not math.isfinite(days):
        return None
    try:
        return (EPOCH + timedelta(days=round(days))).isoformat()
    except OverflowError:
        return None
