"""Regenerates the assembly task: python3 generate.py OUTDIR. Deterministic (fixed seed).

The isolate's genome: a circular chromosome and two circular plasmids. Its chromosome is a
relative of the given reference chromosome: about 1.2% substitutions, short indels, a genomic
island the reference lacks, a deletion, and an inversion of the segment between two inverted
copies of an insertion element. Repeats: an insertion element (IS, 1,250 bp) in several copies
on the chromosome and both plasmids (one copy reversed), two near-identical 3 kb operon copies,
and a tandem array. The small plasmid has four times the copy number.

Reads: paired short reads (2 x 100 bp, fragments of about 350 bp, substitutions and rare indels),
and a few long reads (2-14 kb, about 8% errors: substitutions, insertions, deletions).

Writes reference.fasta, short_pairs_1.txt to short_pairs_3.txt, long_reads.txt (for the agent),
truth.fasta (the isolate's replicons) and truth.json (the inversion on the reference).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 4800_2026
COMP = str.maketrans("ACGT", "TGCA")
CHROM, PLASMID_A, PLASMID_B = 112_000, 17_500, 5_200
IS_LEN, OPERON_LEN = 1_250, 3_000
SHORT_COVERAGE, LONG_COVERAGE = 14, 3
READ_LEN, FRAG_MEAN, FRAG_SD = 100, 350, 30


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


def rand_seq(rng: random.Random, n: int, gc: float = 0.5) -> str:
    return "".join(rng.choices("ACGT", weights=[1 - gc, gc, gc, 1 - gc], k=n))


def mutate(rng: random.Random, s: str, rate: float) -> str:
    out = list(s)
    for i in range(len(out)):
        if rng.random() < rate:
            out[i] = rng.choice([b for b in "ACGT" if b != out[i]])
    return "".join(out)


def wrap(seq: str, width: int = 80) -> str:
    return "\n".join(seq[i:i + width] for i in range(0, len(seq), width))


def build(out: Path) -> None:
    rng = random.Random(SEED)
    is_elem = rand_seq(rng, IS_LEN, 0.55)
    operon = rand_seq(rng, OPERON_LEN, 0.53)
    unit = rand_seq(rng, 37)
    # The ancestral chromosome as a list of pieces: ("u", length) unique, or repeat strings.
    backbone = rand_seq(rng, CHROM, 0.49)
    # Repeat positions on the ancestor (sorted, well apart).
    pos = {"is1": 9_000, "inv_left": 30_000, "inv_right": 41_500, "operon1": 55_000,
           "is3": 68_000, "tandem": 80_000, "operon2": 92_000, "island": 100_000, "del": 21_000}
    # Build the reference (ancestor) with its repeats.
    ref_parts: list[str] = []
    marks: dict[str, tuple[int, int]] = {}
    cursor = 0
    events = [("is1", is_elem), ("del", None), ("inv_left", is_elem), ("inv_right", revcomp(is_elem)),
              ("operon1", operon), ("is3", is_elem), ("tandem", unit * 9),
              ("operon2", mutate(rng, operon, 0.0008)), ("island", None)]
    for key, insert in sorted(events, key=lambda e: pos[e[0]]):
        ref_parts.append(backbone[cursor:pos[key]])
        start = sum(map(len, ref_parts))
        if insert is not None:
            ref_parts.append(mutate(rng, insert, 0.002))
        marks[key] = (start, start + (len(insert) if insert else 0))
        cursor = pos[key]
    ref_parts.append(backbone[cursor:])
    reference = "".join(ref_parts)
    # The isolate: diverged copy of the reference with structural changes.
    inv_start = marks["inv_left"][1]     # first base after the left IS copy (0-based)
    inv_end = marks["inv_right"][0]      # first base of the right IS copy
    deletion = (marks["del"][0], marks["del"][0] + 1_400)
    island_at = marks["island"][0]
    island = rand_seq(rng, 3_100, 0.40)
    pieces = []
    i = 0
    while i < len(reference):
        if i == deletion[0]:
            i = deletion[1]
            continue
        if i == inv_start:
            segment = reference[inv_start:inv_end]
            pieces.append(revcomp(segment))
            i = inv_end
            continue
        if i == island_at:
            pieces.append(island)
        nxt = min(x for x in (deletion[0], inv_start, island_at, len(reference)) if x > i)
        pieces.append(reference[i:nxt])
        i = nxt
    iso = "".join(pieces)
    # point differences and short indels anywhere (repeat copies included)
    iso_list = list(mutate(rng, iso, 0.012))
    for _ in range(60):
        p = rng.randrange(len(iso_list))
        if rng.random() < 0.5:
            iso_list.insert(p, rng.choice("ACGT") * rng.randint(1, 3))
        else:
            del iso_list[p:p + rng.randint(1, 3)]
    chromosome = "".join(iso_list)
    rot = rng.randrange(len(chromosome))
    chromosome = chromosome[rot:] + chromosome[:rot]
    plasmid_a = rand_seq(rng, 8_000, 0.44) + mutate(rng, is_elem, 0.002) + rand_seq(rng, PLASMID_A - 8_000 - IS_LEN, 0.44)
    plasmid_b = rand_seq(rng, 2_000, 0.47) + revcomp(mutate(rng, is_elem, 0.002)) + rand_seq(rng, PLASMID_B - 2_000 - IS_LEN, 0.47)
    replicons = [("chromosome", chromosome, 1), ("plasmid_A", plasmid_a, 1), ("plasmid_B", plasmid_b, 4)]

    # reads
    weights = [len(s) * copies for _, s, copies in replicons]
    total = sum(len(s) for _, s, _ in replicons)

    def fragment(length: int) -> str:
        _, seq, _ = rng.choices(replicons, weights=weights)[0]
        start = rng.randrange(len(seq))
        piece = (seq + seq)[start:start + length] if length < len(seq) else seq
        return piece if rng.random() < 0.5 else revcomp(piece)

    def short_errors(s: str) -> str:
        out = []
        for b in s:
            x = rng.random()
            if x < 0.004:
                out.append(rng.choice([c for c in "ACGT" if c != b]))
            elif x < 0.0042:
                out.append(b + rng.choice("ACGT"))
            elif x < 0.0044:
                continue
            else:
                out.append(b)
        return "".join(out)[:READ_LEN].ljust(READ_LEN, "A")

    n_pairs = SHORT_COVERAGE * total // (2 * READ_LEN)
    pairs = []
    for _ in range(n_pairs):
        frag = fragment(max(2 * READ_LEN, int(rng.gauss(FRAG_MEAN, FRAG_SD))))
        pairs.append((short_errors(frag[:READ_LEN + 3]), short_errors(revcomp(frag)[:READ_LEN + 3])))
    longs = []
    target = LONG_COVERAGE * total
    made = 0
    while made < target:
        frag = fragment(int(min(14_000, max(2_000, rng.lognormvariate(8.6, 0.45)))))
        noisy = []
        for b in frag:
            x = rng.random()
            if x < 0.03:
                noisy.append(rng.choice([c for c in "ACGT" if c != b]))
            elif x < 0.055:
                noisy.append(b + rng.choice("ACGT"))
            elif x < 0.08:
                continue
            else:
                noisy.append(b)
        longs.append("".join(noisy))
        made += len(frag)

    out.mkdir(parents=True, exist_ok=True)
    (out / "reference.fasta").write_text(">reference_chromosome\n" + wrap(reference) + "\n")
    third = len(pairs) // 3 + 1
    for k in range(3):
        chunk = pairs[k * third:(k + 1) * third]
        (out / f"short_pairs_{k + 1}.txt").write_text("".join(f"{a} {b}\n" for a, b in chunk))
    (out / "long_reads.txt").write_text("".join(r + "\n" for r in longs))
    (out / "truth.fasta").write_text("".join(f">{n} circular copies={c}\n{wrap(s)}\n" for n, s, c in replicons))
    (out / "truth.json").write_text(json.dumps({
        "inversion_ref_1based": [inv_start + 1, inv_end],
        "reference_length": len(reference),
        "deletion_ref_1based": [deletion[0] + 1, deletion[1]],
        "island_after_ref_1based": island_at,
        "chromosome_rotation": rot,
        "lengths": {n: len(s) for n, s, _ in replicons},
        "short_pairs": len(pairs),
        "long_reads": len(longs),
    }, indent=1) + "\n")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
