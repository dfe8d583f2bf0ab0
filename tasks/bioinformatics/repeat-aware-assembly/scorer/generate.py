"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes pe_1.fasta, pe_2.fasta, jump_1.fasta and jump_2.fasta (environment: two read libraries)
and genome.fasta (scorer: the true chromosome, with the list of its repeats in the header).

The chromosome is 40 kb, linear, random with a little GC drift, and holds the repeats that make
assembly hard: an 1,100 bp element in three identical copies (one of them reverse-complemented),
a 500 bp element in two identical copies, a 700 bp element in two copies that differ at 8
scattered positions (about 1%), and a tandem array of six 41 bp units. Reads are 100 bp with
substitution errors (0.4% on read 1, 0.8% on read 2). The paired-end library has inserts of
400 +- 30 bp at about 30x; the jump library has inserts of 3,000 +- 250 bp at about 8x and 2%
chimeric pairs whose two reads come from unrelated places. Both are written FR: read 1 is the
fragment's first 100 bases, read 2 the reverse complement of its last 100 bases, and a fragment
comes from either strand of the chromosome.
"""

import random
import sys
from pathlib import Path

SEED = 90_210_777
LENGTH = 40_000
READ = 100
COMP = str.maketrans("ACGT", "TGCA")


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


def rand_seq(rng: random.Random, n: int) -> str:
    out, gc = [], 0.5
    for _ in range(n):
        gc = min(0.65, max(0.35, gc + rng.uniform(-0.01, 0.01)))
        out.append(rng.choice("GC") if rng.random() < gc else rng.choice("AT"))
    return "".join(out)


def mutate(rng: random.Random, read: str, rate: float) -> str:
    bases = list(read)
    for i, b in enumerate(bases):
        if rng.random() < rate:
            bases[i] = rng.choice([c for c in "ACGT" if c != b])
    return "".join(bases)


def library(rng, genome, pairs, mean, sd, err, chimera):
    one, two = [], []
    n = len(genome)
    for i in range(pairs):
        size = max(2 * READ + 20, round(rng.gauss(mean, sd)))
        start = rng.randrange(0, n - size + 1)
        frag = genome[start : start + size]
        if rng.random() < 0.5:
            frag = revcomp(frag)
        r1, r2 = frag[:READ], revcomp(frag[-READ:])
        if rng.random() < chimera:
            other = rng.randrange(0, n - READ)
            r2 = genome[other : other + READ]
            if rng.random() < 0.5:
                r2 = revcomp(r2)
        one.append(f">p{i + 1:05d}/1\n{mutate(rng, r1, err[0])}")
        two.append(f">p{i + 1:05d}/2\n{mutate(rng, r2, err[1])}")
    return "\n".join(one) + "\n", "\n".join(two) + "\n"


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    r1100 = rand_seq(rng, 1100)
    r500 = rand_seq(rng, 500)
    r700 = rand_seq(rng, 700)
    r700b = list(r700)
    for p in rng.sample(range(30, 670), 8):
        r700b[p] = rng.choice([c for c in "ACGT" if c != r700b[p]])
    unit = rand_seq(rng, 41)
    pieces = [
        ("R1100a", r1100),
        ("R500a", r500),
        ("R700a", r700),
        ("R1100b", revcomp(r1100)),
        ("TANDEM", unit * 6),
        ("R500b", r500),
        ("R1100c", r1100),
        ("R700b", "".join(r700b)),
    ]
    repeat_len = sum(len(p) for _, p in pieces)
    gaps = len(pieces) + 1
    unique_total = LENGTH - repeat_len
    cuts = sorted(rng.sample(range(800, unique_total - 800), gaps - 1))
    bounds = [0] + cuts + [unique_total]
    sizes = [b - a for a, b in zip(bounds, bounds[1:])]
    while min(sizes) < 1200:  # keep every unique stretch longer than the jump insert's spread
        cuts = sorted(rng.sample(range(800, unique_total - 800), gaps - 1))
        bounds = [0] + cuts + [unique_total]
        sizes = [b - a for a, b in zip(bounds, bounds[1:])]
    genome, where = "", []
    for k, size in enumerate(sizes):
        genome += rand_seq(rng, size)
        if k < len(pieces):
            where.append(f"{pieces[k][0]}:{len(genome) + 1}-{len(genome) + len(pieces[k][1])}")
            genome += pieces[k][1]
    assert len(genome) == LENGTH
    pe = library(rng, genome, 6000, 400, 30, (0.004, 0.008), 0.0)
    jump = library(rng, genome, 1600, 3000, 250, (0.004, 0.008), 0.02)
    out = Path(outdir)
    (out / "pe_1.fasta").write_text(pe[0])
    (out / "pe_2.fasta").write_text(pe[1])
    (out / "jump_1.fasta").write_text(jump[0])
    (out / "jump_2.fasta").write_text(jump[1])
    lines = [">chrA repeats " + " ".join(where)] + [genome[i : i + 80] for i in range(0, LENGTH, 80)]
    (out / "genome.fasta").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
