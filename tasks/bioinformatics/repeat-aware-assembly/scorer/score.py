#!/usr/bin/env python3
"""Scorer for repeat-aware-assembly: reads assembly.fasta from the work directory. The true
chromosome is cut into 1,500 bp windows starting every 500 bp (78 windows, so every repeat copy
and both of its junctions lie inside windows that reach into unique sequence on both sides). A
window counts when it occurs exactly, on either strand, inside one sequence of the assembly.
Score: the fraction of windows found, times min(1, 42,000 / total assembly length) so that an
assembly may not buy windows by listing every possible path (the chromosome is 40,000 bp).
0.0 when the file is missing or holds no sequence."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
WINDOW, STEP, ALLOWED = 1500, 500, 42_000
COMP = str.maketrans("ACGT", "TGCA")


def fasta(text: str) -> list[str]:
    seqs: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith(">"):
            seqs.append([])
        elif line.strip() and seqs:
            seqs[-1].append(line.strip().upper())
    return ["".join(s) for s in seqs if s]


def main() -> None:
    genome = fasta((HERE / "genome.fasta").read_text())[0]
    path = Path("assembly.fasta")
    if not path.is_file():
        print("assembly.fasta is missing")
        print(0.0)
        return
    contigs = fasta(path.read_text(encoding="utf-8", errors="replace")[:20_000_000])
    total = sum(len(c) for c in contigs)
    if total == 0:
        print("assembly.fasta holds no sequence")
        print(0.0)
        return
    haystack = "|".join(contigs)
    starts = range(0, len(genome) - WINDOW + 1, STEP)
    found = 0
    for s in starts:
        window = genome[s : s + WINDOW]
        if window in haystack or window.translate(COMP)[::-1] in haystack:
            found += 1
    penalty = min(1.0, ALLOWED / total)
    print(f"{len(contigs)} sequences, {total} bp; {found} of {len(starts)} windows found; length factor {penalty:.3f}")
    print(round(found / len(starts) * penalty, 4))


main()
