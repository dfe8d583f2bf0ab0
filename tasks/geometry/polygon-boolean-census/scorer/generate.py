"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).
Needs planar.py and boolean.py next to it.

Writes sample_cases.json and sample_answers.json (environment: a worked example), cases.json
(environment: the real cases) and truth.json (scorer: their answers). Each case is a pair of
polygons with holes (integer vertices) and an operation. Operands are either unions of grid
cells (rectilinear, with holes, islands in holes and pieces or holes that touch at a single
corner) or star-shaped rings with star-shaped holes; the second operand is built against the
first so that the overlay is degenerate: identical operands, integer shifts by whole or half
cells (shared and partly overlapping edges), cell sets on the same grid, the outer ring without
its holes, a polygon sitting in a hole and touching it at one point, rectangles sharing part
of an edge, disjoint operands. The answers are computed exactly by boolean.py and cross-checked
(area identities between the four operations, and the area of every operand).
"""

import json
import math
import random
import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boolean import evaluate  # noqa: E402
from planar import face_cycles, meet, ring_area2  # noqa: E402

SEED = 8_080_404
Ring = list[tuple[int, int]]


def simplify(ring: list, rng: random.Random, keep: float) -> Ring:
    """Drop most collinear in-between vertices (some are kept on purpose)."""
    pts = [(int(x), int(y)) for x, y in ring]
    out = []
    n = len(pts)
    for i in range(n):
        a, b, c = pts[i - 1], pts[i], pts[(i + 1) % n]
        straight = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) == 0
        if (
            straight
            and (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) < 0
            and rng.random() > keep
        ):
            continue
        out.append(b)
    return out


def cells_polygon(rng: random.Random, cells: set[tuple[int, int]], size: int, ox: int, oy: int) -> list[Ring]:
    """The rings of a union of grid cells, outer rings counter-clockwise, holes clockwise."""
    directed = set()
    for cx, cy in cells:
        corners = [(cx, cy), (cx + 1, cy), (cx + 1, cy + 1), (cx, cy + 1)]
        for k, (dx, dy) in enumerate(((0, -1), (1, 0), (0, 1), (-1, 0))):
            if (cx + dx, cy + dy) not in cells:
                p, q = corners[k], corners[(k + 1) % 4]
                directed.add(
                    (
                        (Fraction(ox + size * p[0]), Fraction(oy + size * p[1])),
                        (Fraction(ox + size * q[0]), Fraction(oy + size * q[1])),
                    )
                )
    undirected = {(p, q) if p < q else (q, p) for p, q in directed}
    rings = []
    for cyc in face_cycles(undirected):
        if (cyc[0], cyc[1]) in directed:
            rings.append(simplify(cyc, rng, 0.25))
    return rings


def random_cells(rng: random.Random, w: int, h: int, fill: float) -> set[tuple[int, int]]:
    cells = {(x, y) for x in range(w) for y in range(h) if rng.random() < fill}
    # punch a hole with an island in it now and then
    if w >= 5 and h >= 5 and rng.random() < 0.5:
        x, y = rng.randint(0, w - 5), rng.randint(0, h - 5)
        for i in range(5):
            for j in range(5):
                if i in (0, 4) or j in (0, 4):
                    cells.add((x + i, y + j))
                else:
                    cells.discard((x + i, y + j))
        cells.add((x + 2, y + 2))
    return cells or {(0, 0)}


def star(rng: random.Random, cx: int, cy: int, rmin: float, rmax: float, n: int, ccw: bool) -> Ring:
    step = 360 / n
    pts = []
    for k in range(n):
        a = math.radians(k * step + rng.uniform(0, step * 0.4))
        r = rng.uniform(rmin, rmax)
        pts.append((round(cx + r * math.cos(a)), round(cy + r * math.sin(a))))
    return pts if ccw else pts[::-1]


def valid(poly: list[Ring]) -> bool:
    """Every ring simple, rings disjoint, orientation as promised (checked exactly)."""
    edges = []
    for r, ring in enumerate(poly):
        if len(ring) < 3 or len(set(ring)) != len(ring):
            return False
        for i in range(len(ring)):
            edges.append((r, i, len(ring), ring[i] + ring[(i + 1) % len(ring)]))
    for x in range(len(edges)):
        for y in range(x + 1, len(edges)):
            r1, i1, n1, s1 = edges[x]
            r2, i2, n2, s2 = edges[y]
            pts = meet(s1, s2)
            if not pts:
                continue
            adjacent = r1 == r2 and ((i1 + 1) % n1 == i2 or (i2 + 1) % n2 == i1)
            if not adjacent or len(pts) != 1:
                return False
    return True


def star_polygon(rng: random.Random, cx: int, cy: int, r: int) -> list[Ring]:
    while True:
        outer = star(rng, cx, cy, 0.6 * r, r, rng.randint(6, 40), True)
        poly = [outer]
        if rng.random() < 0.6:
            poly.append(star(rng, cx, cy, 0.15 * r, 0.45 * r, rng.randint(3, 12), False))
        if valid(poly):
            return poly


def shift(poly: list[Ring], dx: int, dy: int) -> list[Ring]:
    return [[(x + dx, y + dy) for x, y in ring] for ring in poly]


def area(poly: list[Ring]) -> Fraction:
    return sum((ring_area2([(Fraction(x), Fraction(y)) for x, y in ring]) for ring in poly), Fraction(0)) / 2


def make_pair(rng: random.Random) -> tuple[str, list[Ring], list[Ring]]:
    kind = rng.choice(
        [
            "cells-same-grid",
            "cells-shift",
            "cells-half",
            "identical",
            "star-shift",
            "outer-only",
            "in-hole",
            "rect-edge",
            "disjoint",
            "star-cells",
            "star-rotated",
        ]
    )
    size = rng.choice([2, 4, 6, 8, 10])
    w, h = rng.randint(3, 10), rng.randint(3, 10)
    a = cells_polygon(rng, random_cells(rng, w, h, rng.uniform(0.35, 0.75)), size, 0, 0)
    if kind == "cells-same-grid":
        b = cells_polygon(rng, random_cells(rng, w + 2, h + 2, rng.uniform(0.3, 0.7)), size, -size, -size)
    elif kind == "cells-shift":
        b = shift(a, size * rng.randint(-2, 2), size * rng.randint(-2, 2))
    elif kind == "cells-half":
        b = cells_polygon(
            rng, random_cells(rng, w, h, rng.uniform(0.3, 0.7)), size, size // 2, rng.choice([0, size // 2])
        )
    elif kind == "identical":
        a = star_polygon(rng, 50, 50, 45) if rng.random() < 0.5 else a
        b = [list(r) for r in a]
    elif kind == "star-shift":
        a = star_polygon(rng, 50, 50, 45)
        b = shift(a, rng.randint(-30, 30), rng.randint(-30, 30))
    elif kind == "outer-only":
        a = star_polygon(rng, 50, 50, 45) if rng.random() < 0.5 else a
        outer = max(a, key=lambda r: area([r]))
        b = [outer]
        if rng.random() < 0.5:
            a, b = b, a
    elif kind == "in-hole":
        a = [[(0, 0), (40, 0), (40, 40), (0, 40)], [(10, 10), (10, 30), (30, 30), (30, 10)]]
        tx = rng.randint(12, 28)
        b = [
            [(tx, 10), (rng.randint(12, 28), rng.randint(14, 28)), (rng.randint(12, 16), rng.randint(14, 20))]
        ]
        if not valid(b) or area(b) <= 0:
            b = [[(tx, 10), (29, 29), (11, 20)]]
    elif kind == "rect-edge":
        x0, y0 = rng.randint(0, 10), rng.randint(0, 10)
        x1, y1 = x0 + rng.randint(5, 20), y0 + rng.randint(5, 20)
        a = [[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]]
        s = rng.randint(x0 - 5, x1 - 1)
        b = [
            [
                (s, y1),
                (s + rng.randint(1, 30), y1),
                (s + rng.randint(1, 30), y1 + rng.randint(1, 10)),
                (s, y1 + rng.randint(1, 10)),
            ]
        ]
        if not valid(b) or area(b) <= 0:
            b = [[(s, y1), (s + 3, y1), (s + 3, y1 + 3), (s, y1 + 3)]]
        if rng.random() < 0.5:
            b = [[(x, 2 * y1 - y) for x, y in b[0]][::-1]]  # mirrored down: overlaps a
    elif kind == "disjoint":
        b = shift(star_polygon(rng, 50, 50, 30), size * (w + 2) + 40, 0)
    elif kind == "star-cells":
        b = star_polygon(rng, size * w // 2, size * h // 2, max(6, size * max(w, h) // 2))
    else:
        a = star_polygon(rng, 0, 0, 45)
        b = [[(-y, x) for x, y in ring] for ring in a]
    if rng.random() < 0.5:
        a, b = b, a
    return kind, a, b


def build(rng: random.Random, count: int) -> tuple[list[dict], dict]:
    cases, answers = [], {}
    for n in range(count):
        _kind, a, b = make_pair(rng)
        assert area(a) > 0 and area(b) > 0
        results = {op: evaluate(a, b, op) for op in ("union", "intersection", "difference", "xor")}
        u, i, d, x = (results[op][0] for op in ("union", "intersection", "difference", "xor"))
        assert u + i == area(a) + area(b) and d == area(a) - i and x == u - i
        assert evaluate(b, a, "union") == results["union"]
        op = rng.choice(["union", "intersection", "difference", "xor"])
        cid = f"case-{n + 1:03d}"
        cases.append(
            {
                "id": cid,
                "op": op,
                "a": [[list(p) for p in r] for r in a],
                "b": [[list(p) for p in r] for r in b],
            }
        )
        got = results[op]
        answers[cid] = {"area": round(float(got[0]), 6), "pieces": got[1], "holes": got[2]}
    return cases, answers


def dump(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":")) + "\n"


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    out = Path(outdir)
    sample_cases, sample_answers = build(rng, 12)
    cases, answers = build(rng, 240)
    (out / "sample_cases.json").write_text(json.dumps(sample_cases) + "\n")
    (out / "sample_answers.json").write_text(json.dumps(sample_answers, indent=1) + "\n")
    (out / "cases.json").write_text(json.dumps(cases) + "\n")
    (out / "truth.json").write_text(json.dumps(answers, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
