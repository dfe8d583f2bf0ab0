"""A small Radau IIA (3 stages, order 5) integrator with full Newton and step-doubling error
control, in pure Python. Used by generate.py for the reference values."""

import math
from collections.abc import Callable, Sequence

Vector = list[float]
Matrix = list[list[float]]

S6 = math.sqrt(6.0)
C = [(4 - S6) / 10, (4 + S6) / 10, 1.0]
A = [
    [(88 - 7 * S6) / 360, (296 - 169 * S6) / 1800, (-2 + 3 * S6) / 225],
    [(296 + 169 * S6) / 1800, (88 + 7 * S6) / 360, (-2 - 3 * S6) / 225],
    [(16 - S6) / 36, (16 + S6) / 36, 1 / 9],
]


def lu_solve(m: Matrix, b: Vector) -> Vector:
    """Gaussian elimination with partial pivoting (m and b are copied)."""
    n = len(b)
    a = [row[:] + [b[i]] for i, row in enumerate(m)]
    for k in range(n):
        p = max(range(k, n), key=lambda r: abs(a[r][k]))
        a[k], a[p] = a[p], a[k]
        piv = a[k][k]
        for r in range(k + 1, n):
            f = a[r][k] / piv
            if f:
                row, top = a[r], a[k]
                for c in range(k, n + 1):
                    row[c] -= f * top[c]
    x = [0.0] * n
    for k in range(n - 1, -1, -1):
        x[k] = (a[k][n] - sum(a[k][c] * x[c] for c in range(k + 1, n))) / a[k][k]
    return x


def radau_step(
    f: Callable[[Vector], Vector], jac: Callable[[Vector], Matrix], y: Vector, h: float
) -> Vector:
    """One Radau IIA step of an autonomous system; the stage equations are solved by Newton."""
    n = len(y)
    z = [[0.0] * n for _ in range(3)]
    for _ in range(50):
        ys = [[y[k] + z[i][k] for k in range(n)] for i in range(3)]
        fs = [f(v) for v in ys]
        js = [jac(v) for v in ys]
        g = []
        for i in range(3):
            for k in range(n):
                g.append(z[i][k] - h * sum(A[i][j] * fs[j][k] for j in range(3)))
        m = [[0.0] * (3 * n) for _ in range(3 * n)]
        for i in range(3):
            for j in range(3):
                for k in range(n):
                    for l in range(n):
                        m[i * n + k][j * n + l] = (1.0 if i == j and k == l else 0.0) - h * A[i][j] * js[j][k][l]
        dz = lu_solve(m, [-v for v in g])
        size = 0.0
        for i in range(3):
            for k in range(n):
                z[i][k] += dz[i * n + k]
                size = max(size, abs(dz[i * n + k]) / (1e-300 + abs(y[k]) + abs(z[i][k])))
        if size < 1e-15:
            break
    return [y[k] + z[2][k] for k in range(n)]


def integrate(
    f: Callable[[Vector], Vector],
    jac: Callable[[Vector], Matrix],
    y0: Sequence[float],
    times: Sequence[float],
    rtol: float = 1e-11,
    atol: float = 1e-20,
    h0: float = 1e-9,
) -> list[Vector]:
    """The state at each of the increasing output times, starting from y0 at t = 0."""
    y, t, h = list(y0), 0.0, h0
    out = []
    for target in times:
        while t < target:
            h = min(h, target - t)
            full = radau_step(f, jac, y, h)
            half = radau_step(f, jac, radau_step(f, jac, y, h / 2), h / 2)
            err = max(abs(a - b) / (atol + rtol * abs(b)) for a, b in zip(full, half)) / 31
            if err <= 1.0:
                t += h
                y = [b + (b - a) / 31 for a, b in zip(full, half)]
            h *= min(4.0, max(0.2, 0.9 * (max(err, 1e-12)) ** (-1 / 6)))
        out.append(y[:])
    return out
