"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes speed.csv (environment: speed samples of a test vehicle at irregular times) and
truth.json (scorer: the trapezoidal-rule distance over the samples as given). The times are
unevenly spaced, so a rule that assumes a constant step gives a clearly different number.
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 86_125


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    t = 0.0
    rows = []
    for _ in range(48):
        speed = 14.0 + 9.0 * math.sin(t / 11.0) + rng.uniform(-0.6, 0.6)
        rows.append((round(t, 2), round(max(speed, 0.0), 3)))
        t += rng.choice([0.5, 1.0, 1.0, 2.0, 2.5, 4.0])
    distance = sum(0.5 * (v0 + v1) * (t1 - t0) for (t0, v0), (t1, v1) in zip(rows, rows[1:]))
    lines = ["time_s,speed_m_per_s"] + [f"{ts:.2f},{v:.3f}" for ts, v in rows]
    out = Path(outdir)
    (out / "speed.csv").write_text("\n".join(lines) + "\n")
    truth = {"kind": "float", "answer": round(distance, 6), "tolerance": 0.011}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
