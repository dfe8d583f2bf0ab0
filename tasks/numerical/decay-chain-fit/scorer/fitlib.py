"""Model, Poisson likelihood and maximum-likelihood fit for decay-chain-fit (pure Python).

Parameters theta = (a, tp, td, b1, b2, b3): a is the parent's specific activity at separation
(Bq/g), tp and td the half-lives in hours, b_r the background of run r in counts per second.
The expected counts of a bin [t0, t1] (seconds after separation) of run r with sample mass m:
    m * (eff_p * int A_p + eff_d * int A_d) + b_r * (t1 - t0)
with A_p(t) = a exp(-lp t) and A_d(t) = a ld / (ld - lp) (exp(-lp t) - exp(-ld t)).
"""

import math

LN2 = math.log(2.0)
Theta = list[float]
Bin = tuple[int, float, float, int]


def expected(theta: Theta, setup: dict, run: int, t0: float, t1: float) -> float:  # type: ignore[type-arg]
    a, tp, td = theta[0], theta[1], theta[2]
    lp, ld = LN2 / (3600 * tp), LN2 / (3600 * td)
    ep = (math.exp(-lp * t0) - math.exp(-lp * t1)) / lp
    ed = (math.exp(-ld * t0) - math.exp(-ld * t1)) / ld
    int_p = a * ep
    int_d = a * ld / (ld - lp) * (ep - ed)
    mass = setup["runs"][run]["mass_g"]
    return mass * (setup["eff_parent"] * int_p + setup["eff_daughter"] * int_d) + theta[3 + run] * (t1 - t0)


def nll(theta: Theta, setup: dict, bins: list[Bin]) -> float:  # type: ignore[type-arg]
    """Poisson negative log-likelihood, without the constant log(k!) terms."""
    total = 0.0
    for run, t0, t1, k in bins:
        mu = expected(theta, setup, run, t0, t1)
        if mu <= 0:
            return math.inf
        total += mu - k * math.log(mu)
    return total


def solve(m: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    a = [row[:] + [b[i]] for i, row in enumerate(m)]
    for k in range(n):
        p = max(range(k, n), key=lambda r: abs(a[r][k]))
        a[k], a[p] = a[p], a[k]
        for r in range(k + 1, n):
            f = a[r][k] / a[k][k]
            for c in range(k, n + 1):
                a[r][c] -= f * a[k][c]
    x = [0.0] * n
    for k in range(n - 1, -1, -1):
        x[k] = (a[k][n] - sum(a[k][c] * x[c] for c in range(k + 1, n))) / a[k][k]
    return x


def inverse(m: list[list[float]]) -> list[list[float]]:
    n = len(m)
    cols = [solve(m, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)]
    return [[cols[j][i] for j in range(n)] for i in range(n)]


def fit(theta: Theta, setup: dict, bins: list[Bin], iterations: int = 60) -> Theta:  # type: ignore[type-arg]
    """Fisher scoring (Gauss-Newton for the Poisson likelihood) with step halving."""
    theta = list(theta)
    n = len(theta)
    current = nll(theta, setup, bins)
    for _ in range(iterations):
        info = [[0.0] * n for _ in range(n)]
        grad = [0.0] * n
        for run, t0, t1, k in bins:
            mu = expected(theta, setup, run, t0, t1)
            d = []
            for i in range(n):
                h = 1e-6 * max(abs(theta[i]), 1e-6)
                up, dn = theta[:], theta[:]
                up[i] += h
                dn[i] -= h
                d.append((expected(up, setup, run, t0, t1) - expected(dn, setup, run, t0, t1)) / (2 * h))
            for i in range(n):
                grad[i] += d[i] * (k / mu - 1.0)
                for j in range(n):
                    info[i][j] += d[i] * d[j] / mu
        step = solve(info, grad)
        scale = 1.0
        while scale > 1e-6:
            trial = [t + scale * s for t, s in zip(theta, step)]
            value = nll(trial, setup, bins)
            if value <= current:
                break
            scale /= 2
        else:
            break
        theta, improvement, current = trial, current - value, value
        if improvement < 1e-10 and max(abs(s) / max(abs(t), 1e-9) for s, t in zip(step, theta)) < 1e-9:
            break
    return theta


def observed_covariance(theta: Theta, setup: dict, bins: list[Bin]) -> list[list[float]]:  # type: ignore[type-arg]
    """Inverse of the Hessian of the NLL at theta, by central differences."""
    n = len(theta)
    hs = [1e-4 * abs(t) for t in theta]
    hess = [[0.0] * n for _ in range(n)]
    f0 = nll(theta, setup, bins)
    for i in range(n):
        for j in range(i, n):
            if i == j:
                up, dn = theta[:], theta[:]
                up[i] += hs[i]
                dn[i] -= hs[i]
                value = (nll(up, setup, bins) - 2 * f0 + nll(dn, setup, bins)) / hs[i] ** 2
            else:
                acc = 0.0
                for si, sj, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
                    p = theta[:]
                    p[i] += si * hs[i]
                    p[j] += sj * hs[j]
                    acc += sign * nll(p, setup, bins)
                value = acc / (4 * hs[i] * hs[j])
            hess[i][j] = hess[j][i] = value
    return inverse(hess)
