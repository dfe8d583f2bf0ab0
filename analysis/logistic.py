"""Per-agent weighted, L2-regularised logistic fit and horizons (docs/method.md section 2).

Model: `P(success) = sigmoid(alpha + beta * x)`, `x = log2(human minutes)`. Fitted by minimising

    0.5 * beta^2 + C * sum_i w_i * [log(1 + exp(z_i)) - y_i * z_i],   z_i = alpha + beta * x_i,

with `C = 1 / regularization`; the intercept is not penalised. Dividing by C, the same optimum
minimises `sum_i w_i * loss_i + 0.5 * regularization * beta^2`, the form used here.

Partial scoring: a row with `0 < y < 1` counts as a failure with weight `(1 - y) * w` plus a
success with weight `y * w` (`split_partial_scores`).

Two solvers:
- `fit_logistic_batch` (the default, "fast"): damped Newton on sufficient statistics, batched
  over any number of independent fits (agents x bootstrap replicates); it returns the exact
  optimum (parameter steps below 1e-10, then one more quadratic step).
- `fit_logistic_sklearn` ("sklearn", compatibility): scikit-learn's
  `LogisticRegression(C=1/regularization)` with default settings, as METR calls it; lbfgs stops
  at tol 1e-4, so its numbers differ from the optimum by ~0.001-0.6% in p50 but reproduce METR's.
  scikit-learn is imported lazily (optional extra `compat`).

Horizon at success rate q, in minutes: `h_q = 2 ** ((logit(q) - alpha) / beta)`.

Degenerate inputs: no rows, or rows of one class only (all failures or all successes), have no
fit. `fit_logistic` returns status `all_failures` with METR's convention (coefficient -inf,
intercept 0, every horizon 0) or `all_successes` (coefficient and intercept NaN, every horizon
+inf); the batch solver returns NaN for such elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from analysis.errors import SolverUnavailableError

FloatArray = NDArray[np.float64]
Solver = Literal["fast", "sklearn"]
SOLVERS: tuple[Solver, ...] = ("fast", "sklearn")
FitStatus = Literal["ok", "all_failures", "all_successes", "empty"]

# Below this Newton decrement (per unit of total weight) the full step is taken without a line
# search: the quadratic region, where checking the objective would only cost time.
_FULL_STEP_DECREMENT = 1e-2


@dataclass(frozen=True)
class LogisticFit:
    """Fitted `alpha` (intercept) and `beta` (coefficient, per doubling of human time)."""

    intercept: float
    coefficient: float
    status: FitStatus = "ok"
    converged: bool = True  # False when the solver stopped at its iteration limit

    def horizon(self, success_rate: float) -> float:
        """Human minutes at which the fitted success probability equals `success_rate`."""
        if self.status == "all_failures":
            return 0.0
        if self.status in ("all_successes", "empty"):
            return float("inf") if self.status == "all_successes" else float("nan")
        return float(horizon_minutes(self.intercept, self.coefficient, success_rate))


@dataclass(frozen=True)
class BatchFit:
    """Results of `fit_logistic_batch`: one entry per batch element (NaN where no fit exists)."""

    intercept: FloatArray
    coefficient: FloatArray
    converged: NDArray[np.bool_]
    n_iter: int


def logit(q: float) -> float:
    """ln(q / (1 - q)); q must lie strictly between 0 and 1."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"success rate must lie strictly between 0 and 1, got {q}")
    return float(np.log(q / (1.0 - q)))


def horizon_minutes(
    intercept: ArrayLike, coefficient: ArrayLike, success_rate: float = 0.5
) -> FloatArray | np.float64:
    """`2 ** ((logit(q) - alpha) / beta)` elementwise; NaN inputs give NaN, beta = 0 gives inf/NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        minutes: FloatArray | np.float64 = np.exp2(
            (logit(success_rate) - np.asarray(intercept)) / np.asarray(coefficient)
        )
    return minutes


def split_partial_scores(
    x: FloatArray, y: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Turn each row with fractional y into a weighted failure row and a weighted success row.

    Rows are ordered as METR orders them (whole rows, then the failure halves, then the success
    halves) so the compatibility solver sees the same data. Without fractional rows the inputs are
    returned unchanged; empty inputs stay empty.
    """
    fractional = (y > 0) & (y < 1)
    if not fractional.any():
        return x, y, w
    whole = ~fractional
    xf, yf, wf = x[fractional], y[fractional], w[fractional]
    x_out = np.concatenate([x[whole], xf, xf])
    y_out = np.concatenate([y[whole], np.zeros(len(yf)), np.ones(len(yf))])
    w_out = np.concatenate([w[whole], (1.0 - yf) * wf, yf * wf])
    return x_out, y_out, w_out


