"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).
Needs planar.py next to it.

Writes sample_segments.txt and sample_answers.json (environment: a small worked example with its
answers), segments.txt (environment: the real input) and truth.json (scorer: the real answers).
The segments have integer ends and are built to be degenerate: random short segments, grids
given as overlapping collinear pieces, stars of segments through one point, exact and reversed
duplicates, T-junctions (an end on another segment's interior), closed polygons nested inside
other polygons without touching them, and pairs of long segments crossing at tiny angles so
that floating-point intersection points land a hair apart. The answers are computed exactly
with rational arithmetic (planar.py) and cross-checked with Euler's formula.
"""

import json
import random
import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from planar import Arrangement, components, face_cycles, inside_ring, ring_area2  # noqa: E402

SEED = 5_550_123


def polygon(rng: random.Random, cx: int, cy: int, r: int, n: int) -> list[tuple[int, int]]:
    import math

    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
    pts = []
    for a in angles:
        rr = rng.uniform(0.5, 1.0) * r
        p = (round(cx + rr * math.cos(a)), round(cy + rr * math.sin(a)))
        if not pts or p != pts[-1]:
            pts.append(p)
    return pts


def make_segments(rng: random.Random, size: int, scale: float) -> list[tuple[int, int, int, int]]:
    segs: list[tuple[int, int, int, int]] = []
    n_random = int(600 * scale)
    for _ in range(n_random):
        x, y = rng.randint(0, size), rng.randint(0, size)
        segs.append((x, y, x + rng.randint(-90, 90), y + rng.randint(-90, 90)))
    # grids given as overlapping collinear pieces
    for _ in range(max(1, int(12 * scale))):
        x0, y0 = rng.randint(0, size - 200), rng.randint(0, size - 200)
        step = rng.randint(12, 40)
        k = rng.randint(2, 5)
        length = step * k
        for i in range(k + 1):
            for horizontal in (True, False):
                a = 0
                while a < length:
                    b = min(length, a + rng.randint(step // 2, 2 * step))
                    lo = max(0, a - rng.randint(0, step // 2))
                    if horizontal:
                        segs.append((x0 + lo, y0 + i * step, x0 + b, y0 + i * step))
                    else:
                        segs.append((x0 + i * step, y0 + lo, x0 + i * step, y0 + b))
                    a = b
    # stars through one point, some passing through, some ending there
    for _ in range(max(1, int(15 * scale))):
        px, py = rng.randint(100, size - 100), rng.randint(100, size - 100)
        dirs = rng.sample(
            [(1, 0), (0, 1), (1, 1), (1, -1), (2, 1), (1, 2), (3, -1), (1, -3), (2, -3), (3, 2)],
            rng.randint(3, 6),
        )
        for dx, dy in dirs:
            k1, k2 = rng.randint(5, 25), rng.randint(0, 25)
            segs.append((px - k2 * dx, py - k2 * dy, px + k1 * dx, py + k1 * dy))
    # T-junctions: an end exactly on another segment's interior
    for _ in range(int(60 * scale)):
        x, y = rng.randint(50, size - 50), rng.randint(50, size - 50)
        dx, dy = rng.choice([(1, 0), (0, 1), (1, 1), (2, 1), (1, -2), (3, 1)])
        k = rng.randint(6, 30)
        segs.append((x - k * dx, y - k * dy, x + k * dx, y + k * dy))
        t = rng.randint(-k + 1, k - 1)
        qx, qy = x + t * dx, y + t * dy
        segs.append((qx, qy, qx + rng.randint(-60, 60), qy + rng.randint(-60, 60)))
    # duplicates, exact and reversed
    for s in rng.sample(segs, int(40 * scale)):
        segs.append(s if rng.random() < 0.5 else (s[2], s[3], s[0], s[1]))
    # closed polygons with a smaller polygon floating inside (nested components)
    for _ in range(max(1, int(10 * scale))):
        cx, cy = rng.randint(150, size - 150), rng.randint(150, size - 150)
        outer = polygon(rng, cx, cy, rng.randint(70, 120), rng.randint(5, 12))
        inner = polygon(rng, cx, cy, rng.randint(10, 25), rng.randint(3, 7))
        for ring in (outer, inner):
            for a, b in zip(ring, ring[1:] + ring[:1]):
                if a != b:
                    segs.append((a[0], a[1], b[0], b[1]))
    # long segments crossing at tiny angles
    for _ in range(max(1, int(20 * scale))):
        x, y = rng.randint(0, size // 2), rng.randint(0, size)
        dx = rng.randint(400, 900)
        segs.append((x, y, x + dx, y + rng.randint(-3, 3)))
        segs.append(
            (
                x + rng.randint(-5, 5),
                y + rng.randint(-2, 2),
                x + dx + rng.randint(-5, 5),
                y + rng.randint(-4, 4),
            )
        )
    segs = [s for s in segs if (s[0], s[1]) != (s[2], s[3])]
    rng.shuffle(segs)
    return segs


def answers(segs: list[tuple[int, int, int, int]]) -> dict[str, object]:
    arr = Arrangement(segs)
    roots = components(arr.edges)
    comp_ids = set(roots.values())
    cycles = face_cycles(arr.edges)
    positive = []
    outer_of: dict[object, list] = {}
    for cyc in cycles:
        a2 = ring_area2(cyc)
        root = roots[cyc[0]]
        if a2 > 0:
            positive.append((cyc, a2, root))
        else:
            assert root not in outer_of, "two outer cycles in one component"
            outer_of[root] = cyc
    v, e, c, f = len(arr.vertices), len(arr.edges), len(comp_ids), len(positive)
    assert f == e - v + c, "Euler's formula fails"
    enclosed: dict[object, Fraction] = {r: Fraction(0) for r in comp_ids}
    for _cyc, a2, root in positive:
        enclosed[root] += a2 / 2
    boxes = []
    for cyc, _a2, root in positive:
        xs = [p[0] for p in cyc]
        ys = [p[1] for p in cyc]
        boxes.append((min(xs), max(xs), min(ys), max(ys), cyc, root))
    area = sum(enclosed.values(), Fraction(0))
    for root in comp_ids:
        p = root
        for x0, x1, y0, y1, cyc, other in boxes:
            if other != root and x0 < p[0] < x1 and y0 < p[1] < y1 and inside_ring(p, cyc):
                area -= enclosed[root]
                break
    return {
        "meeting_pairs": arr.meeting_pairs,
        "vertices": v,
        "edges": e,
        "components": c,
        "bounded_faces": f,
        "enclosed_area": round(float(area), 6),
        "max_through": max(arr.through.values()),
    }


def write_segments(path: Path, segs: list[tuple[int, int, int, int]]) -> None:
    path.write_text(f"{len(segs)}\n" + "".join(f"{a} {b} {c} {d}\n" for a, b, c, d in segs))


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    out = Path(outdir)
    sample = make_segments(rng, 400, 0.05)
    real = make_segments(rng, 2000, 1.0)
    write_segments(out / "sample_segments.txt", sample)
    (out / "sample_answers.json").write_text(json.dumps(answers(sample), indent=2) + "\n")
    write_segments(out / "segments.txt", real)
    (out / "truth.json").write_text(json.dumps(answers(real), indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
