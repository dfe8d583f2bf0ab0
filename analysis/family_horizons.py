"""Per-family horizons with partial pooling (docs/method.md section 12).

A family holds 1 to 7 tasks, so a logistic fit on one family alone is mostly noise (and often
all successes or all failures). Model, per agent: `logit P(success) = a + u_f + b x`, x = log2
human minutes, one slope b for all families and a family offset u_f ~ N(0, tau^2) (a random
intercept). A family's horizon at success rate q is where its own curve crosses q:
`log2 h_f(q) = (logit q - a - u_f) / b`; tau / |b| is the spread of family horizons in doublings.

Fit: for every tau on a grid at once (`fit_tau_grid`), the posterior mode of (a, b, u) under the
penalty `sum u_f^2 / (2 tau^2)` (Newton) and the Laplace approximation of the likelihood of tau.
Runs on the same task share x and family, so the fit works on (family, x) cells with run and
success counts, and the Hessian's u-block is diagonal: each Newton step is a 2x2 solve (Schur
complement), not a dense one, whatever the number of families.

Estimate and interval: the tau with the largest likelihood (empirical Bayes, tau = 0 pools
fully) is reported, with each family's posterior mode at it as `pooled`. The interval does not
condition on that tau: it integrates over tau (uniform prior on the grid's range, the grid's
trapezoid weights times each tau's likelihood with a and b integrated out too), so each family's
log2 horizon has a mixture of normal posteriors (delta method from each tau's Laplace
covariance of (a, b, u_f)); the interval is the mixture's quantiles. Conditioning on one tau
under-covered (80-87% in simulation for a nominal 95%): a tau estimated too small shrinks
families it should not, and nothing in a fixed-tau interval says so.

Runs count one each (a Bernoulli trial; the likelihood needs counts, not weights that sum to 1).
`raw` beside each shrunk value is the family's horizon with tau unbounded (no pooling, a light
ridge keeps all-success families finite), for comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, ndtr, ndtri

from analysis.errors import AnalysisInputError
from analysis.logistic import logit
from analysis.table import RunTable

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# 0 (full pooling), then a geometric grid dense enough that neighbouring taus' likelihoods differ
# little where it peaks (the integration over tau is a sum over this grid).
TAU_GRID = np.concatenate([[0.0], np.geomspace(0.05, 8.0, 40)])
NO_POOLING_TAU = 30.0
SLOPE_PENALTY = 1e-4  # keeps a and b finite when an agent's runs separate perfectly
FULL_POOLING_PRECISION = 1e12  # tau = 0: the offsets' prior precision, pinning them at 0
MAX_NEWTON = 60


@dataclass(frozen=True)
class Cells:
    """One agent's runs grouped by (family, x): cells sorted by family, every family present."""

    x: FloatArray
    family: IntArray
    runs: FloatArray
    successes: FloatArray
    n_families: int

    @classmethod
    def from_runs(cls, x: FloatArray, y: FloatArray, family: IntArray, n_families: int) -> Cells:
        """Cells of runs `x`, outcomes `y` (0..1) and family codes 0..n_families-1."""
        x_values, x_code = np.unique(x, return_inverse=True)
        keys, cell = np.unique(family * len(x_values) + x_code.reshape(-1), return_inverse=True)
        cell = cell.reshape(-1)
        size = len(keys)
        return cls(
            x=x_values[keys % len(x_values)],
            family=(keys // len(x_values)).astype(np.int64),
            runs=np.bincount(cell, minlength=size).astype(np.float64),
            successes=np.bincount(cell, weights=y, minlength=size).astype(np.float64),
            n_families=n_families,
        )


@dataclass(frozen=True)
class GridFit:
    """Posterior modes and Laplace terms of the random-intercept model at each tau (rows)."""

    tau: FloatArray
    intercept: FloatArray  # (T,)
    slope: FloatArray  # (T,)
    offsets: FloatArray  # (T, F)
    log_likelihood: FloatArray  # (T,) Laplace log likelihood of tau, (a, b) at their mode
    log_evidence: FloatArray  # (T,) the same with (a, b) integrated out too (flat prior)
    cov_ab: FloatArray  # (T, 2, 2) posterior covariance of (a, b)
    cov_ab_u: FloatArray  # (T, 2, F) covariance of (a, b) with each u_f
    var_u: FloatArray  # (T, F)


def fit_tau_grid(cells: Cells, taus: FloatArray) -> GridFit:
    """Newton on (a, b, u) for every tau at once (tau = 0 pins u at 0)."""
    taus = np.asarray(taus, dtype=np.float64)
    n_tau, n_fam = len(taus), cells.n_families
    with np.errstate(divide="ignore"):
        precision = np.where(taus > 0, 1.0 / taus**2, FULL_POOLING_PRECISION)
    starts = np.flatnonzero(np.r_[True, cells.family[1:] != cells.family[:-1]])
    x, n, k = cells.x, cells.runs, cells.successes
    a, b, u = np.zeros(n_tau), np.zeros(n_tau), np.zeros((n_tau, n_fam))

    def curvature() -> tuple[FloatArray, ...]:
        p = expit(a[:, None] + b[:, None] * x + u[:, cells.family])
        w = n * p * (1.0 - p)
        wx = w * x
        s_f = np.add.reduceat(w, starts, axis=1)  # H[a, u_f]
        t_f = np.add.reduceat(wx, starts, axis=1)  # H[b, u_f]
        d_f = s_f + precision[:, None]  # H[u_f, u_f]
        # Schur complement of the diagonal u-block: the (a, b) precision with u integrated out.
        s_aa = w.sum(axis=1) - np.sum(s_f * s_f / d_f, axis=1)
        s_ab = wx.sum(axis=1) - np.sum(s_f * t_f / d_f, axis=1)
        s_bb = (wx * x).sum(axis=1) + SLOPE_PENALTY - np.sum(t_f * t_f / d_f, axis=1)
        return p, s_f, t_f, d_f, s_aa, s_ab, s_bb

    for _ in range(MAX_NEWTON):
        p, s_f, t_f, d_f, s_aa, s_ab, s_bb = curvature()
        r = k - n * p
        g_a = r.sum(axis=1)
        g_b = (r * x).sum(axis=1) - SLOPE_PENALTY * b
        g_u = np.add.reduceat(r, starts, axis=1) - precision[:, None] * u
        rhs_a = g_a - np.sum(s_f * g_u / d_f, axis=1)
        rhs_b = g_b - np.sum(t_f * g_u / d_f, axis=1)
        det = s_aa * s_bb - s_ab * s_ab
        step_a = (s_bb * rhs_a - s_ab * rhs_b) / det
        step_b = (s_aa * rhs_b - s_ab * rhs_a) / det
        step_u = (g_u - s_f * step_a[:, None] - t_f * step_b[:, None]) / d_f
        a, b, u = a + step_a, b + step_b, u + step_u
        largest = np.maximum(np.maximum(np.abs(step_a), np.abs(step_b)), np.abs(step_u).max(axis=1))
        if np.all(largest < 1e-9):
            break
    p, s_f, t_f, d_f, s_aa, s_ab, s_bb = curvature()
    p = np.clip(p, 1e-300, 1 - 1e-16)
    log_lik = np.sum(k * np.log(p) + (n - k) * np.log1p(-p), axis=1)
    pooled = taus > 0
    log_tau = np.log(np.where(pooled, taus, 1.0))
    log_prior = np.where(pooled, -0.5 * np.sum(u * u, axis=1) * precision - n_fam * log_tau, 0.0)
    logdet_u = np.where(pooled, np.sum(np.log(d_f), axis=1), 0.0)
    log_likelihood = log_lik + log_prior - 0.5 * logdet_u
    det = s_aa * s_bb - s_ab * s_ab
    cov_ab = np.stack([np.stack([s_bb, -s_ab], -1), np.stack([-s_ab, s_aa], -1)], -2) / det[:, None, None]
    # Block inverse: Cov(ab, u_f) = -S^-1 B_f / d_f, Var(u_f) = 1/d_f + B_f' S^-1 B_f / d_f^2.
    cov_ab_u = -np.einsum("tij,tjf->tif", cov_ab, np.stack([s_f, t_f], 1)) / d_f[:, None, :]
    var_u = 1.0 / d_f - (s_f * cov_ab_u[:, 0] + t_f * cov_ab_u[:, 1]) / d_f
    return GridFit(
        tau=taus,
        intercept=a,
        slope=b,
        offsets=u,
        log_likelihood=log_likelihood,
        log_evidence=log_likelihood - 0.5 * np.log(det),
        cov_ab=cov_ab,
        cov_ab_u=cov_ab_u,
        var_u=var_u,
    )


def log2_horizon_posterior(fit: GridFit, level: float) -> tuple[FloatArray, FloatArray]:
    """Per tau and family, the mode and delta-method sd of log2 h_f = (level - a - u_f) / b."""
    a, b = fit.intercept[:, None], fit.slope[:, None]
    gap = level - a - fit.offsets
    with np.errstate(divide="ignore", invalid="ignore"):
        mode = gap / b
        # Gradient of log2 h_f over (a, b, u_f): (-1, -gap / b, -1) / b.
        g_a, g_b, g_u = -1.0 / b, -gap / (b * b), -1.0 / b
    variance = (
        g_a * g_a * fit.cov_ab[:, 0, 0][:, None]
        + g_b * g_b * fit.cov_ab[:, 1, 1][:, None]
        + 2.0 * g_a * g_b * fit.cov_ab[:, 0, 1][:, None]
        + g_u * g_u * fit.var_u
        + 2.0 * g_u * (g_a * fit.cov_ab_u[:, 0] + g_b * fit.cov_ab_u[:, 1])
    )
    return mode, np.sqrt(np.maximum(variance, 0.0))


def tau_weights(fit: GridFit) -> FloatArray:
    """Posterior weight of each grid tau: uniform prior on tau (trapezoid rule), evidence."""
    tau = fit.tau
    width = np.zeros_like(tau)
    gaps = np.diff(tau)
    width[:-1] += gaps / 2.0
    width[1:] += gaps / 2.0
    log_weight = fit.log_evidence + np.log(width)
    usable = np.isfinite(log_weight) & (fit.slope < 0)
    if not usable.any():
        return np.zeros_like(tau)
    weight = np.where(usable, np.exp(log_weight - np.max(log_weight[usable])), 0.0)
    normalised: FloatArray = weight / weight.sum()
    return normalised


def mixture_interval(
    weight: FloatArray, mode: FloatArray, sd: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Per family (columns), the central `confidence` interval of the normal mixture over taus."""
    keep = weight > 1e-9  # components too light to move a quantile by more than that
    w, m, s = weight[keep][:, None] / weight[keep].sum(), mode[keep], np.maximum(sd[keep], 1e-12)
    tail = (1.0 - confidence) / 2.0
    bounds = []
    for q in (tail, 1.0 - tail):
        # Bisection between the components' own quantiles, which bracket the mixture's; 40 halvings
        # of a bracket a few doublings wide leave an error near 1e-11 doublings.
        z = float(ndtri(q))
        lo, hi = np.min(m + z * s - 1e-9, axis=0), np.max(m + z * s + 1e-9, axis=0)
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            below = np.sum(w * ndtr((mid - m) / s), axis=0) < q
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        bounds.append(0.5 * (lo + hi))
    return bounds[0], bounds[1]


def family_horizons(
    table: RunTable, success_rate: float = 0.5, confidence: float = 0.95, partial: bool = False
) -> dict[str, Any]:
    """Per agent and family: pooled horizon with interval, the unpooled one, and tau (JSON form)."""
    if not 0 < success_rate < 1 or not 0 < confidence < 1:
        raise AnalysisInputError("success rate and confidence must lie strictly between 0 and 1")
    y_all = table.scores(partial)
    families = sorted({str(f) for f in table.task_family})
    level = logit(success_rate)
    agents: list[dict[str, Any]] = []
    for a, agent in enumerate(table.agents):
        rows = table.agent_codes == a
        y = y_all[rows]
        if y.min() == y.max():
            agents.append(
                {"agent": agent, "note": "one outcome only (all successes or all failures)", "families": []}
            )
            continue
        agents.append(_agent_families(table, rows, y, agent, level, confidence))
    return {
        "success_rate": success_rate,
        "confidence": confidence,
        "n_families": len(families),
        "agents": agents,
    }


def _agent_families(
    table: RunTable, rows: NDArray[np.bool_], y: FloatArray, agent: str, level: float, confidence: float
) -> dict[str, Any]:
    codes, family = np.unique(table.task_family[rows], return_inverse=True)
    cells = Cells.from_runs(table.log2_minutes[rows], y, family.reshape(-1).astype(np.int64), len(codes))
    fit = fit_tau_grid(cells, np.append(TAU_GRID, NO_POOLING_TAU))
    grid = slice(0, len(TAU_GRID))
    chosen = int(np.argmax(fit.log_likelihood[grid]))
    raw = len(TAU_GRID)  # the last row: tau unbounded
    mode, sd = log2_horizon_posterior(fit, level)
    weight = tau_weights(_rows(fit, grid))
    if weight.any():
        lo, hi = mixture_interval(weight, mode[grid], sd[grid], confidence)
    else:  # no tau gives a falling curve: no horizon, no interval
        lo = hi = np.full(len(codes), np.nan)
    task_ids = table.task_id[rows]
    slope, raw_slope = float(fit.slope[chosen]), float(fit.slope[raw])
    per_family = []
    for f, name in enumerate(codes):
        in_family = family == f
        pooled = _minutes(level, float(fit.intercept[chosen] + fit.offsets[chosen, f]), slope)
        per_family.append(
            {
                "family": str(name),
                "n_tasks": int(len(np.unique(task_ids[in_family]))),
                "n_runs": int(in_family.sum()),
                "success_rate": float(y[in_family].mean()),
                "pooled": pooled,
                "ci": _interval(pooled, float(lo[f]), float(hi[f])),
                "raw": _minutes(level, float(fit.intercept[raw] + fit.offsets[raw, f]), raw_slope),
            }
        )
    tau = float(fit.tau[chosen])
    return {
        "agent": agent,
        "horizon": _minutes(level, float(fit.intercept[chosen]), slope),
        "tau_logit": tau,
        "tau_doublings": tau / abs(slope) if slope != 0 else None,
        "families": per_family,
    }


def _rows(fit: GridFit, rows: slice) -> GridFit:
    """The fits at grid rows `rows`."""
    return GridFit(
        *(getattr(fit, name)[rows] for name in GridFit.__dataclass_fields__),
    )


def _interval(pooled: float | None, lo: float, hi: float) -> list[float | None]:
    """[2^lo, 2^hi] minutes; [None, None] without a horizon or a finite interval."""
    if pooled is None or not (math.isfinite(lo) and math.isfinite(hi)) or hi > 1000:
        return [None, None]
    return [2.0**lo, 2.0**hi]


def _minutes(level: float, intercept: float, slope: float) -> float | None:
    """2^((logit q - intercept) / slope) minutes; None where the slope does not fall."""
    if not slope < 0:
        return None
    exponent = (level - intercept) / slope
    return float(2.0**exponent) if exponent < 1000 else None
