"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes parcel.txt (environment: the boundary of one non-convex land parcel, vertices in
clockwise order, one "easting northing" pair per line after two comment lines) and truth.json
(scorer: its area in square metres, computed exactly from the written decimals). The shape is a
star-shaped polygon with random radii, so it is simple but far from convex: its convex hull and
its bounding box give other numbers, and the signed shoelace sum is negative.
"""

import json
import math
import random
import sys
from fractions import Fraction
from pathlib import Path

SEED = 31_337_07
VERTICES = 47


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    cx, cy = 512_340.0, 6_843_120.0
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(VERTICES))
    points = []
    for a in reversed(angles):  # clockwise
        r = rng.uniform(35, 160)
        points.append((f"{cx + r * math.cos(a):.2f}", f"{cy + r * math.sin(a):.2f}"))
    exact = [(Fraction(x), Fraction(y)) for x, y in points]
    twice = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(exact, exact[1:] + exact[:1]))
    assert twice < 0
    area = abs(twice) / 2
    lines = ["# parcel 2231-B boundary, projected coordinates in metres", "# easting northing"]
    lines += [f"{x} {y}" for x, y in points]
    out = Path(outdir)
    (out / "parcel.txt").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(json.dumps({"area_m2": float(area)}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
