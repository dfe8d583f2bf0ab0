"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes fragment.fasta (environment: one 24 kb genomic fragment, wrapped at 70 columns) and
truth.tsv (scorer: every open reading frame as the instructions define it, with its
protein, found by the straightforward six-frame scan below). Planted genes sit on both strands, some overlapping,
some with in-frame ATGs inside them (only the most upstream start counts), some with an
in-frame ATG upstream of a stop (a different, shorter frame), and one on each strand runs off
the fragment's end without a stop (not an ORF). The background is random sequence with
stop-rich codon use, so ORFs arising by chance are rare but possible; they count like any other.
"""

import random
import sys
from pathlib import Path

SEED = 77_310
LENGTH = 24_000
MIN_NT = 300
STOPS = {"TAA", "TAG", "TGA"}
SENSE = [a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT" if a + b + c not in STOPS]
COMP = str.maketrans("ACGT", "TGCA")
BASES = "TCAG"
AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODE = {
    a + b + c: AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(BASES)
    for j, b in enumerate(BASES)
    for k, c in enumerate(BASES)
}


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


def gene(rng: random.Random, codons: int) -> str:
    body = [rng.choice(SENSE) for _ in range(codons - 1)]
    for _ in range(rng.randint(0, 3)):  # in-frame ATGs inside the gene
        body[rng.randrange(5, len(body))] = "ATG"
    return "ATG" + "".join(body) + rng.choice(sorted(STOPS))


def translate(orf: str) -> str:
    return "".join(CODE[orf[i : i + 3]] for i in range(0, len(orf) - 3, 3))


def orfs(seq: str) -> list[tuple[str, int, int, str]]:
    """(strand, start, end, protein) with 1-based inclusive forward coordinates."""
    found = []
    n = len(seq)
    for strand, s in (("+", seq), ("-", revcomp(seq))):
        for frame in range(3):
            start = None
            for i in range(frame, n - 2, 3):
                codon = s[i : i + 3]
                if codon in STOPS:
                    if start is not None and i + 3 - start >= MIN_NT:
                        if strand == "+":
                            found.append(("+", start + 1, i + 3, translate(s[start : i + 3])))
                        else:
                            found.append(("-", n - (i + 3) + 1, n - start, translate(s[start : i + 3])))
                    start = None
                elif codon == "ATG" and start is None:
                    start = i
    return sorted(found, key=lambda o: (o[1], o[2], o[0]))


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    # background: AT-rich with frequent stops on both strands
    seq = list("".join(rng.choice("AATTTAGC") for _ in range(LENGTH)))
    placed = 0
    for k in range(26):
        codons = rng.randint(90, 600)
        g = gene(rng, codons)
        if k % 5 == 4:  # a decoy: in-frame ATG upstream of the stop just before the gene start
            g = "ATG" + "".join(rng.choice(SENSE) for _ in range(20)) + "TAA" + g
        if rng.random() < 0.5:
            g = revcomp(g)
        pos = rng.randrange(200, LENGTH - len(g) - 200)
        seq[pos : pos + len(g)] = g
        placed += 1
    # genes running off each end (no stop before the end)
    tail = "ATG" + "".join(rng.choice(SENSE) for _ in range(180))
    seq[LENGTH - len(tail) :] = tail
    head = revcomp("ATG" + "".join(rng.choice(SENSE) for _ in range(150)))
    seq[: len(head)] = head
    text = "".join(seq)
    found = orfs(text)
    out = Path(outdir)
    lines = [">frag_A17 environmental fragment, 24000 bp"]
    lines += [text[i : i + 70] for i in range(0, len(text), 70)]
    (out / "fragment.fasta").write_text("\n".join(lines) + "\n")
    rows = ["strand\tstart\tend\tprotein"] + ["\t".join(map(str, o)) for o in found]
    (out / "truth.tsv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
