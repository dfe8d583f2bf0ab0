"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes bookings.csv (environment: 20 months of a monthly count that grows by the same step every
month, rows in shuffled order) and truth.json (scorer: the value the series reaches in the target
month named in instructions.md, three months after the last recorded one, across a year boundary).
The rows are shuffled, and reshuffled until neither the file's first row is the first month nor its
last row the last month, so reading the ends of the file without sorting gives a wrong answer.
"""

import json
import random
import sys
from pathlib import Path

SEED = 30_661
FIRST = (2024, 2)  # first recorded month
MONTHS = 20  # 2024-02 .. 2025-09
AHEAD = 3  # target 2025-12


def month(i: int) -> str:
    y, m = divmod(FIRST[0] * 12 + FIRST[1] - 1 + i, 12)
    return f"{y:04d}-{m + 1:02d}"


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    while True:
        start = rng.randint(4000, 9000)
        step = rng.randint(90, 400)
        rows = [(month(i), start + step * i) for i in range(MONTHS)]
        shuffled = rows[:]
        rng.shuffle(shuffled)
        if shuffled[-1] != rows[-1] and shuffled[0] != rows[0]:
            break
    target_month = month(MONTHS - 1 + AHEAD)
    answer = rows[-1][1] + AHEAD * step
    out = Path(outdir)
    lines = ["month,bookings"] + [f"{m},{v}" for m, v in shuffled]
    (out / "bookings.csv").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(
        json.dumps({"target_month": target_month, "step": step, "answer": answer}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
