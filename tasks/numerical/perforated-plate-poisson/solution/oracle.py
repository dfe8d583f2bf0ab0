"""Reference answers from the author's secret: the problem is manufactured, with exact solution
u = 40 s(1-s) t(1-t) exp(alpha x + beta y), (s, t) the plate's affine coordinates (s = 0 on the
west side, t = 0 on the south side). The plate's corners are read from the mesh's tagged
boundary edges, the holes from problem.json, and every quantity is integrated exactly (Gauss-
Legendre, 24 points per direction) from u. Writes answers.json."""

import csv
import json
import math
from pathlib import Path

problem = json.loads(Path("problem.json").read_text())
nodes = {int(r["id"]): (float(r["x"]), float(r["y"])) for r in csv.DictReader(open("nodes.csv"))}
by_tag: dict[str, set[int]] = {}
for r in csv.DictReader(open("boundary_edges.csv")):
    by_tag.setdefault(r["tag"], set()).update((int(r["a"]), int(r["b"])))
corner = {}
for name, (a, b) in {"sw": ("south", "west"), "se": ("south", "east"), "nw": ("north", "west")}.items():
    (node,) = by_tag[a] & by_tag[b]
    corner[name] = nodes[node]
x0 = corner["sw"]
e1 = (corner["se"][0] - x0[0], corner["se"][1] - x0[1])
e2 = (corner["nw"][0] - x0[0], corner["nw"][1] - x0[1])
det = e1[0] * e2[1] - e1[1] * e2[0]
alpha, beta = problem["source_f"]["alpha"], problem["source_f"]["beta"]
k_terms = problem["conductivity_k"]["terms"]


def to_st(x: float, y: float) -> tuple[float, float]:
    dx, dy = x - x0[0], y - x0[1]
    return ((dx * e2[1] - dy * e2[0]) / det, (e1[0] * dy - e1[1] * dx) / det)


def to_xy(s: float, t: float) -> tuple[float, float]:
    return (x0[0] + s * e1[0] + t * e2[0], x0[1] + s * e1[1] + t * e2[1])


def u(x: float, y: float) -> float:
    s, t = to_st(x, y)
    return 40 * s * (1 - s) * t * (1 - t) * math.exp(alpha * x + beta * y)


def grad_u(x: float, y: float) -> tuple[float, float]:
    s, t = to_st(x, y)
    ds = (e2[1] / det, -e2[0] / det)
    dt = (-e1[1] / det, e1[0] / det)
    e = math.exp(alpha * x + beta * y)
    phi = 40 * s * (1 - s) * t * (1 - t)
    phs, pht = 40 * (1 - 2 * s) * t * (1 - t), 40 * s * (1 - s) * (1 - 2 * t)
    return (e * (phs * ds[0] + pht * dt[0] + alpha * phi), e * (phs * ds[1] + pht * dt[1] + beta * phi))


def k(x: float, y: float) -> float:
    return sum(c * x**i * y**j for i, j, c in k_terms)


def gauss(n: int) -> list[tuple[float, float]]:
    out = []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for m in range(2, n + 1):
                p0, p1 = p1, ((2 * m - 1) * x * p1 - (m - 1) * p0) / m
            dp = n * (x * p1 - p0) / (x * x - 1)
            x -= p1 / dp
        out.append(((1 - x) / 2, 1 / ((1 - x * x) * dp * dp)))
    return out


GL = gauss(24)


def area(fun, s0: float, s1: float, t0: float, t1: float) -> float:  # type: ignore[no-untyped-def]
    total = sum(wa * wb * fun(*to_xy(s0 + a * (s1 - s0), t0 + b * (t1 - t0))) for a, wa in GL for b, wb in GL)
    return total * (s1 - s0) * (t1 - t0) * abs(det)


holes = []
for h in (1, 2):
    sides = {s["name"]: s for s in problem["hole_flux_g"]["sides"]}
    sts = [to_st(*sides[f"hole{h}_side{m}"]["from"]) for m in (1, 3)]
    holes.append((sts[0][0], sts[1][0], sts[0][1], sts[1][1]))


def energy_density(x: float, y: float) -> float:
    gx, gy = grad_u(x, y)
    return k(x, y) * (gx * gx + gy * gy)


def side_flux(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    total = 0.0
    for tau, w in GL:
        x, y = a[0] + tau * dx, a[1] + tau * dy
        gx, gy = grad_u(x, y)
        total += w * k(x, y) * (gx * dy - gy * dx) / length
    return total * length


answers = {f"u_probe{n + 1}": u(*p) for n, p in enumerate(problem["probes"])}
answers["integral_u"] = area(u, 0, 1, 0, 1) - sum(area(u, *r) for r in holes)
answers["energy"] = area(energy_density, 0, 1, 0, 1) - sum(area(energy_density, *r) for r in holes)
answers["flux_south"] = side_flux(to_xy(0, 0), to_xy(1, 0))
answers["flux_west"] = side_flux(to_xy(0, 1), to_xy(0, 0))
Path("answers.json").write_text(json.dumps(answers, indent=2) + "\n")
