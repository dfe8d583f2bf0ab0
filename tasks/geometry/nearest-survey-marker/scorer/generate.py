"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes markers.csv (environment: 400 survey markers with plane coordinates in metres) and
truth.json (scorer: the id of the marker nearest to the query point). Markers are redrawn until
the nearest one is unique by a clear margin and differs from the nearest by Manhattan distance
and from the marker whose x alone is closest, so a shortcut gives a wrong id.
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 90_417
QUERY = (4183.25, 2716.5)
COUNT = 400


def draw(rng: random.Random) -> list[tuple[str, float, float]]:
    ids = rng.sample(range(1000, 10000), COUNT)
    rows = [(f"SM-{i}", round(rng.uniform(3000, 5500), 2), round(rng.uniform(1500, 4000), 2)) for i in ids]
    # a few decoys close to the query in one coordinate or in Manhattan distance
    for k in range(6):
        ang = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(8, 30)
        rows[k] = (rows[k][0], round(QUERY[0] + r * math.cos(ang), 2), round(QUERY[1] + r * math.sin(ang), 2))
    rng.shuffle(rows)
    return rows


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    while True:
        rows = draw(rng)
        eu = sorted(rows, key=lambda r: math.hypot(r[1] - QUERY[0], r[2] - QUERY[1]))
        man = min(rows, key=lambda r: abs(r[1] - QUERY[0]) + abs(r[2] - QUERY[1]))
        onex = min(rows, key=lambda r: abs(r[1] - QUERY[0]))
        d0 = math.hypot(eu[0][1] - QUERY[0], eu[0][2] - QUERY[1])
        d1 = math.hypot(eu[1][1] - QUERY[0], eu[1][2] - QUERY[1])
        if d1 - d0 > 0.5 and man[0] != eu[0][0] and onex[0] != eu[0][0]:
            break
    out = Path(outdir)
    lines = ["marker_id,easting_m,northing_m"] + [f"{r[0]},{r[1]:.2f},{r[2]:.2f}" for r in rows]
    (out / "markers.csv").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(
        json.dumps({"nearest": eu[0][0], "distance_m": round(d0, 3)}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