def class_weights(y: FloatArray, w: FloatArray) -> tuple[float, float]:
    """(total success weight sum(w*y), total failure weight sum(w*(1-y)))."""
    return float(np.sum(w * y)), float(np.sum(w * (1.0 - y)))


def fit_logistic(
    x: FloatArray, y: FloatArray, w: FloatArray, regularization: float, solver: Solver = "fast"
) -> LogisticFit:
    """Fit one agent: x = log2 minutes, y in [0, 1], w >= 0; see the module docstring."""
    if len(x) == 0:
        return LogisticFit(float("nan"), float("nan"), "empty")
    success, failure = class_weights(y, w)
    if success <= 0:
        return LogisticFit(0.0, float("-inf"), "all_failures")
    if failure <= 0:
        return LogisticFit(float("nan"), float("nan"), "all_successes")
    if solver == "sklearn":
        return fit_logistic_sklearn(x, y, w, regularization)
    xs, ys, ws = split_partial_scores(x, y, w)
    batch = fit_logistic_batch(xs[None, :], (ws * ys)[None, :], (ws * (1 - ys))[None, :], regularization)
    return LogisticFit(
        float(batch.intercept[0]), float(batch.coefficient[0]), converged=bool(batch.converged[0])
    )


def fit_logistic_sklearn(x: FloatArray, y: FloatArray, w: FloatArray, regularization: float) -> LogisticFit:
    """METR's fit: `LogisticRegression(C=1/regularization).fit(x, y, sample_weight=w)`.

    Needs both classes present (raises scikit-learn's ValueError otherwise; `fit_logistic`
    checks first).
    """
    model_class = load_sklearn_logistic_regression()
    xs, ys, ws = split_partial_scores(x, y, w)
    model = model_class(C=1.0 / regularization)
    model.fit(xs.reshape(-1, 1), ys, sample_weight=ws)
    # lbfgs stops silently at max_iter; reaching it means the optimum was not found.
    converged = int(np.max(model.n_iter_)) < int(model.max_iter)
    return LogisticFit(float(model.intercept_[0]), float(model.coef_[0][0]), converged=converged)


