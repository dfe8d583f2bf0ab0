"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes predictions.csv (environment: id, label, score for 900 validation rows of a fraud model)
and truth.json (scorer: the ROC AUC with ties counted as one half, plus the two wrong values a
solver gets by breaking ties one way or the other). Scores are rounded to two decimals, so many
positives and negatives share a score; the draw is repeated until the tie-aware AUC differs from
both tie-breaking variants by at least 0.005.
"""

import json
import random
import sys
from pathlib import Path

SEED = 40_417


def auc(rows: list[tuple[int, float]], tie: float) -> float:
    """Fraction of (positive, negative) pairs ranked correctly; a tied pair counts `tie`."""
    pos = sorted(s for y, s in rows if y == 1)
    neg = sorted(s for y, s in rows if y == 0)
    won = 0.0
    for p in pos:
        below = sum(1 for n in neg if n < p)
        equal = sum(1 for n in neg if n == p)
        won += below + tie * equal
    return won / (len(pos) * len(neg))


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    while True:
        rows = []
        for _ in range(900):
            y = 1 if rng.random() < 0.18 else 0
            z = rng.gauss(1.1 if y else 0.0, 1.0)
            score = round(1 / (1 + 2.718281828 ** (-(z - 1.6))), 2)
            rows.append((y, score))
        half, low, high = auc(rows, 0.5), auc(rows, 0.0), auc(rows, 1.0)
        if min(half - low, high - half) >= 0.005:
            break
    out = Path(outdir)
    lines = ["id,label,score"] + [f"tx{1000 + i},{y},{s:.2f}" for i, (y, s) in enumerate(rows)]
    (out / "predictions.csv").write_text("\n".join(lines) + "\n")
    truth = {"auc": round(half, 6), "ties_as_loss": round(low, 6), "ties_as_win": round(high, 6)}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
