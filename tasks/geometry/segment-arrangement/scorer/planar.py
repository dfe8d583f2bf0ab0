"""Exact planar-arrangement helpers (integer input, rational arithmetic) shared by this task's
generator: intersections of segments, the arrangement's vertices and edges, face cycles by the
usual "next edge clockwise" walk, and exact point-in-ring tests."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from functools import cmp_to_key

Point = tuple[Fraction, Fraction]
Seg = tuple[int, int, int, int]


def cross(o: Point, a: Point, b: Point) -> Fraction:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def meet(s: Seg, t: Seg) -> list[Point]:
    """The points two segments share: none, one, or the two ends of a collinear overlap."""
    p1 = (Fraction(s[0]), Fraction(s[1]))
    p2 = (Fraction(s[2]), Fraction(s[3]))
    p3 = (Fraction(t[0]), Fraction(t[1]))
    p4 = (Fraction(t[2]), Fraction(t[3]))
    d1, d2 = cross(p3, p4, p1), cross(p3, p4, p2)
    d3, d4 = cross(p1, p2, p3), cross(p1, p2, p4)
    if d1 == 0 and d2 == 0:

        def on(p: Point, a: Point, b: Point) -> bool:
            return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])

        found = {p for p in (p1, p2) if on(p, p3, p4)} | {p for p in (p3, p4) if on(p, p1, p2)}
        return sorted(found)
    if (d1 > 0 and d2 > 0) or (d1 < 0 and d2 < 0) or (d3 > 0 and d4 > 0) or (d3 < 0 and d4 < 0):
        return []
    u = d1 / (d1 - d2)
    return [(p1[0] + u * (p2[0] - p1[0]), p1[1] + u * (p2[1] - p1[1]))]


def candidate_pairs(segs: list[Seg], cell: int = 64) -> set[tuple[int, int]]:
    """Index pairs whose bounding boxes overlap (a uniform grid keeps this near linear)."""
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (x1, y1, x2, y2) in enumerate(segs):
        for gx in range(min(x1, x2) // cell, max(x1, x2) // cell + 1):
            for gy in range(min(y1, y2) // cell, max(y1, y2) // cell + 1):
                grid[gx, gy].append(i)
    pairs = set()
    for members in grid.values():
        for a in range(len(members)):
            i = members[a]
            si = segs[i]
            for b in range(a + 1, len(members)):
                j = members[b]
                sj = segs[j]
                if (
                    max(si[0], si[2]) >= min(sj[0], sj[2])
                    and max(sj[0], sj[2]) >= min(si[0], si[2])
                    and max(si[1], si[3]) >= min(sj[1], sj[3])
                    and max(sj[1], sj[3]) >= min(si[1], si[3])
                ):
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


class Arrangement:
    """The planar graph of a set of segments: vertices, undirected edges (a, b) with a < b, the
    meeting pairs, and for each vertex how many input segments pass through it."""

    def __init__(self, segs: list[Seg]) -> None:
        on_seg: list[set[Point]] = [
            {(Fraction(s[0]), Fraction(s[1])), (Fraction(s[2]), Fraction(s[3]))} for s in segs
        ]
        self.meeting_pairs = 0
        for i, j in candidate_pairs(segs):
            pts = meet(segs[i], segs[j])
            if pts:
                self.meeting_pairs += 1
                on_seg[i].update(pts)
                on_seg[j].update(pts)
        self.edges: set[tuple[Point, Point]] = set()
        self.through: dict[Point, int] = defaultdict(int)
        for pts in on_seg:
            ordered = sorted(pts)
            for p in ordered:
                self.through[p] += 1
            for a, b in zip(ordered, ordered[1:]):
                self.edges.add((a, b))
        self.vertices = {p for e in self.edges for p in e}


def angle_cmp(a: Point, b: Point) -> int:
    """Counter-clockwise order of direction vectors, starting from the positive x axis."""
    ha = 0 if (a[1] > 0 or (a[1] == 0 and a[0] > 0)) else 1
    hb = 0 if (b[1] > 0 or (b[1] == 0 and b[0] > 0)) else 1
    if ha != hb:
        return ha - hb
    c = a[0] * b[1] - a[1] * b[0]
    return -1 if c > 0 else (1 if c < 0 else 0)


def face_cycles(edges: set[tuple[Point, Point]]) -> list[list[Point]]:
    """Every cycle of half-edges with its face on the left (bounded faces come out
    counter-clockwise, outer boundaries clockwise); each cycle is its list of vertices."""
    around: dict[Point, list[Point]] = defaultdict(list)
    for a, b in edges:
        around[a].append(b)
        around[b].append(a)
    index: dict[Point, dict[Point, int]] = {}
    for v, nbrs in around.items():
        nbrs.sort(
            key=cmp_to_key(
                lambda p, q, v=v: angle_cmp((p[0] - v[0], p[1] - v[1]), (q[0] - v[0], q[1] - v[1]))
            )
        )
        index[v] = {w: k for k, w in enumerate(nbrs)}
    seen: set[tuple[Point, Point]] = set()
    cycles = []
    for a, b in edges:
        for start in ((a, b), (b, a)):
            if start in seen:
                continue
            cycle = []
            u, v = start
            while (u, v) not in seen:
                seen.add((u, v))
                cycle.append(u)
                nbrs = around[v]
                w = nbrs[(index[v][u] - 1) % len(nbrs)]
                u, v = v, w
            cycles.append(cycle)
    return cycles


def ring_area2(ring: list[Point]) -> Fraction:
    """Twice the signed area (positive when counter-clockwise)."""
    return sum((a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1])), Fraction(0))


def inside_ring(p: Point, ring: list[Point]) -> bool:
    """Crossing test for a point known not to lie on the ring."""
    x, y = p
    odd = False
    n = len(ring)
    for k in range(n):
        a, b = ring[k], ring[(k + 1) % n]
        if (a[1] > y) != (b[1] > y):
            xi = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if xi > x:
                odd = not odd
    return odd


def components(edges: set[tuple[Point, Point]]) -> dict[Point, Point]:
    """Union-find root of every vertex."""
    parent: dict[Point, Point] = {}

    def find(p: Point) -> Point:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {p: find(p) for p in parent}
