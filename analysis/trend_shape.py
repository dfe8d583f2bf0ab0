"""Is the frontier's growth exponential, or curved? (docs/method.md section 11)

Null: the frontier's `ln h = a + b t + e` (a straight line in log space: exponential growth, the
trend of `trend.py`). Alternative: `ln h = a + b t + c t^2 + e` (t centred and scaled to the
window), where c > 0 is acceleration and c < 0 slowing down. Residuals normal with one sd.

Statistic: the likelihood ratio `n ln(RSS_line / RSS_quadratic)`. Its p-value comes from a
parametric bootstrap under the fitted null: `n_null` data sets `fitted line + N(0, s^2)` at the
same dates (s^2 = RSS_line / (n - 2)), each refitted both ways; p = (1 + #{T* >= T}) / (1 +
n_null). `null_calibration` checks the false-rejection rate of the whole procedure on data drawn
from a line; `power_curve` its rejection rate as curvature grows, measured by how many doublings
the curve bends away from the line at the window's ends (`bend`).

Forecasts side by side: the line's (`forecast.py`, Fieller's inverse prediction) and the
quadratic's, whose dates come from a parametric bootstrap of the quadratic fit: in each replicate
the refitted curve plus a new residual draw is solved for the first day after the last frontier
agent at which it reaches the target; replicates that never reach it make the interval's upper
side unbounded (null) when they exceed the upper tail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.bootstrap import percentile_interval
from analysis.errors import AnalysisInputError
from analysis.forecast import WORK_TARGETS, day_to_iso, forecast_json
from analysis.trend import (
    DEFAULT_WINDOW,
    HUMAN_AGENT,
    MIN_HORIZON,
    DateWindow,
    days_since_epoch,
    frontier_agents,
)

FloatArray = NDArray[np.float64]

MIN_POINTS = 5  # the quadratic leaves n - 3 residual df; fewer than 2 cannot test anything
MAX_NULL = 20_000
MAX_HORIZON_DAYS = 365.25 * 50  # a curve reaching the target later than this counts as never


@dataclass(frozen=True)
class ShapeData:
    """Frontier points: days since epoch and ln horizons, with the design's centring."""

    agents: list[str]
    days: FloatArray
    ln_h: FloatArray

    @property
    def centre(self) -> float:
        """Mean release day: t = 0."""
        return float(self.days.mean())

    @property
    def scale(self) -> float:
        """Half the window's span, so t runs over [-1, 1] (well-conditioned quadratic)."""
        return max(float(self.days.max() - self.days.min()) / 2.0, 1.0)

    def t(self, days: FloatArray | float) -> FloatArray:
        """Days since epoch to the centred, scaled time of the quadratic."""
        return np.asarray((np.asarray(days, dtype=np.float64) - self.centre) / self.scale)


def shape_data(
    values: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    human_agent: str = HUMAN_AGENT,
) -> ShapeData:
    """The frontier's points; an input error with fewer than MIN_POINTS on three or more dates."""
    frontier = frontier_agents(values, release_dates, window, human_agent)
    days = np.array([days_since_epoch(release_dates[a]) for a in frontier], dtype=np.float64)
    if len(frontier) < MIN_POINTS or len(np.unique(days)) < 3:
        raise AnalysisInputError(
            f"the trend-shape test needs at least {MIN_POINTS} frontier agents on 3 or more dates, "
            f"got {len(frontier)}"
        )
    ln_h = np.log(np.clip([values[a] for a in frontier], MIN_HORIZON, None)).astype(np.float64)
    return ShapeData(frontier, days, ln_h)


def _designs(t: FloatArray) -> tuple[FloatArray, FloatArray]:
    line = np.column_stack([np.ones_like(t), t])
    return line, np.column_stack([line, t**2])


