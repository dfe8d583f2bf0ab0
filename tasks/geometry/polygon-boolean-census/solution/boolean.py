"""Exact boolean operations on polygons with holes (integer vertices, rational arithmetic), as
the generator uses them to compute the truth: overlay both boundaries, classify each side of
every overlay edge as inside or outside each operand, keep the edges where the result changes,
and walk their face cycles. Returns the result's area, pieces and holes."""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction

from planar import Point, candidate_pairs, face_cycles, meet, ring_area2

Ring = list[tuple[int, int]]
OPS = {
    "union": lambda a, b: a or b,
    "intersection": lambda a, b: a and b,
    "difference": lambda a, b: a and not b,
    "xor": lambda a, b: a != b,
}


class Inside:
    """Even-odd point-in-polygon for points not on the boundary, with edges bucketed by row."""

    def __init__(self, rings: list[Ring]) -> None:
        self.rows: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
                if y1 != y2:
                    for r in range(min(y1, y2), max(y1, y2) + 1):
                        self.rows[r].append((x1, y1, x2, y2))

    def __call__(self, p: Point) -> bool:
        x, y = p
        odd = False
        for x1, y1, x2, y2 in self.rows.get(math.floor(y), ()):
            if (y1 > y) != (y2 > y):
                if x1 + (y - y1) * (x2 - x1) / (y2 - y1) > x:
                    odd = not odd
        return odd


def overlay(a: list[Ring], b: list[Ring]):
    """Overlay edges (p, q) with p < q, each with its direction along an A edge and a B edge
    (+1 same as p->q, -1 opposite, 0 not on that operand's boundary)."""
    segs: list[tuple[int, int, int, int]] = []
    owner: list[int] = []
    for k, poly in enumerate((a, b)):
        for ring in poly:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
                segs.append((x1, y1, x2, y2))
                owner.append(k)
    on_seg = [{(Fraction(s[0]), Fraction(s[1])), (Fraction(s[2]), Fraction(s[3]))} for s in segs]
    for i, j in candidate_pairs(segs, 16):
        for p in meet(segs[i], segs[j]):
            on_seg[i].add(p)
            on_seg[j].add(p)
    tags: dict[tuple[Point, Point], list[int]] = {}
    for s, k, pts in zip(segs, owner, on_seg):
        forward = (s[0], s[1]) < (s[2], s[3])
        ordered = sorted(pts)
        for p, q in zip(ordered, ordered[1:]):
            tag = tags.setdefault((p, q), [0, 0])
            assert tag[k] == 0, "an operand's rings overlap themselves"
            tag[k] = 1 if forward else -1
    return tags


def evaluate(a: list[Ring], b: list[Ring], op: str) -> tuple[Fraction, int, int]:
    """(area, pieces, holes) of `a op b`."""
    rule = OPS[op]
    inside = (Inside(a), Inside(b))
    boundary: set[tuple[Point, Point]] = set()
    left_in: dict[tuple[Point, Point], bool] = {}
    for (p, q), tag in overlay(a, b).items():
        mid = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)
        left, right = [], []
        for k in (0, 1):
            if tag[k]:
                left.append(tag[k] > 0)
                right.append(tag[k] < 0)
            else:
                state = inside[k](mid)
                left.append(state)
                right.append(state)
        lr, rr = rule(*left), rule(*right)
        if lr != rr:
            boundary.add((p, q))
            left_in[p, q] = lr
    area2 = Fraction(0)
    pieces = holes = 0
    for cyc in face_cycles(boundary):
        u, v = cyc[0], cyc[1 % len(cyc)]
        r_left = left_in[u, v] if (u, v) in left_in else not left_in[v, u]
        a2 = ring_area2(cyc)
        if r_left:
            area2 += a2
            pieces += a2 > 0
        else:
            holes += a2 > 0
    return area2 / 2, pieces, holes
