"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

The problem: -div(k grad u) = f on a parallelogram plate with two parallelogram holes; u = 0
on the outer boundary; k du/dn = g (n pointing out of the plate, into the hole) on the holes.
It is manufactured: u = C * s(1-s) t(1-t) * exp(alpha x + beta y), where (s, t) are the plate's
affine coordinates, so f and g are exp(linear) times polynomials, and every requested quantity
is computed here from the exact u by high-order Gauss quadrature.

Writes nodes.csv, triangles.csv, boundary_edges.csv and problem.json (environment: a coarse,
jittered, graded mesh and the data) and truth.json (scorer: the exact quantities).
"""

import json
import math
import random
import re
import sys
from pathlib import Path

SEED = 91_337
Poly = dict[tuple[int, int], float]


# ----- bivariate polynomials as {(i, j): coefficient of x^i y^j}
def padd(*ps: Poly) -> Poly:
    out: Poly = {}
    for p in ps:
        for k, v in p.items():
            out[k] = out.get(k, 0.0) + v
    return out


def pscale(p: Poly, c: float) -> Poly:
    return {k: c * v for k, v in p.items()}


def pmul(p: Poly, q: Poly) -> Poly:
    out: Poly = {}
    for (i, j), a in p.items():
        for (k, l), b in q.items():
            out[(i + k, j + l)] = out.get((i + k, j + l), 0.0) + a * b
    return out


def pdx(p: Poly) -> Poly:
    return {(i - 1, j): i * v for (i, j), v in p.items() if i > 0}


def pdy(p: Poly) -> Poly:
    return {(i, j - 1): j * v for (i, j), v in p.items() if j > 0}


def peval(p: Poly, x: float, y: float) -> float:
    return sum(v * x**i * y**j for (i, j), v in p.items())


def on_segment(p: Poly, x0: float, y0: float, dx: float, dy: float) -> list[float]:
    """Coefficients in tau of p(x0 + dx tau, y0 + dy tau)."""
    out = [0.0] * (1 + max(i + j for i, j in p))
    for (i, j), v in p.items():
        # (x0 + dx t)^i (y0 + dy t)^j
        a = [math.comb(i, m) * x0 ** (i - m) * dx**m for m in range(i + 1)]
        b = [math.comb(j, m) * y0 ** (j - m) * dy**m for m in range(j + 1)]
        for m, am in enumerate(a):
            for n, bn in enumerate(b):
                out[m + n] += v * am * bn
    return out


def gauss_legendre(n: int) -> list[tuple[float, float]]:
    """Nodes and weights on [0, 1] (Newton on Legendre polynomials)."""
    out = []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < 1e-16:
                break
        out.append(((1 - x) / 2, 1 / ((1 - x * x) * dp * dp)))
    return out


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    # plate: x = X0 + s * E1 + t * E2 for (s, t) in [0, 1]^2
    e1 = (2.2, round(rng.uniform(0.2, 0.4), 3))
    e2 = (round(rng.uniform(0.5, 0.7), 3), 1.7)
    x0 = (-1.4, -0.9)
    det = e1[0] * e2[1] - e1[1] * e2[0]
    # s, t as linear polynomials in x, y
    s_poly: Poly = {(0, 0): (-(x0[0]) * e2[1] + x0[1] * e2[0]) / det, (1, 0): e2[1] / det, (0, 1): -e2[0] / det}
    t_poly: Poly = {(0, 0): (-(x0[1]) * e1[0] + x0[0] * e1[1]) / det, (1, 0): -e1[1] / det, (0, 1): e1[0] / det}
    one: Poly = {(0, 0): 1.0}
    phi = pscale(pmul(pmul(s_poly, padd(one, pscale(s_poly, -1))), pmul(t_poly, padd(one, pscale(t_poly, -1)))), 40.0)
    alpha, beta = round(rng.uniform(0.6, 1.0), 3), round(rng.uniform(-0.9, -0.5), 3)
    k_poly: Poly = {(0, 0): 1.0, (2, 0): round(rng.uniform(0.3, 0.5), 3), (0, 1): round(rng.uniform(0.2, 0.3), 3), (1, 1): round(rng.uniform(0.1, 0.2), 3)}
    # k grad u = E * (Fx, Fy); f = -E * (dFx/dx + alpha Fx + dFy/dy + beta Fy) = E * Q
    fx = pmul(k_poly, padd(pdx(phi), pscale(phi, alpha)))
    fy = pmul(k_poly, padd(pdy(phi), pscale(phi, beta)))
    q_poly = pscale(padd(pdx(fx), pscale(fx, alpha), pdy(fy), pscale(fy, beta)), -1.0)
    q_poly = {k: v for k, v in q_poly.items() if v != 0.0}

    def to_xy(s: float, t: float) -> tuple[float, float]:
        return (x0[0] + s * e1[0] + t * e2[0], x0[1] + s * e1[1] + t * e2[1])

    def u(x: float, y: float) -> float:
        return peval(phi, x, y) * math.exp(alpha * x + beta * y)

    def grad_u(x: float, y: float) -> tuple[float, float]:
        e = math.exp(alpha * x + beta * y)
        p = peval(phi, x, y)
        return (e * (peval(pdx(phi), x, y) + alpha * p), e * (peval(pdy(phi), x, y) + beta * p))

    # ----- graded, jittered grid in (s, t) with two rectangular holes
    nx, ny = 22, 17

    def graded(n: int) -> list[float]:
        w = [rng.uniform(0.6, 1.4) for _ in range(n)]
        acc, out = 0.0, [0.0]
        for v in w:
            acc += v
            out.append(acc)
        return [v / acc for v in out]

    gs, gt = graded(nx), graded(ny)
    holes = [(4, 8, 10, 13), (13, 17, 3, 6)]  # (i0, i1, j0, j1) cell ranges

    def in_hole_cell(i: int, j: int) -> bool:
        return any(i0 <= i < i1 and j0 <= j < j1 for i0, i1, j0, j1 in holes)

    def strictly_inside_hole(i: int, j: int) -> bool:
        return any(i0 < i < i1 and j0 < j < j1 for i0, i1, j0, j1 in holes)

    def on_hole_edge(i: int, j: int) -> bool:
        return any(i0 <= i <= i1 and j0 <= j <= j1 for i0, i1, j0, j1 in holes) and not strictly_inside_hole(i, j)

    index: dict[tuple[int, int], int] = {}
    coords: list[tuple[float, float]] = []
    for j in range(ny + 1):
        for i in range(nx + 1):
            if strictly_inside_hole(i, j):
                continue
            s, t = gs[i], gt[j]
            if 0 < i < nx and 0 < j < ny and not on_hole_edge(i, j):
                s += rng.uniform(-0.22, 0.22) * min(gs[i + 1] - gs[i], gs[i] - gs[i - 1])
                t += rng.uniform(-0.22, 0.22) * min(gt[j + 1] - gt[j], gt[j] - gt[j - 1])
            index[(i, j)] = len(coords)
            coords.append(to_xy(s, t))
    tris: list[tuple[int, int, int]] = []
    for j in range(ny):
        for i in range(nx):
            if in_hole_cell(i, j):
                continue
            a, b, c, d = index[(i, j)], index[(i + 1, j)], index[(i + 1, j + 1)], index[(i, j + 1)]
            if rng.random() < 0.5:
                tris += [(a, b, c), (a, c, d)]
            else:
                tris += [(a, b, d), (b, c, d)]
    order = list(range(len(tris)))
    rng.shuffle(order)
    tris = [tris[k] for k in order]
    edges: list[tuple[int, int, str]] = []
    for i in range(nx):
        edges.append((index[(i, 0)], index[(i + 1, 0)], "south"))
        edges.append((index[(i + 1, ny)], index[(i, ny)], "north"))
    for j in range(ny):
        edges.append((index[(nx, j)], index[(nx, j + 1)], "east"))
        edges.append((index[(0, j + 1)], index[(0, j)], "west"))
    sides = []
    for h, (i0, i1, j0, j1) in enumerate(holes, start=1):
        corners = [(i0, j0), (i1, j0), (i1, j1), (i0, j1)]
        for side in range(4):
            (ia, ja), (ib, jb) = corners[side], corners[(side + 1) % 4]
            name = f"hole{h}_side{side + 1}"
            steps = max(abs(ib - ia), abs(jb - ja))
            path = [(ia + (ib - ia) * m // steps, ja + (jb - ja) * m // steps) for m in range(steps + 1)]
            for (pa, qa), (pb, qb) in zip(path, path[1:]):
                edges.append((index[(pa, qa)], index[(pb, qb)], name))
            xa, ya = coords[index[(ia, ja)]]
            xb, yb = coords[index[(ib, jb)]]
            dx, dy = xb - xa, yb - ya
            length = math.hypot(dx, dy)
            # walking the hole counter-clockwise, the plate is outside: the normal out of the plate
            # (into the hole) is the left-hand normal of the walking direction
            nrm = (-dy / length, dx / length)
            g_poly = padd(pscale(fx, nrm[0]), pscale(fy, nrm[1]))
            sides.append({
                "name": name,
                "from": [xa, ya],
                "to": [xb, yb],
                "exp_coefficients": [alpha * xa + beta * ya, alpha * dx + beta * dy],
                "poly_coefficients": on_segment(g_poly, xa, ya, dx, dy),
            })
    # ----- exact quantities
    gl = gauss_legendre(24)
    jac = abs(det)

    def area_integral(fun, s0: float, s1: float, t0: float, t1: float) -> float:  # type: ignore[no-untyped-def]
        total = 0.0
        for a, wa in gl:
            for b, wb in gl:
                total += wa * wb * fun(*to_xy(s0 + a * (s1 - s0), t0 + b * (t1 - t0)))
        return total * (s1 - s0) * (t1 - t0) * jac

    def energy_density(x: float, y: float) -> float:
        gx, gy = grad_u(x, y)
        return peval(k_poly, x, y) * (gx * gx + gy * gy)

    hole_st = [(gs[i0], gs[i1], gt[j0], gt[j1]) for i0, i1, j0, j1 in holes]
    integral_u = area_integral(u, 0, 1, 0, 1) - sum(area_integral(u, *r) for r in hole_st)
    energy = area_integral(energy_density, 0, 1, 0, 1) - sum(area_integral(energy_density, *r) for r in hole_st)

    def side_flux(a: tuple[float, float], b: tuple[float, float]) -> float:
        """int of k grad u . n over the segment a -> b, n = right-hand normal (outward for the
        plate walked counter-clockwise)."""
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy)
        nrm = (dy / length, -dx / length)
        total = 0.0
        for tau, w in gl:
            x, y = a[0] + tau * dx, a[1] + tau * dy
            gx, gy = grad_u(x, y)
            total += w * peval(k_poly, x, y) * (gx * nrm[0] + gy * nrm[1])
        return total * length

    flux_south = side_flux(to_xy(0, 0), to_xy(1, 0))
    flux_west = side_flux(to_xy(0, 1), to_xy(0, 0))
    probes = []
    while len(probes) < 4:
        s, t = rng.uniform(0.08, 0.92), rng.uniform(0.08, 0.92)
        if any(s0 - 0.03 < s < s1 + 0.03 and t0 - 0.03 < t < t1 + 0.03 for s0, s1, t0, t1 in hole_st):
            continue
        x, y = to_xy(s, t)
        probes.append([round(x, 4), round(y, 4)])
    out = Path(outdir)
    (out / "nodes.csv").write_text("id,x,y\n" + "".join(f"{n},{x:.12f},{y:.12f}\n" for n, (x, y) in enumerate(coords)))
    (out / "triangles.csv").write_text("id,a,b,c\n" + "".join(f"{n},{a},{b},{c}\n" for n, (a, b, c) in enumerate(tris)))
    (out / "boundary_edges.csv").write_text("a,b,tag\n" + "".join(f"{a},{b},{tag}\n" for a, b, tag in edges))

    def poly_list(p: Poly) -> list[list[float]]:
        return [[i, j, v] for (i, j), v in sorted(p.items())]

    problem = {
        "conductivity_k": {"form": "sum of c * x^i * y^j over [i, j, c]", "terms": poly_list(k_poly)},
        "source_f": {
            "form": "exp(alpha*x + beta*y) * (sum of c * x^i * y^j over [i, j, c])",
            "alpha": alpha,
            "beta": beta,
            "terms": poly_list(q_poly),
        },
        "outer_boundary": "u = 0 on the edges tagged south, east, north and west",
        "hole_flux_g": {
            "form": "g = exp(e0 + e1*tau) * (sum of p_m * tau^m), tau in [0, 1] from 'from' to 'to'",
            "sides": sides,
        },
        "probes": probes,
    }
    text = json.dumps(problem, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    (out / "problem.json").write_text(text + "\n")
    truth = {
        **{f"u_probe{n + 1}": u(*p) for n, p in enumerate(probes)},
        "integral_u": integral_u,
        "energy": energy,
        "flux_south": flux_south,
        "flux_west": flux_west,
    }
    (out / "truth.json").write_text(json.dumps({k: float(f"{v:.13g}") for k, v in truth.items()}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
