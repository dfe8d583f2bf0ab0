#!/usr/bin/env python3
"""Scorer for monthly-retention-cohorts: compares retention.csv with expected.csv (made by
generate.py) cell by cell: six cohorts times seven numbers (cohort size and m0..m5). A rate
counts when it is within 0.00015 of the expected one (four decimals, with rounding slack).
The score is the fraction of the 42 cells that match."""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["users", "m0", "m1", "m2", "m3", "m4", "m5"]


def main() -> None:
    with open(HERE / "expected.csv", newline="") as fh:
        expected = {row["cohort"]: row for row in csv.DictReader(fh)}
    total = len(expected) * len(COLUMNS)
    path = Path("retention.csv")
    if not path.is_file():
        print("retention.csv is missing")
        print(0.0)
        return
    got: dict[str, dict[str, str]] = {}
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            for row in csv.DictReader(fh):
                key = (row.get("cohort") or "").strip()
                if key in expected and key not in got:
                    got[key] = row
    except (csv.Error, UnicodeError) as exc:
        print(f"retention.csv is unreadable: {exc}")
        print(0.0)
        return
    right = 0
    for cohort, want in expected.items():
        have = got.get(cohort)
        if have is None:
            print(f"{cohort}: missing")
            continue
        for col in COLUMNS:
            try:
                value = float((have.get(col) or "").strip())
            except ValueError:
                continue
            tol = 1e-9 if col == "users" else 0.00015
            if abs(value - float(want[col])) <= tol:
                right += 1
            else:
                print(f"{cohort} {col}: got {value}, wrong")
    print(f"{right}/{total} cells right")
    print(round(right / total, 4))


main()
