"""The hidden system of hidden-oscillator-identification and the numerics on it (pure Python).

States x1, x2, x3 (measured) and x4 (never measured, zero at the start of every experiment);
u(t) is the experiment's piecewise-constant input:
    x1' = u / (1 + (x4/K)^n) - d1 x1
    x2' = k1 x1 - d2 x2 - c x2 x4
    x3' = k2 x2 - Vm x3 / (Km + x3)
    x4' = k3 x3 - d4 x4
"""

import math

Params = dict[str, float]
Schedule = list[tuple[float, float]]  # (from time, input), sorted, first at 0


def rhs(p: Params, y: list[float], u: float) -> list[float]:
    x1, x2, x3, x4 = y
    return [
        u / (1 + (max(x4, 0.0) / p["K"]) ** p["n"]) - p["d1"] * x1,
        p["k1"] * x1 - p["d2"] * x2 - p["c"] * x2 * x4,
        p["k2"] * x2 - p["Vm"] * x3 / (p["Km"] + x3),
        p["k3"] * x3 - p["d4"] * x4,
    ]


def rk4(p: Params, y: list[float], u: float, h: float) -> list[float]:
    a = rhs(p, y, u)
    b = rhs(p, [v + h / 2 * d for v, d in zip(y, a)], u)
    c = rhs(p, [v + h / 2 * d for v, d in zip(y, b)], u)
    d = rhs(p, [v + h * e for v, e in zip(y, c)], u)
    return [v + h / 6 * (e + 2 * f + 2 * g + k) for v, e, f, g, k in zip(y, a, b, c, d)]


def simulate(p: Params, y0: list[float], schedule: Schedule, times: list[float], dt: float = 0.01) -> list[list[float]]:
    """States at the sorted output times; steps never straddle an input switch or an output."""
    events = sorted(set(times) | {s for s, _ in schedule[1:]})
    y, t, out = list(y0), 0.0, {}
    if 0.0 in times:
        out[0.0] = list(y)
    for target in events:
        u = [v for s, v in schedule if s <= t + 1e-12][-1]
        while target - t > 1e-12:
            h = min(dt, target - t)
            y = rk4(p, y, u, h)
            t = target if target - t - h <= 1e-12 else t + h
        out[target] = list(y)
    return [out[t] for t in times]


def steady_state(p: Params, u: float) -> list[float]:
    """The unique equilibrium at constant input u (bisection on x4)."""

    def parts(x4: float) -> tuple[float, float, float, float] | None:
        x1 = u / (1 + (x4 / p["K"]) ** p["n"]) / p["d1"]
        x2 = p["k1"] * x1 / (p["d2"] + p["c"] * x4)
        r = p["k2"] * x2
        if r >= p["Vm"]:
            return None
        return x1, x2, r * p["Km"] / (p["Vm"] - r), x4

    lo, hi = 0.0, 1e4
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        q = parts(mid)
        if q is None or p["k3"] * q[2] - p["d4"] * mid > 0:
            lo = mid
        else:
            hi = mid
    q = parts(0.5 * (lo + hi))
    assert q is not None
    return list(q)


def jacobian(p: Params, y: list[float], u: float) -> list[list[float]]:
    x1, x2, x3, x4 = y
    K, n = p["K"], p["n"]
    r = (x4 / K) ** n
    dr = n * (x4 / K) ** (n - 1) / K if x4 > 0 else 0.0
    return [
        [-p["d1"], 0.0, 0.0, -u * dr / (1 + r) ** 2],
        [p["k1"], -p["d2"] - p["c"] * x4, 0.0, -p["c"] * x2],
        [0.0, p["k2"], -p["Vm"] * p["Km"] / (p["Km"] + x3) ** 2, 0.0],
        [0.0, 0.0, p["k3"], -p["d4"]],
    ]


def hurwitz_margin(p: Params, u: float) -> float:
    """Positive while the equilibrium at input u is stable (the 4x4 Routh-Hurwitz minor)."""
    a = jacobian(p, steady_state(p, u), u)
    n = 4
    m = [[0.0] * n for _ in range(n)]
    c = [1.0]
    for k in range(1, n + 1):
        am = [[sum(a[i][l] * m[l][j] for l in range(n)) for j in range(n)] for i in range(n)]
        m = [[am[i][j] + (c[-1] if i == j else 0.0) for j in range(n)] for i in range(n)]
        am = [[sum(a[i][l] * m[l][j] for l in range(n)) for j in range(n)] for i in range(n)]
        c.append(-sum(am[i][i] for i in range(n)) / k)
    a0, a1, a2, a3, a4 = c
    return a3 * (a1 * a2 - a0 * a3) - a1 * a1 * a4


def critical_input(p: Params, lo: float = 0.1, hi: float = 6.0) -> float:
    """The input at which the equilibrium loses stability (Hopf), by bisection."""
    assert hurwitz_margin(p, lo) > 0 > hurwitz_margin(p, hi)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if hurwitz_margin(p, mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def period(p: Params, u: float, dt: float = 0.005) -> float:
    """Period of the limit cycle at constant input u: upward crossings of x1 through its
    equilibrium value after a long transient, averaged over the last crossings."""
    y = steady_state(p, u)
    level = y[0]
    y = [v * 1.05 for v in y]
    t, crossings = 0.0, []
    prev = y
    while t < 600:
        nxt = rk4(p, prev, u, dt)
        t += dt
        if t > 300 and prev[0] < level <= nxt[0]:
            crossings.append(t - dt + dt * (level - prev[0]) / (nxt[0] - prev[0]))
        prev = nxt
    gaps = [b - a for a, b in zip(crossings, crossings[1:])]
    assert len(gaps) >= 5 and max(gaps) - min(gaps) < 1e-3 * max(gaps), gaps
    return sum(gaps[-5:]) / 5


def amplitude_x1(p: Params, u: float, dt: float = 0.005) -> float:
    y = [v * 1.05 for v in steady_state(p, u)]
    t, hi, lo = 0.0, -math.inf, math.inf
    while t < 500:
        y = rk4(p, y, u, dt)
        t += dt
        if t > 350:
            hi, lo = max(hi, y[0]), min(lo, y[0])
    return hi - lo