def _residual_makers(t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """I - H for the line and the quadratic: residuals of any y are (I - H) y."""
    eye = np.eye(t.size)
    return tuple(eye - x @ np.linalg.pinv(x) for x in _designs(t))  # type: ignore[return-value]


def lr_statistics(t: FloatArray, y: FloatArray) -> FloatArray:
    """`n ln(RSS_line / RSS_quad)` for each row of `y` (shape (..., n)), vectorised."""
    m_line, m_quad = _residual_makers(t)
    rss_line = np.sum((y @ m_line.T) ** 2, axis=-1)
    rss_quad = np.maximum(np.sum((y @ m_quad.T) ** 2, axis=-1), 1e-300)
    return np.asarray(t.size * np.log(rss_line / rss_quad), dtype=np.float64)


def bootstrap_p_value(
    t: FloatArray, y: FloatArray, n_null: int, rng: np.random.Generator
) -> tuple[float, float]:
    """(statistic, parametric-bootstrap p-value) for one data set."""
    x_line, _ = _designs(t)
    coef, *_ = np.linalg.lstsq(x_line, y, rcond=None)
    fitted = x_line @ coef
    sd = math.sqrt(float(np.sum((y - fitted) ** 2)) / (t.size - 2))
    observed = float(lr_statistics(t, y))
    null = lr_statistics(t, fitted + sd * rng.standard_normal((n_null, t.size)))
    return observed, float((1 + np.sum(null >= observed)) / (1 + n_null))


def null_calibration(
    t: FloatArray, sd: float, n_datasets: int, n_null: int, rng: np.random.Generator, alpha: float = 0.05
) -> float:
    """Share of data sets drawn from a line (at design `t`, noise `sd`) that the test rejects."""
    return rejection_rate(t, sd, 0.0, n_datasets, n_null, rng, alpha)


def rejection_rate(
    t: FloatArray,
    sd: float,
    bend: float,
    n_datasets: int,
    n_null: int,
    rng: np.random.Generator,
    alpha: float,
) -> float:
    """Rejection rate at level `alpha` when the truth bends `bend` doublings at the ends (t = +-1).

    The statistic is scale- and line-invariant, so each data set's null distribution is the same:
    one shared set of `n_null` null statistics serves every data set (exactly the per-data-set
    bootstrap's distribution, drawn once).
    """
    null = lr_statistics(t, rng.standard_normal((n_null, t.size)))
    curve = bend * math.log(2) * (t**2 - np.mean(t**2))
    data = curve + sd * rng.standard_normal((n_datasets, t.size))
    stats = lr_statistics(t, data)
    p = (1 + np.sum(null[None, :] >= stats[:, None], axis=1)) / (1 + n_null)
    return float(np.mean(p <= alpha))


def power_curve(
    t: FloatArray,
    sd: float,
    bends: Sequence[float],
    n_datasets: int,
    n_null: int,
    rng: np.random.Generator,
    alpha: float = 0.05,
) -> list[dict[str, float]]:
    """Rejection rate per bend (doublings at the window's ends; 0 = the false-rejection rate)."""
    return [
        {
            "bend_doublings": float(b),
            "rejection_rate": rejection_rate(t, sd, b, n_datasets, n_null, rng, alpha),
        }
        for b in bends
    ]


def quadratic_forecasts(
    data: ShapeData,
    targets: Sequence[tuple[str, float]],
    confidence: float,
    n_boot: int,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Per target: the date the quadratic's fitted curve reaches it and a bootstrap interval."""
    t = data.t(data.days)
    _, x_quad = _designs(t)
    coef = np.asarray(np.linalg.lstsq(x_quad, data.ln_h, rcond=None)[0], dtype=np.float64)
    fitted = x_quad @ coef
    sd = math.sqrt(float(np.sum((data.ln_h - fitted) ** 2)) / (t.size - 3))
    draws = (fitted + sd * rng.standard_normal((n_boot, t.size))).T
    boot = np.asarray(np.linalg.lstsq(x_quad, draws, rcond=None)[0].T, dtype=np.float64)
    new_residual = sd * rng.standard_normal(n_boot)
    start = float(t.max())
    out = []
    for label, hours in targets:
        ln_target = math.log(hours * 60.0)
        point = _first_crossing(coef[None, :], np.zeros(1), ln_target, start, data.scale)[0]
        days = _first_crossing(boot, new_residual, ln_target, start, data.scale)
        lo, hi = percentile_interval(days, confidence)  # never = inf, ordered last
        out.append(
            {
                "label": label,
                "hours": hours,
                "date": _iso(data, point),
                "interval": [_iso(data, float(lo)), _iso(data, float(hi))],
                "share_never": float(np.mean(np.isinf(days))),
            }
        )
    return out


def _first_crossing(
    coef: FloatArray, shift: FloatArray, ln_target: float, start: float, scale: float
) -> FloatArray:
    """Per row of `coef` (a, b, c): the first t >= `start` where a + b t + c t^2 + shift reaches
    `ln_target` (the value itself when already reached at `start`); inf when never (or too late)."""
    a = coef[:, 0] + shift - ln_target
    b, c = coef[:, 1], coef[:, 2]
    out = np.full(a.size, np.inf)
    at_start = a + b * start + c * start**2
    out[at_start >= 0] = start
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = b * b - 4 * c * a
        root = np.sqrt(np.where(disc >= 0, disc, np.nan))
        roots = np.stack([(-b - root) / (2 * c), (-b + root) / (2 * c), -a / b])
    roots[:2, np.abs(c) < 1e-12] = np.nan  # a line: its single root only
    roots[2, np.abs(c) >= 1e-12] = np.nan
    roots[~(roots >= start)] = np.nan
    first = np.nanmin(np.where(np.isnan(roots), np.inf, roots), axis=0)
    pending = at_start < 0
    out[pending] = first[pending]
    out[out > start + MAX_HORIZON_DAYS / scale] = np.inf
    return out


def _iso(data: ShapeData, t: float) -> str | None:
    return day_to_iso(data.centre + t * data.scale) if math.isfinite(t) else None


def trend_shape_json(
    values: Mapping[str, float],
    release_dates: Mapping[str, date],
    window: DateWindow = DEFAULT_WINDOW,
    *,
    confidence: float = 0.95,
    n_null: int = 2000,
    bends: Sequence[float] = (0.0, 0.5, 1.0, 2.0, 3.0),
    n_power: int = 500,
    seed: int = 0,
    human_agent: str = HUMAN_AGENT,
    targets: Sequence[tuple[str, float]] = WORK_TARGETS,
) -> dict[str, Any]:
    """Test, power curve at the data's own dates and scatter, and both shapes' forecasts."""
    if not 1 <= n_null <= MAX_NULL or not 1 <= n_power <= MAX_NULL:
        raise AnalysisInputError(f"null and power replicates must be between 1 and {MAX_NULL}")
    if len(bends) > 20 or any(not (math.isfinite(b) and abs(b) <= 20) for b in bends):
        raise AnalysisInputError("at most 20 bends, each within +-20 doublings")
    data = shape_data(values, release_dates, window, human_agent)
    rng = np.random.default_rng(seed)
    t = data.t(data.days)
    statistic, p_value = bootstrap_p_value(t, data.ln_h, n_null, rng)
    _, x_quad = _designs(t)
    coef, *_ = np.linalg.lstsq(x_quad, data.ln_h, rcond=None)
    x_line, _ = _designs(t)
    line_coef, *_ = np.linalg.lstsq(x_line, data.ln_h, rcond=None)
    sd = math.sqrt(float(np.sum((data.ln_h - x_line @ line_coef) ** 2)) / (t.size - 2))
    return {
        "window": window.as_list(),
        "agents": data.agents,
        "n": len(data.agents),
        "statistic": statistic,
        "p_value": p_value,
        "n_null": n_null,
        "rejects_exponential": p_value <= 1 - confidence,
        "curvature_doublings": float(coef[2] / math.log(2)),  # bend at the window's ends
        "residual_sd_doublings": sd / math.log(2),
        "power": power_curve(t, sd, bends, n_power, n_null, rng, 1 - confidence),
        "forecasts": {
            "exponential": forecast_json(
                values, release_dates, window, confidence, targets, "p50", human_agent
            )["targets"],
            "quadratic": quadratic_forecasts(data, targets, confidence, n_null, rng),
        },
    }
