#!/usr/bin/env python3
"""Scorer for warehouse-quality-audit: compares findings.csv (check,key) with expected.csv (made
by generate.py). For each of the seventeen checks the score is the F1 of the submitted keys
against the expected ones (1.0 when both are empty); the task's score is the mean over checks.
Rows naming unknown checks are ignored."""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKS = [f"C{i:02d}" for i in range(1, 18)]


def load(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {c: set() for c in CHECKS}
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.DictReader(fh):
            check = (row.get("check") or "").strip().upper()
            if check in out:
                out[check].add((row.get("key") or "").strip())
    return out


def main() -> None:
    want = load(HERE / "expected.csv")
    path = Path("findings.csv")
    try:
        got = load(path)
    except (OSError, csv.Error) as exc:
        print(f"findings.csv is missing or unreadable: {exc}")
        print(0.0)
        return
    total = 0.0
    for check in CHECKS:
        a, b = got[check], want[check]
        hit = len(a & b)
        f1 = 1.0 if not a and not b else 2 * hit / (len(a) + len(b))
        print(f"{check}: {hit} right, {len(a - b)} extra, {len(b - a)} missing, F1 {f1:.3f}")
        total += f1
    print(round(total / len(CHECKS), 4))


main()
