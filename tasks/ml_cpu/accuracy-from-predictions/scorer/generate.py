"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes predictions.csv (environment: a classifier's predictions on a held-out set, with the
true labels and a confidence column) and truth.json (scorer: the accuracy). The row count is
not a round number, so the accuracy has more than two decimals.
"""

import json
import random
import sys
from pathlib import Path

SEED = 48_851
CLASSES = ["cat", "dog", "fox"]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    count = rng.choice([n for n in range(350, 560) if n % 10 and n % 4])
    lines = ["id,label,predicted,confidence"]
    correct = 0
    for index in range(1, count + 1):
        label = rng.choice(CLASSES)
        hit = rng.random() < 0.83
        predicted = label if hit else rng.choice([c for c in CLASSES if c != label])
        correct += hit
        confidence = rng.uniform(0.55, 0.99) if hit else rng.uniform(0.34, 0.9)
        lines.append(f"img_{index:05d},{label},{predicted},{confidence:.3f}")
    out = Path(outdir)
    (out / "predictions.csv").write_text("\n".join(lines) + "\n")
    truth = {"kind": "float", "answer": round(correct / count, 8), "tolerance": 0.00006}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
