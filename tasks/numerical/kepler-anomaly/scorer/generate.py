"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes orbit.txt (environment: eccentricity and mean anomaly of a very eccentric orbit) and
truth.json (scorer: the eccentric anomaly, found by bisection to full double precision).
The mean anomaly is kept small and the eccentricity high, where the naive fixed-point iteration
E = M + e sin E converges slowly and a Newton start at E = M overshoots.
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 20_261_201


def solve(e: float, m: float) -> float:
    """E - e sin E = M on [0, pi] by bisection (the function is increasing)."""
    lo, hi = 0.0, math.pi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid - e * math.sin(mid) < m:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def main(outdir: str) -> None:
    """Write the orbit and the expected answer."""
    rng = random.Random(SEED)
    e = round(rng.uniform(0.955, 0.985), 6)
    m = round(rng.uniform(0.01, 0.05), 7)
    big_e = solve(e, m)
    out = Path(outdir)
    (out / "orbit.txt").write_text(
        "# Keplerian orbit of a comet at one epoch\n"
        f"eccentricity = {e}\n"
        f"mean_anomaly_rad = {m}\n"
    )
    truth = {"eccentric_anomaly_rad": repr(big_e), "eccentricity": e, "mean_anomaly_rad": m}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
