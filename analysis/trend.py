"""Frontier rule, exponential trend and doubling time (docs/method.md section 4).

- Window: keep agents with `after <= release_date < before` (either bound may be open); the
  window is applied BEFORE the running maximum. Named windows: `paper` (2019-01-01 to
  2025-02-25), `all_time` (2019-01-01 to 2030-01-01), `from_2023_on` (2023-01-01 to 2030-01-01).
- Frontier (`frontier_agents`): the `human` agent is dropped; walking release dates in order with
  `M = max(M, max p50 released that day)`, an agent is on the frontier when `p50 >= M` (ties
  count). Agents with a NaN or infinite p50 cannot be placed and are left out.
- Trend (`fit_trend`): ordinary least squares of `ln(max(p50, 1e-3))` on the release date in days
  since 1970-01-01; doubling time = `ln 2 / slope` days. Fewer than two points, or all on one
  date, give NaN.
- Bootstrap CI, two rules (`doubling_ci`):
  - `slope` (the default): per replicate, the same fit on the frontier agents' replicate p50s
    clamped to [1e-3, 1e6] minutes (a replicate counted at its limit, 0 or beyond every task,
    stays in at the clamp); the percentile interval of the slopes is inverted to doubling times,
    `ln 2 / slope`. When the slope interval reaches 0 or below, the doubling time's upper side is
    unbounded (+inf, null in JSON); when it lies wholly at or below 0, both sides are. Median =
    `ln 2 / median slope`. Only replicates with fewer than two finite points are left out.
  - `positive_doublings` (METR's): the same fit dropping NaN, inf and values < 1e-3; replicates
    with fewer than two points are skipped and only doubling times > 0 are kept (which truncates
    the distribution: the point estimate can fall outside its own interval). CI = percentiles of
    the kept values, plus their median; no kept value gives NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.errors import AnalysisInputError

FloatArray = NDArray[np.float64]

HUMAN_AGENT = "human"
MIN_HORIZON = 1e-3
# Ceiling of a replicate p50 in the `slope` rule: an all-success replicate (+inf) enters here.
MAX_HORIZON = 1e6
DoublingCI = Literal["slope", "positive_doublings"]
DOUBLING_CIS: tuple[DoublingCI, ...] = ("slope", "positive_doublings")
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class DateWindow:
    """Release-date window `after <= d < before`; None leaves that side open."""

    after: date | None = None
    before: date | None = None

    def contains(self, day: date) -> bool:
        """Whether `day` lies inside the window."""
        return (self.after is None or day >= self.after) and (self.before is None or day < self.before)

    def as_list(self) -> list[str | None]:
        """[after, before] as ISO strings (None for an open side), the JSON form."""
        return [None if d is None else d.isoformat() for d in (self.after, self.before)]


NAMED_WINDOWS: dict[str, DateWindow] = {
    "paper": DateWindow(date(2019, 1, 1), date(2025, 2, 25)),
    "all_time": DateWindow(date(2019, 1, 1), date(2030, 1, 1)),
    "from_2023_on": DateWindow(date(2023, 1, 1), date(2030, 1, 1)),
}
# METR's trend script default: after 2019-01-01, no upper bound.
DEFAULT_WINDOW = DateWindow(date(2019, 1, 1), None)


def parse_window(text: str | None) -> DateWindow:
    """Parse `AFTER:BEFORE` (ISO dates, either side may be empty) or a named window."""
    if text is None or text.strip() == "":
        return DEFAULT_WINDOW
    text = text.strip()
    if text in NAMED_WINDOWS:
        return NAMED_WINDOWS[text]
    if ":" not in text:
        names = ", ".join(NAMED_WINDOWS)
        raise AnalysisInputError(f"window {text!r} must be AFTER:BEFORE (ISO dates) or one of {names}")
    after_text, before_text = (part.strip() for part in text.split(":", 1))
    try:
        after = date.fromisoformat(after_text) if after_text else None
        before = date.fromisoformat(before_text) if before_text else None
    except ValueError as exc:
        raise AnalysisInputError(f"window {text!r}: {exc}") from exc
    if after is not None and before is not None and before <= after:
        raise AnalysisInputError(f"window {text!r} is empty: BEFORE must come after AFTER")
    return DateWindow(after, before)


def days_since_epoch(day: date) -> float:
    """Days from 1970-01-01 (matplotlib's date2num, which METR uses)."""
    return float((day - EPOCH).days)


def frontier_agents(
    p50: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    human_agent: str = HUMAN_AGENT,
) -> list[str]:
    """Agents on the frontier, in release order (ties on a date in the order given).

    Only agents present in both mappings are considered; see the module docstring for the rule.
    No candidate gives an empty list; a single candidate is the frontier on its own.
    """
    candidates = [
        (release_dates[a], a, float(p))
        for a, p in p50.items()
        if a != human_agent
        and a in release_dates
        and math.isfinite(float(p))
        and window.contains(release_dates[a])
    ]
    candidates.sort(key=lambda c: c[0])  # stable: agents released the same day keep their order
    frontier: list[str] = []
    best = -math.inf
    i = 0
    while i < len(candidates):
        day = candidates[i][0]
        same_day = [c for c in candidates[i:] if c[0] == day]
        best = max(best, max(c[2] for c in same_day))
        frontier.extend(c[1] for c in same_day if c[2] >= best)
        i += len(same_day)
    return frontier


@dataclass(frozen=True)
class TrendLine:
    """`ln(p50) = intercept + slope * days`; doubling time `ln 2 / slope` days."""

    slope: float
    intercept: float
    r_squared: float

    @property
    def doubling_days(self) -> float:
        """ln 2 / slope (inf for a flat line, negative for a shrinking trend, NaN if unfitted)."""
        if math.isnan(self.slope):
            return float("nan")
        if self.slope == 0:
            return float("inf")
        return math.log(2) / self.slope


def fit_trend(p50s: Sequence[float], dates: Sequence[date]) -> TrendLine:
    """OLS of ln(max(p50, 1e-3)) on days since epoch; NaN line for < 2 points or a single date."""
    if len(p50s) != len(dates):
        raise ValueError("p50s and dates must have the same length")
    x = np.array([days_since_epoch(d) for d in dates], dtype=np.float64)
    y = np.log(np.clip(np.asarray(p50s, dtype=np.float64), MIN_HORIZON, None))
    if len(x) < 2 or np.all(x == x[0]):
        return TrendLine(float("nan"), float("nan"), float("nan"))
    xc = x - x.mean()
    yc = y - y.mean()
    slope = float(np.dot(xc, yc) / np.dot(xc, xc))
    intercept = float(y.mean() - slope * x.mean())
    residual = yc - slope * xc
    total = float(np.dot(yc, yc))
    r_squared = 1.0 - float(np.dot(residual, residual)) / total if total > 0 else float("nan")
    return TrendLine(slope, intercept, r_squared)


def bootstrap_doubling_times(samples: FloatArray, dates: Sequence[date]) -> FloatArray:
    """Doubling times (days) of the replicates kept by METR's rule (`positive_doublings`).

    `samples` has shape (replicates, agents) with columns aligned with `dates`; the fit per
    replicate is vectorised (a masked OLS per row).
    """
    slope = bootstrap_slopes(samples, dates, clamp=False)
    with np.errstate(divide="ignore"):
        doubling = np.log(2) / slope
    keep = np.isfinite(doubling) & (doubling > 0)
    return np.asarray(doubling[keep], dtype=np.float64)


def bootstrap_slopes(samples: FloatArray, dates: Sequence[date], clamp: bool = True) -> FloatArray:
    """Per replicate, the OLS slope of ln(p50) on days; NaN where fewer than two points remain.

    With `clamp`, p50s are clamped to [MIN_HORIZON, MAX_HORIZON] (NaN still drops the point);
    without it, NaN, inf and values below MIN_HORIZON drop the point (METR's rule).
    """
    values = np.asarray(samples, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(dates):
        raise ValueError("samples must be (replicates, agents) with one date per agent")
    if values.shape[0] == 0 or values.shape[1] == 0:
        return np.zeros(0)
    x = np.array([days_since_epoch(d) for d in dates], dtype=np.float64)
    if clamp:
        values = np.clip(values, MIN_HORIZON, MAX_HORIZON)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(values) & (values >= MIN_HORIZON)
    count = valid.sum(axis=1)
    mask = valid.astype(np.float64)
    safe = np.where(valid, values, 1.0)
    y = np.log(safe)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = (mask * x).sum(axis=1) / count
        y_mean = (mask * y).sum(axis=1) / count
        xc = (x[None, :] - x_mean[:, None]) * mask
        yc = (y - y_mean[:, None]) * mask
        slope = (xc * yc).sum(axis=1) / (xc * xc).sum(axis=1)
    slope[count < 2] = np.nan
    return np.asarray(slope, dtype=np.float64)


def invert_slope_interval(lo: float, hi: float) -> tuple[float, float]:
    """Doubling-time interval (days) from a slope interval (per day): `ln 2 / slope`, decreasing.

    A slope interval reaching 0 leaves the upper side unbounded (+inf); one wholly at or below 0
    (no growth) leaves both sides unbounded. NaN in, NaN out.
    """
    if math.isnan(lo) or math.isnan(hi):
        return float("nan"), float("nan")
    if hi <= 0:
        return float("inf"), float("inf")
    upper = math.log(2) / lo if lo > 0 else float("inf")
    return math.log(2) / hi, upper


@dataclass(frozen=True)
class TrendResult:
    """Doubling time over the frontier agents of a window, with its bootstrap CI and median."""

    window: DateWindow
    agents: list[str]
    doubling_days: float
    doubling_days_ci: tuple[float, float]
    doubling_days_median: float
    n_samples: int
    r_squared: float
    excluded_agents: dict[str, str] = field(default_factory=dict)
    confidence: float = 0.95
    method: DoublingCI = "positive_doublings"
    slope_ci: tuple[float, float] = (float("nan"), float("nan"))
    n_dropped_replicates: int = 0  # replicates without a doubling time (see the method)

    @property
    def ci_unbounded(self) -> bool:
        """Whether the interval's upper side is unbounded (the slope interval reaches 0)."""
        return self.method == "slope" and math.isinf(self.doubling_days_ci[1])

    def to_json(self) -> dict[str, object]:
        """The `trend` object of the analysis JSON (non-finite numbers become null)."""
        return {
            "doubling_ci_method": self.method,
            "doubling_days_ci_unbounded": self.ci_unbounded,
            "slope_per_day_ci": [_finite_or_none(v) for v in self.slope_ci],
            "n_dropped_replicates": self.n_dropped_replicates,
            "window": self.window.as_list(),
            "agents": list(self.agents),
            "doubling_days": _finite_or_none(self.doubling_days),
            "doubling_days_ci": [_finite_or_none(v) for v in self.doubling_days_ci],
            "doubling_days_median": _finite_or_none(self.doubling_days_median),
            "n_samples": self.n_samples,
            "r_squared": _finite_or_none(self.r_squared),
            "confidence": self.confidence,
            "excluded_agents": dict(self.excluded_agents),
        }


def analyze_trend(
    p50: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    samples: Mapping[str, FloatArray] | None = None,
    confidence: float = 0.95,
    human_agent: str = HUMAN_AGENT,
    method: DoublingCI = "positive_doublings",
) -> TrendResult:
    """Frontier, doubling time and (when `samples` holds replicate p50s per agent) its CI.

    `method` picks the interval's rule (module docstring); `positive_doublings` is METR's.

    Agents without a release date or with a non-finite p50 are listed in `excluded_agents` with
    the reason; `human_agent` is dropped silently. A frontier agent missing from `samples`
    raises `AnalysisInputError`. With fewer than two frontier agents everything is NaN.
    """
    excluded: dict[str, str] = {}
    for agent, value in p50.items():
        if agent == human_agent:
            continue
        if agent not in release_dates:
            excluded[agent] = "no release date"
        elif not math.isfinite(float(value)):
            excluded[agent] = "p50 is not finite"
    frontier = frontier_agents(p50, release_dates, window, human_agent)
    line = fit_trend([p50[a] for a in frontier], [release_dates[a] for a in frontier])
    nan_pair = (float("nan"), float("nan"))
    unfitted = TrendResult(
        window,
        frontier,
        line.doubling_days,
        nan_pair,
        float("nan"),
        0,
        line.r_squared,
        excluded,
        confidence,
        method,
    )
    if samples is None or len(frontier) < 2:
        return unfitted
    missing = [a for a in frontier if a not in samples]
    if missing:
        raise AnalysisInputError(f"bootstrap samples lack frontier agent(s): {', '.join(missing)}")
    matrix = np.column_stack([np.asarray(samples[a], dtype=np.float64) for a in frontier])
    frontier_dates = [release_dates[a] for a in frontier]
    if method == "slope":
        return _slope_interval_trend(unfitted, bootstrap_slopes(matrix, frontier_dates))
    doubling = bootstrap_doubling_times(matrix, frontier_dates)
    if doubling.size == 0:
        return replace(unfitted, n_dropped_replicates=matrix.shape[0])
    low = (1.0 - confidence) / 2.0
    lo, hi = np.percentile(doubling, [100 * low, 100 * (1 - low)])
    return TrendResult(
        window=window,
        agents=frontier,
        doubling_days=line.doubling_days,
        doubling_days_ci=(float(lo), float(hi)),
        doubling_days_median=float(np.median(doubling)),
        n_samples=int(doubling.size),
        r_squared=line.r_squared,
        excluded_agents=excluded,
        confidence=confidence,
        method=method,
        n_dropped_replicates=int(matrix.shape[0] - doubling.size),
    )


def _slope_interval_trend(unfitted: TrendResult, slopes: FloatArray) -> TrendResult:
    """`unfitted` completed with the `slope` rule's interval from per-replicate slopes."""
    kept = slopes[~np.isnan(slopes)]
    dropped = int(slopes.size - kept.size)
    if kept.size == 0:
        return replace(unfitted, n_dropped_replicates=dropped)
    low = (1.0 - unfitted.confidence) / 2.0
    with np.errstate(invalid="ignore"):
        lo, hi = (float(v) for v in np.quantile(kept, [low, 1.0 - low]))
    median_slope = float(np.median(kept))
    return replace(
        unfitted,
        doubling_days_ci=invert_slope_interval(lo, hi),
        doubling_days_median=math.log(2) / median_slope if median_slope > 0 else float("inf"),
        n_samples=int(kept.size),
        slope_ci=(lo, hi),
        n_dropped_replicates=dropped,
    )


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
