#!/usr/bin/env python3
"""Scorer for orf-census: reads orfs.tsv from the work directory (strand, start, end, protein per
line, tab-separated; a header line is allowed) and compares the set of ORFs with truth.tsv. An
ORF counts when strand, start, end and protein all match. Score: F1 of the matched set (so extra
rows cost as much as missing ones); 0.0 when the file is missing or holds no rows."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def rows(text: str) -> set[tuple[str, int, int, str]]:
    found = set()
    for line in text.splitlines():
        parts = line.strip().split()
        if len(parts) < 4 or parts[0] not in "+-" or len(parts[0]) != 1:
            continue
        try:
            start, end = int(parts[1]), int(parts[2])
        except ValueError:
            continue
        found.add((parts[0], start, end, parts[3].upper().rstrip("*")))
    return found


def main() -> None:
    truth = rows((HERE / "truth.tsv").read_text())
    path = Path("orfs.tsv")
    if not path.is_file():
        print("orfs.tsv is missing")
        print(0.0)
        return
    got = rows(path.read_text(encoding="utf-8", errors="replace")[:5_000_000])
    if not got:
        print("orfs.tsv holds no readable rows")
        print(0.0)
        return
    right = len(truth & got)
    coords = len({t[:3] for t in truth} & {g[:3] for g in got})
    precision, recall = right / len(got), right / len(truth)
    f1 = 0.0 if right == 0 else 2 * precision * recall / (precision + recall)
    print(f"{len(got)} rows, {len(truth)} true ORFs, {coords} with right coordinates, {right} fully right")
    print(round(f1, 4))


main()