def load_sklearn_logistic_regression() -> Any:
    """Import scikit-learn's LogisticRegression lazily (it is the optional `compat` extra)."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SolverUnavailableError(
            "the 'sklearn' compatibility solver needs scikit-learn: install the 'compat' extra"
        ) from exc
    return LogisticRegression


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread while many tiny scikit-learn fits run.

    Each lbfgs fit on one feature is tiny; with a multi-threaded BLAS the thread start-up
    dominates (about 6x slower on a busy 2-core machine). threadpoolctl comes with scikit-learn;
    without it this does nothing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - depends on the environment
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _objective(
    a: FloatArray, b: FloatArray, x: FloatArray, w1: FloatArray, wt: FloatArray, reg: float
) -> FloatArray:
    z = a[:, None] + b[:, None] * x
    loss: FloatArray = np.sum(wt * np.logaddexp(0.0, z) - w1 * z, axis=1) + 0.5 * reg * b * b
    return loss


def fit_logistic_batch(
    x: ArrayLike,
    w_success: ArrayLike,
    w_failure: ArrayLike,
    regularization: float,
    intercept0: ArrayLike | None = None,
    coefficient0: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> BatchFit:
    """Fit B independent problems at once by damped Newton on 2 parameters each.

    Inputs have shape (B, K): problem b has K points `x[b, k]` carrying success weight
    `w_success[b, k]` and failure weight `w_failure[b, k]` (zero weights pad ragged problems;
    `x` may also be (K,) or (1, K) and is broadcast). Minimises, per problem,

        sum_k [(w1 + w0) * log(1 + exp(a + b x)) - w1 * (a + b x)] + 0.5 * regularization * b^2.

    Gradient `g = (sum r, sum r x + reg b)` with `r = (w1 + w0) p - w1`; Hessian
    `sum s [[1, x], [x, x^2]] + diag(0, reg)` with `s = (w1 + w0) p (1 - p)`. Steps are halved
    until the Armijo condition holds (outside the quadratic region). Problems with zero total
    success or zero total failure weight have no optimum and get NaN. Starts from
    (`intercept0`, `coefficient0`) where given and finite, else from (logit of the weighted
    success rate, 0).
    """
    w1 = np.asarray(w_success, dtype=np.float64)
    w0 = np.asarray(w_failure, dtype=np.float64)
    if w1.ndim != 2 or w1.shape != w0.shape:
        raise ValueError("w_success and w_failure must have the same 2-d shape (B, K)")
    xb = np.broadcast_to(np.asarray(x, dtype=np.float64), w1.shape)
    wt = w1 + w0
    s1 = w1.sum(axis=1)
    s0 = w0.sum(axis=1)
    fittable = (s1 > 0) & (s0 > 0)
    n = w1.shape[0]
    a = np.full(n, np.nan)
    b = np.full(n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        a[fittable] = np.log(s1[fittable] / s0[fittable])
    b[fittable] = 0.0
    if intercept0 is not None and coefficient0 is not None:
        a_init = np.broadcast_to(np.asarray(intercept0, dtype=np.float64), (n,))
        b_init = np.broadcast_to(np.asarray(coefficient0, dtype=np.float64), (n,))
        use = fittable & np.isfinite(a_init) & np.isfinite(b_init)
        a[use] = a_init[use]
        b[use] = b_init[use]

    reg = float(regularization)
    active = np.flatnonzero(fittable)
    iterations = 0
    total_weight = s1 + s0
    while active.size and iterations < max_iter:
        iterations += 1
        if active.size == n:  # views, not copies, while every problem is still iterating
            xa, w1a, wta = xb, w1, wt
        else:
            xa, w1a, wta = xb[active], w1[active], wt[active]
        aa, ba = a[active], b[active]
        # These (B, K) passes are most of the bootstrap's cost: temporaries are reused in place
        # (the same operations in the same order, so the same numbers).
        p = ba[:, None] * xa
        np.add(aa[:, None], p, out=p)
        expit(p, out=p)
        wp = wta * p
        r = wp - w1a
        np.subtract(1.0, p, out=p)
        s = np.multiply(wp, p, out=wp)  # wta * p * (1 - p)
        ga = r.sum(axis=1)
        r *= xa
        gb = r.sum(axis=1) + reg * ba
        haa = s.sum(axis=1)
        sx = np.multiply(s, xa, out=p)
        hab = sx.sum(axis=1)
        sx *= xa
        hbb = sx.sum(axis=1) + reg
        det = haa * hbb - hab * hab
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        decrement = ga * da + gb * db
        t = np.ones(active.size)
        search = np.flatnonzero(~(decrement < _FULL_STEP_DECREMENT * total_weight[active]))
        if search.size:
            f0 = _objective(aa[search], ba[search], xa[search], w1a[search], wta[search], reg)
            pending = np.arange(search.size)
            for _ in range(60):
                rows = search[pending]
                f_new = _objective(
                    aa[rows] - t[rows] * da[rows],
                    ba[rows] - t[rows] * db[rows],
                    xa[rows],
                    w1a[rows],
                    wta[rows],
                    reg,
                )
                slack = 1e-13 * np.abs(f0[pending])  # rounding noise near the optimum
                ok = f_new <= f0[pending] - 1e-4 * t[rows] * decrement[rows] + slack
                pending = pending[~ok]
                if not pending.size:
                    break
                t[search[pending]] *= 0.5
        step_a = t * da
        step_b = t * db
        a[active] = aa - step_a
        b[active] = ba - step_b
        scale = 1.0 + np.maximum(np.abs(a[active]), np.abs(b[active]))
        done = np.maximum(np.abs(step_a), np.abs(step_b)) <= tol * scale
        done |= ~np.isfinite(a[active]) | ~np.isfinite(b[active])
        active = active[~done]
    converged = fittable & np.isfinite(a) & np.isfinite(b)
    converged[active] = False
    return BatchFit(intercept=a, coefficient=b, converged=converged, n_iter=iterations)
