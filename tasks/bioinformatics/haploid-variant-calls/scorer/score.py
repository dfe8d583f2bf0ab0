#!/usr/bin/env python3
"""Scorer for haploid-variant-calls: reads variants.vcf from the work directory (VCF body lines:
CHROM POS ID REF ALT ..., tab- or space-separated; header lines start with #) and compares the
set of (POS, REF, ALT) with truth.vcf. Alleles are compared as written (upper-cased), so indels
must be left-aligned and anchored as the instructions say. Score: F1; 0.0 when the file is
missing or has no variant lines."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def calls(text: str) -> set[tuple[int, str, str]]:
    found = set()
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 5:
            continue
        try:
            pos = int(parts[1])
        except ValueError:
            continue
        for alt in parts[4].upper().split(","):
            found.add((pos, parts[3].upper(), alt))
    return found


def main() -> None:
    truth = calls((HERE / "truth.vcf").read_text())
    path = Path("variants.vcf")
    if not path.is_file():
        print("variants.vcf is missing")
        print(0.0)
        return
    got = calls(path.read_text(encoding="utf-8", errors="replace")[:5_000_000])
    if not got:
        print("variants.vcf holds no variant lines")
        print(0.0)
        return
    right = truth & got
    snp = sum(1 for v in right if len(v[1]) == len(v[2]) == 1)
    precision, recall = len(right) / len(got), len(right) / len(truth)
    f1 = 0.0 if not right else 2 * precision * recall / (precision + recall)
    print(f"{len(got)} calls, {len(truth)} true variants, {len(right)} right ({snp} SNPs)")
    print(round(f1, 4))


main()
