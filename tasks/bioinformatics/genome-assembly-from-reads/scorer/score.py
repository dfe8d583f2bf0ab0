#!/usr/bin/env python3
"""Scorer for genome-assembly-from-reads. Reads assembly.fasta and inversion.txt in the work
directory and compares them with truth.fasta and truth.json (made by generate.py):

* each true replicon (all circular) is cut into 1,500 bp windows starting every 500 bp (windows
  wrap around the origin); a window counts when at least 97% of its 31-mers (either strand)
  occur in one single sequence of the assembly (about one error per 1.5 kb at most);
* coverage = windows counted / all windows, times min(1, 1.05 x genome length / assembly length)
  so that listing variants of the same region does not pay;
* the inversion counts when both reported ends (1-based reference coordinates) are within
  100 bp of the true ones;
* score = 0.85 x coverage + 0.15 x inversion. Missing or unreadable assembly: 0.0.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
K, WINDOW, STEP, NEED, TOL = 31, 1500, 500, 0.97, 100
MAX_BASES = 2_000_000
COMP = str.maketrans("ACGTacgt", "TGCAtgca")


def read_fasta(text: str) -> list[tuple[str, str]]:
    records: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(">"):
            records.append((line[1:], []))
        elif line and records:
            records[-1][1].append(line.upper())
    return [(name, "".join(parts)) for name, parts in records]


def canonical(kmer: str) -> str:
    rc = kmer.translate(COMP)[::-1]
    return min(kmer, rc)


def coverage(truth: list[tuple[str, str]], contigs: list[str]) -> tuple[int, int]:
    index: dict[str, list[int]] = {}
    for cid, seq in enumerate(contigs):
        for i in range(len(seq) - K + 1):
            ids = index.setdefault(canonical(seq[i:i + K]), [])
            if not ids or ids[-1] != cid:
                ids.append(cid)
    found = total = 0
    for _name, seq in truth:
        ring = seq + seq[:WINDOW]
        for start in range(0, len(seq), STEP):
            window = ring[start:start + WINDOW]
            total += 1
            counts: dict[int, int] = {}
            n = len(window) - K + 1
            for i in range(n):
                for cid in index.get(canonical(window[i:i + K]), ()):
                    counts[cid] = counts.get(cid, 0) + 1
            if counts and max(counts.values()) >= NEED * n:
                found += 1
    return found, total


def main() -> None:
    try:
        contigs = [s for _, s in read_fasta(Path("assembly.fasta").read_text(encoding="utf-8"))]
    except (OSError, UnicodeDecodeError):
        print("assembly.fasta missing or unreadable")
        print(0.0)
        return
    kept, used = [], 0
    for seq in contigs:
        if used + len(seq) > MAX_BASES:
            break
        kept.append(seq)
        used += len(seq)
    assembly_len = sum(len(s) for s in contigs)
    truth = read_fasta((HERE / "truth.fasta").read_text())
    info = json.loads((HERE / "truth.json").read_text())
    genome_len = sum(len(s) for _, s in truth)
    found, total = coverage(truth, kept)
    factor = min(1.0, 1.05 * genome_len / assembly_len) if assembly_len else 0.0
    cov = found / total * factor
    inversion = 0.0
    try:
        parts = Path("inversion.txt").read_text(encoding="utf-8").split()
        start, end = int(parts[0]), int(parts[1])
        true_start, true_end = info["inversion_ref_1based"]
        if abs(start - true_start) <= TOL and abs(end - true_end) <= TOL:
            inversion = 1.0
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        pass
    print(f"windows {found}/{total}, length factor {factor:.3f}, inversion {inversion:.0f}")
    print(f"{0.85 * cov + 0.15 * inversion:.4f}")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001 - the scorer must always end with a number
        print(f"scorer error: {exc!r}", file=sys.stderr)
        print(0.0)
