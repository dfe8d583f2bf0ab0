"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes reads.fasta (environment: FASTA records with sequences wrapped at 60 columns and
headers carrying descriptions) and truth.json (scorer: the number of records).
"""

import json
import random
import sys
from pathlib import Path

SEED = 72_411
GENES = ["rpoB", "gyrA", "recA", "dnaK", "atpD", "tufA", "rplB", "secY", "infB", "pheS"]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    count = rng.randint(140, 220)
    lines = []
    for number in range(1, count + 1):
        length = rng.randint(90, 700)
        sequence = "".join(rng.choice("ACGT") for _ in range(length))
        gene = rng.choice(GENES)
        lines.append(f">isolate{rng.randint(1, 40):02d}_{number:04d} {gene} partial cds length={length}")
        lines.extend(sequence[i : i + 60] for i in range(0, length, 60))
    out = Path(outdir)
    (out / "reads.fasta").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(json.dumps({"kind": "int", "answer": count}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
