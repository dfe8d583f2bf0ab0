"""Per-family horizons with partial pooling (docs/method.md section 12).

A family holds 1 to 7 tasks, so a logistic fit on one family alone is mostly noise (and often
all successes or all failures). Model, per agent: `logit P(success) = a + u_f + b x`, x = log2
human minutes, one slope b for all families and a family offset u_f ~ N(0, tau^2) (a random
intercept). A family's horizon at success rate q is where its own curve crosses q:
`log2 h_f(q) = (logit q - a - u_f) / b`; tau / |b| is the spread of family horizons in doublings.

Fit (empirical Bayes): for each tau on a grid, the posterior mode of (a, b, u) under the penalty
`sum u_f^2 / (2 tau^2)` (Newton), and the Laplace approximation of the marginal likelihood; the
tau with the largest one is used (tau = 0 means full pooling: every family at the agent's
horizon). Each family's u_f is then its evidence shrunk toward 0 by how little there is of it:
a family with one task moves little from the agent's horizon, one with many runs keeps its own.
The interval is `log2 h_f +- z sd`, sd by the delta method from the Laplace posterior covariance
of (a, b, u_f) at the chosen tau (tau's own uncertainty is not carried).

Runs count one each (a Bernoulli trial; the marginal likelihood needs counts, not weights that
sum to 1). `raw` beside each shrunk value is the family's horizon with tau unbounded (no pooling,
a light ridge keeps all-success families finite), for comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from scipy.stats import norm

from analysis.errors import AnalysisInputError
from analysis.logistic import logit
from analysis.table import RunTable

FloatArray = NDArray[np.float64]

TAU_GRID = np.concatenate([[0.0], np.geomspace(0.05, 8.0, 24)])
NO_POOLING_TAU = 30.0
SLOPE_PENALTY = 1e-4  # keeps a and b finite when an agent's runs separate perfectly
MAX_NEWTON = 60


@dataclass(frozen=True)
class PooledFit:
    """One agent's random-intercept fit at the chosen tau."""

    intercept: float
    slope: float
    tau: float
    offsets: FloatArray  # u_f per family code
    covariance: FloatArray  # Laplace posterior covariance of (a, b, u)
    log_marginal: float


def fit_random_intercept(
    x: FloatArray, y: FloatArray, family: NDArray[np.int64], n_families: int, tau: float
) -> PooledFit:
    """Posterior mode of (a, b, u) at a fixed `tau` and the Laplace log marginal likelihood.

    tau = 0 fixes every u_f at 0 (full pooling).
    """
    n_params = 2 + n_families
    design = np.zeros((x.size, n_params))
    design[:, 0], design[:, 1] = 1.0, x
    design[np.arange(x.size), 2 + family] = 1.0
    prior = np.zeros(n_params)
    prior[1] = SLOPE_PENALTY
    prior[2:] = 1.0 / tau**2 if tau > 0 else 1e12
    theta = np.zeros(n_params)
    for _ in range(MAX_NEWTON):
        p = expit(design @ theta)
        gradient = design.T @ (y - p) - prior * theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(prior)
        step = np.linalg.solve(hessian, gradient)
        theta += step
        if np.max(np.abs(step)) < 1e-9:
            break
    p = np.clip(expit(design @ theta), 1e-300, 1 - 1e-16)
    hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(prior)
    covariance = np.linalg.inv(hessian)
    u = theta[2:]
    log_lik = float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
    if tau > 0:
        log_prior = float(-0.5 * np.sum(u**2) / tau**2 - n_families * math.log(tau))
        # Laplace over u only (a, b are fixed effects): the u-block of the Hessian.
        _, logdet = np.linalg.slogdet(hessian[2:, 2:])
        log_marginal = log_lik + log_prior - 0.5 * logdet
    else:
        log_marginal = log_lik
    return PooledFit(float(theta[0]), float(theta[1]), tau, u.copy(), covariance, log_marginal)


def choose_tau(x: FloatArray, y: FloatArray, family: NDArray[np.int64], n_families: int) -> PooledFit:
    """The fit at the grid tau with the largest Laplace marginal likelihood (empirical Bayes)."""
    fits = [fit_random_intercept(x, y, family, n_families, float(tau)) for tau in TAU_GRID]
    return max(fits, key=lambda f: f.log_marginal)


def family_horizons(
    table: RunTable, success_rate: float = 0.5, confidence: float = 0.95, partial: bool = False
) -> dict[str, Any]:
    """Per agent and family: pooled horizon with interval, the unpooled one, and tau (JSON form)."""
    if not 0 < success_rate < 1 or not 0 < confidence < 1:
        raise AnalysisInputError("success rate and confidence must lie strictly between 0 and 1")
    y_all = table.scores(partial)
    families = sorted({str(f) for f in table.task_family})
    z = float(norm.ppf(0.5 + confidence / 2))
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
        codes, family = np.unique(table.task_family[rows], return_inverse=True)
        x = table.log2_minutes[rows]
        pooled = choose_tau(x, y, family, len(codes))
        raw = fit_random_intercept(x, y, family, len(codes), NO_POOLING_TAU)
        per_family = []
        for f, name in enumerate(codes):
            in_family = family == f
            centre = pooled.intercept + pooled.offsets[f]
            spread = z * _log2_horizon_sd(pooled, f, level)
            per_family.append(
                {
                    "family": str(name),
                    "n_tasks": int(len(np.unique(table.task_id[rows][in_family]))),
                    "n_runs": int(in_family.sum()),
                    "success_rate": float(y[in_family].mean()),
                    "pooled": _minutes(level, centre, pooled.slope),
                    "ci": _interval(_minutes(level, centre, pooled.slope), spread),
                    "raw": _minutes(level, raw.intercept + raw.offsets[f], raw.slope),
                }
            )
        agents.append(
            {
                "agent": agent,
                "horizon": _minutes(level, pooled.intercept, pooled.slope),
                "tau_logit": pooled.tau,
                "tau_doublings": pooled.tau / abs(pooled.slope) if pooled.slope != 0 else None,
                "families": per_family,
            }
        )
    return {
        "success_rate": success_rate,
        "confidence": confidence,
        "n_families": len(families),
        "agents": agents,
    }


def _log2_horizon_sd(fit: PooledFit, family: int, level: float) -> float:
    """Delta-method sd of log2 h_f = (level - a - u_f) / b over (a, b, u_f) jointly."""
    index = [0, 1, 2 + family]
    gap = level - fit.intercept - fit.offsets[family]
    gradient = np.array([-1.0, -gap / fit.slope, -1.0]) / fit.slope
    variance = float(gradient @ fit.covariance[np.ix_(index, index)] @ gradient)
    return math.sqrt(max(variance, 0.0))


def _interval(minutes: float | None, spread: float) -> list[float | None]:
    """minutes * 2^(-+spread) (spread in doublings); [None, None] without a horizon."""
    if minutes is None or not math.isfinite(spread):
        return [None, None]
    return [minutes * 2.0**-spread, minutes * 2.0**spread]


def _minutes(level: float, intercept: float, slope: float) -> float | None:
    """2^((logit q - intercept) / slope) minutes; None where the slope does not fall."""
    if not slope < 0:
        return None
    exponent = (level - intercept) / slope
    return float(2.0**exponent) if exponent < 1000 else None
