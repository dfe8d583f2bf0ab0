"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes contigs.fasta (environment: a dozen records, wrapped at 60 columns, partly soft-masked in
lower case, with runs of N) and truth.json (scorer: the GC-richest record and its GC percentage,
G+C over A+C+G+T). Records are redrawn until the richest one is unique by a clear margin and both
common slips (counting N in the denominator, or counting only upper-case letters) change the
answer's value by more than 0.05 points.
"""

import json
import random
import sys
from pathlib import Path

SEED = 40_417


def record(rng: random.Random) -> str:
    """One record: GC level drawn per record, soft-masked stretches, runs of N."""
    gc = rng.uniform(0.35, 0.62)
    length = rng.randint(900, 3200)
    seq = [rng.choice("GC") if rng.random() < gc else rng.choice("AT") for _ in range(length)]
    for _ in range(rng.randint(1, 4)):
        start = rng.randrange(0, length - 200)
        for i in range(start, start + rng.randint(40, 180)):
            seq[i] = seq[i].lower()
    for _ in range(rng.randint(0, 3)):
        start = rng.randrange(0, length - 120)
        for i in range(start, start + rng.randint(20, 110)):
            seq[i] = "N"
    return "".join(seq)


def gc_percent(seq: str) -> float:
    up = seq.upper()
    acgt = sum(up.count(b) for b in "ACGT")
    return 100 * (up.count("G") + up.count("C")) / acgt


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    while True:
        names = [f"ctg{rng.randint(100, 999)}_{i}" for i in range(1, 13)]
        seqs = [record(rng) for _ in names]
        values = sorted(((gc_percent(s), n, s) for n, s in zip(names, seqs)), reverse=True)
        best, second = values[0], values[1]
        s = best[2]
        with_n = 100 * (s.upper().count("G") + s.upper().count("C")) / len(s)
        upper_only = 100 * (s.count("G") + s.count("C")) / max(1, sum(s.count(b) for b in "ACGT"))
        if (
            best[0] - second[0] > 0.8
            and names.index(best[1]) >= 4
            and "N" in s
            and abs(with_n - best[0]) > 0.05
            and abs(upper_only - best[0]) > 0.05
        ):
            break
    lines = []
    for name, seq in zip(names, seqs):
        lines.append(f">{name} sample=soil-7 len={len(seq)}")
        lines.extend(seq[i : i + 60] for i in range(0, len(seq), 60))
    out = Path(outdir)
    (out / "contigs.fasta").write_text("\n".join(lines) + "\n")
    truth = {"record": best[1], "gc_percent": round(best[0], 4)}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
