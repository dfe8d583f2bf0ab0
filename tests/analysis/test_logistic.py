"""The logistic fit: exact optimum (fast), scikit-learn compatibility, horizons, partial scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit

from analysis.logistic import (
    LogisticFit,
    fit_logistic,
    fit_logistic_batch,
    fit_logistic_sklearn,
    horizon_minutes,
    logit,
    split_partial_scores,
)


def _problem(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.log2(rng.uniform(1, 1000, n))
    y = (rng.random(n) < expit(2.0 - 0.6 * x)).astype(np.float64)
    w = rng.uniform(0.5, 2.0, n)
    return x, y, w / w.sum()


def _gradient(fit: LogisticFit, x: np.ndarray, y: np.ndarray, w: np.ndarray, reg: float) -> np.ndarray:
    residual = w * (expit(fit.intercept + fit.coefficient * x) - y)
    return np.array([residual.sum(), (residual * x).sum() + reg * fit.coefficient])


@pytest.mark.parametrize("reg", [0.1, 1e-5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_solver_is_stationary(seed: int, reg: float) -> None:
    x, y, w = _problem(seed)
    fit = fit_logistic(x, y, w, reg)
    assert fit.status == "ok"
    assert np.max(np.abs(_gradient(fit, x, y, w, reg))) < 1e-13


def test_fast_solver_matches_another_exact_solver() -> None:
    from sklearn.linear_model import LogisticRegression

    x, y, w = _problem(4)
    fit = fit_logistic(x, y, w, 0.1)
    model = LogisticRegression(C=10.0, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    model.fit(x.reshape(-1, 1), y, sample_weight=w)
    assert fit.coefficient == pytest.approx(model.coef_[0][0], abs=1e-7)
    assert fit.intercept == pytest.approx(model.intercept_[0], abs=1e-7)


def test_sklearn_solver_is_metr_call() -> None:
    from sklearn.linear_model import LogisticRegression

    x, y, w = _problem(5)
    model = LogisticRegression(C=1 / 0.1).fit(x.reshape(-1, 1), y, sample_weight=w)
    fit = fit_logistic_sklearn(x, y, w, 0.1)
    assert fit.coefficient == model.coef_[0][0]
    assert fit.intercept == model.intercept_[0]
    assert fit_logistic(x, y, w, 0.1, solver="sklearn") == fit


def test_intercept_is_not_penalised() -> None:
    # With an overwhelming penalty beta -> 0 and alpha -> the logit of the weighted success rate.
    x, y, w = _problem(6)
    fit = fit_logistic(x, y, w, 1e9)
    assert abs(fit.coefficient) < 1e-8
    rate = float(np.sum(w * y))
    assert fit.intercept == pytest.approx(math.log(rate / (1 - rate)), abs=1e-7)


def test_regularization_shrinks_the_slope() -> None:
    x, y, w = _problem(7)
    weak, strong = fit_logistic(x, y, w, 1e-5), fit_logistic(x, y, w, 0.1)
    assert abs(strong.coefficient) < abs(weak.coefficient)


def test_horizon_formula() -> None:
    fit = LogisticFit(intercept=1.0, coefficient=-0.5)
    assert fit.horizon(0.5) == pytest.approx(4.0)  # 2 ** (-1 / -0.5)
    assert fit.horizon(0.8) == pytest.approx(2 ** ((math.log(4) - 1.0) / -0.5))
    assert logit(0.8) == pytest.approx(math.log(4))
    np.testing.assert_allclose(horizon_minutes(np.array([1.0, 2.0]), np.array([-0.5, -1.0])), [4.0, 4.0])
    with pytest.raises(ValueError):
        logit(1.0)


def test_degenerate_fits() -> None:
    x = np.log2(np.array([1.0, 4.0, 16.0]))
    w = np.full(3, 1 / 3)
    failures = fit_logistic(x, np.zeros(3), w, 0.1)
    assert failures.status == "all_failures" and failures.coefficient == -math.inf and failures.intercept == 0
    assert failures.horizon(0.5) == 0.0 and failures.horizon(0.8) == 0.0
    successes = fit_logistic(x, np.ones(3), w, 0.1)
    assert successes.status == "all_successes" and successes.horizon(0.5) == math.inf
    empty = fit_logistic(x[:0], x[:0], x[:0], 0.1)
    assert empty.status == "empty" and math.isnan(empty.horizon(0.5))


def test_partial_scores_split_into_weighted_rows() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 0.25, 0.0, 0.5])
    w = np.array([0.1, 0.2, 0.3, 0.4])
    xs, ys, ws = split_partial_scores(x, y, w)
    np.testing.assert_array_equal(xs, [0.0, 2.0, 1.0, 3.0, 1.0, 3.0])
    np.testing.assert_array_equal(ys, [1.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(ws, [0.1, 0.3, 0.15, 0.2, 0.05, 0.2])
    # Fitting the fractional rows equals fitting the split rows, in both solvers.
    for solver in ("fast", "sklearn"):
        direct = fit_logistic(x, y, w, 0.1, solver)
        split = fit_logistic(xs, ys, ws, 0.1, solver)
        assert direct.coefficient == pytest.approx(split.coefficient, abs=1e-12)
        assert direct.intercept == pytest.approx(split.intercept, abs=1e-12)


def test_batch_equals_single_fits_and_ignores_padding() -> None:
    problems = [_problem(s, n) for s, n in ((10, 50), (11, 80), (12, 20))]
    width = 90
    xb = np.zeros((3, width))
    w1 = np.zeros((3, width))
    w0 = np.zeros((3, width))
    for i, (x, y, w) in enumerate(problems):
        xb[i, : len(x)] = x
        w1[i, : len(x)] = w * y
        w0[i, : len(x)] = w * (1 - y)
    batch = fit_logistic_batch(xb, w1, w0, 0.1)
    assert batch.converged.all()
    for i, (x, y, w) in enumerate(problems):
        single = fit_logistic(x, y, w, 0.1)
        assert batch.intercept[i] == pytest.approx(single.intercept, abs=1e-12)
        assert batch.coefficient[i] == pytest.approx(single.coefficient, abs=1e-12)


def test_batch_marks_one_class_problems_nan_and_accepts_a_start() -> None:
    x = np.log2(np.array([[1.0, 2.0, 4.0, 8.0]] * 3))
    w1 = np.array([[0.3, 0.2, 0.0, 0.1], [0.0, 0.0, 0.0, 0.0], [0.4, 0.0, 0.0, 0.0]])
    w0 = np.array([[0.0, 0.1, 0.2, 0.1], [0.2, 0.2, 0.3, 0.3], [0.0, 0.0, 0.0, 0.0]])
    cold = fit_logistic_batch(x, w1, w0, 1e-5)
    assert np.isfinite(cold.intercept[0]) and np.isnan(cold.intercept[1:]).all()
    assert cold.converged.tolist() == [True, False, False]
    warm = fit_logistic_batch(x, w1, w0, 1e-5, cold.intercept + 0.3, cold.coefficient - 0.2)
    assert warm.intercept[0] == pytest.approx(cold.intercept[0], abs=1e-10)
    assert warm.coefficient[0] == pytest.approx(cold.coefficient[0], abs=1e-10)


def test_nearly_separable_data_with_tiny_regularization() -> None:
    # Successes only on short tasks: the optimum has a steep slope; damped Newton still gets there.
    x = np.log2(np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0]))
    y = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    w = np.full(6, 1 / 6)
    fit = fit_logistic(x, y, w, 1e-5)
    assert np.max(np.abs(_gradient(fit, x, y, w, 1e-5))) < 1e-12
    assert 4.0 < fit.horizon(0.5) < 32.0
