"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes summary.csv (environment: visitors and orders per segment and variant) and truth.json
(scorer). Counts are redrawn until the pooled difference and the standardised one have opposite
signs and differ by at least one point, so the naive answer is always wrong.
"""

import json
import random
import sys
from pathlib import Path

SEED = 61_804
SEGMENTS = ["desktop-new", "desktop-returning", "mobile-new", "mobile-returning"]


def draw(rng: random.Random) -> list[tuple[str, str, int, int]]:
    """One candidate table: B is pushed towards the low-converting segments."""
    rows = []
    for i, segment in enumerate(SEGMENTS):
        base = rng.uniform(0.02, 0.20) * (1 + i)
        total = rng.randint(3000, 9000)
        share_b = rng.uniform(0.15, 0.85)
        for variant, share, lift in (("A", 1 - share_b, 0.0), ("B", share_b, rng.uniform(-0.01, 0.03))):
            visitors = round(total * share)
            rows.append((segment, variant, visitors, round(visitors * min(0.9, base + lift))))
    return rows


def rates(rows: list[tuple[str, str, int, int]]) -> tuple[float, float]:
    """(pooled, standardised) B-minus-A differences in percentage points."""
    pooled = {}
    for v in "AB":
        pooled[v] = sum(r[3] for r in rows if r[1] == v) / sum(r[2] for r in rows if r[1] == v)
    everyone = sum(r[2] for r in rows)
    standard = 0.0
    for segment in SEGMENTS:
        a, b = (next(r for r in rows if r[0] == segment and r[1] == v) for v in "AB")
        standard += (a[2] + b[2]) / everyone * (b[3] / b[2] - a[3] / a[2])
    return 100 * (pooled["B"] - pooled["A"]), 100 * standard


def main(outdir: str) -> None:
    """Write the table and the expected answer."""
    rng = random.Random(SEED)
    while True:
        rows = draw(rng)
        pooled, standard = rates(rows)
        if pooled * standard < 0 and abs(pooled - standard) > 1 and abs(standard) > 0.3:
            break
    out = Path(outdir)
    lines = ["segment,variant,visitors,orders"] + [",".join(map(str, r)) for r in rows]
    (out / "summary.csv").write_text("\n".join(lines) + "\n")
    truth = {"standardised_pp": round(standard, 4), "pooled_pp": round(pooled, 4)}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
