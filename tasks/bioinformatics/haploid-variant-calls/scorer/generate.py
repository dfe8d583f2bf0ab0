"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes reference.fasta and reads.fasta (environment) and truth.vcf (scorer).

The reference is a 20 kb random chromosome with a few homopolymers and short tandem repeats and
one 260 bp segment present twice. The sample is haploid: it differs from the reference by SNPs
(two pairs of them only 2-3 bp apart), insertions and deletions of 1-6 bp, several of them in a
homopolymer or tandem repeat so that the indel's position is ambiguous until left-aligned. No
variant lies in the duplicated segment or within 150 bp of either end. Reads are 100 bp, drawn
uniformly from the sample at about 25x, from either strand (reverse-complemented when from the
minus strand), with substitution errors whose rate grows along the read (0.3% to 2.5%, about 1%
on average); 2% of the reads are contamination that matches nothing.

truth.vcf holds every variant in the VCF convention, left-aligned: an indel is written with the
base before it as anchor and shifted as far left as the repeat allows.
"""

import random
import sys
from pathlib import Path

SEED = 5_150_021
LENGTH = 20_000
READ = 100
COMP = str.maketrans("ACGT", "TGCA")


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


def rand_seq(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("AACCGGTTACGT") for _ in range(n))


def left_delete(ref: str, p: int, length: int) -> tuple[int, str, str]:
    """Deleting ref[p:p+length] (0-based), left-aligned, as (POS, REF, ALT)."""
    while p > 1 and ref[p - 1] == ref[p + length - 1]:
        p -= 1
    return p, ref[p - 1 : p + length], ref[p - 1]


def left_insert(ref: str, p: int, ins: str) -> tuple[int, str, str]:
    """Inserting ins before ref[p] (0-based), left-aligned, as (POS, REF, ALT)."""
    while p > 1 and ref[p - 1] == ins[-1]:
        ins = ins[-1] + ins[:-1]
        p -= 1
    return p, ref[p - 1], ref[p - 1] + ins


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    ref = list(rand_seq(rng, LENGTH))
    dup = "".join(ref[4000:4260])
    ref[13000:13260] = dup  # the duplicated segment
    forbidden = [(3950, 4310), (12950, 13310)]
    # candidate sites, at least 70 bp apart
    sites: list[int] = []
    while len(sites) < 75:
        p = rng.randrange(150, LENGTH - 150)
        if all(abs(p - q) >= 70 for q in sites) and not any(a <= p <= b for a, b in forbidden):
            sites.append(p)
    sites.sort()
    kinds = ["snp"] * 49 + ["pair"] * 2 + ["ins"] * 6 + ["del"] * 6 + ["ins_rep"] * 6 + ["del_rep"] * 6
    rng.shuffle(kinds)
    variants: list[tuple[int, str, str]] = []
    for p, kind in zip(sites, kinds):
        if kind.endswith("_rep"):  # write a homopolymer or a dinucleotide repeat around p
            unit = rng.choice(["A", "C", "G", "T", "CA", "AT", "GT", "AG"])
            run = (unit * 12)[: rng.randint(6, 11)]
            ref[p - 3 : p - 3 + len(run)] = run
            if ref[p - 4] == run[-1]:
                ref[p - 4] = "G" if run[-1] != "G" else "C"
            if ref[p - 3 + len(run)] == run[0]:
                ref[p - 3 + len(run)] = "T" if run[0] != "T" else "A"
            size = len(unit) * rng.randint(1, 2)
            text = "".join(ref)
            if kind == "ins_rep":
                variants.append(left_insert(text, p + 1, run[1 : 1 + size] if len(unit) == 1 else unit * (size // 2)))
            else:
                variants.append(left_delete(text, p + 1, size))
            continue
        text = "".join(ref)
        if kind == "snp":
            variants.append((p + 1, ref[p], rng.choice([b for b in "ACGT" if b != ref[p]])))
        elif kind == "pair":
            q = p + rng.randint(2, 3)
            variants.append((p + 1, ref[p], rng.choice([b for b in "ACGT" if b != ref[p]])))
            variants.append((q + 1, ref[q], rng.choice([b for b in "ACGT" if b != ref[q]])))
        elif kind == "ins":
            variants.append(left_insert(text, p, rand_seq(rng, rng.randint(1, 6))))
        else:
            variants.append(left_delete(text, p, rng.randint(1, 6)))
    reference = "".join(ref)
    # variants were computed against intermediate texts; recheck against the final reference
    for pos, r, _ in variants:
        assert reference[pos - 1 : pos - 1 + len(r)] == r, (pos, r)
    variants.sort()
    sample = reference
    for pos, r, a in reversed(variants):
        sample = sample[: pos - 1] + a + sample[pos - 1 + len(r) :]
    reads = []
    n_reads = 25 * len(sample) // READ
    for i in range(n_reads):
        start = rng.randrange(0, len(sample) - READ + 1)
        read = sample[start : start + READ]
        if rng.random() < 0.5:
            read = revcomp(read)
        if rng.random() < 0.02:
            read = rand_seq(rng, READ)
        bases = list(read)
        for j in range(READ):
            if rng.random() < 0.003 + 0.022 * j / READ:
                bases[j] = rng.choice([b for b in "ACGT" if b != bases[j]])
        reads.append(f">read{i + 1:05d}\n{''.join(bases)}")
    out = Path(outdir)
    lines = [">chrS1"] + [reference[i : i + 80] for i in range(0, LENGTH, 80)]
    (out / "reference.fasta").write_text("\n".join(lines) + "\n")
    (out / "reads.fasta").write_text("\n".join(reads) + "\n")
    vcf = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    vcf += [f"chrS1\t{pos}\t.\t{r}\t{a}\t.\tPASS\t." for pos, r, a in variants]
    (out / "truth.vcf").write_text("\n".join(vcf) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
