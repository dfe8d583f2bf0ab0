#!/usr/bin/env python3
"""Scorer for stiff-kinetics: concentrations.csv must give, at every output time, the four
concentrations within a relative 1e-4 (plus 1e-14 absolute) of truth.json (generate.py's
Radau IIA reference at rtol 1e-11). Score: the fraction of the 24 values that match."""

import csv
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
RTOL, ATOL = 1e-4, 1e-14


def main() -> None:
    """Print one line per mismatch, then the score."""
    truth = json.loads((HERE / "truth.json").read_text())
    want: dict[str, float] = truth["values"]
    path = Path("concentrations.csv")
    if not path.is_file():
        print("concentrations.csv is missing")
        print(0.0)
        return
    got: dict[str, float] = {}
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            for row in csv.DictReader(handle):
                t = float(row["time"])
                match = [tt for tt in truth["times"] if abs(tt - t) <= 1e-9 * tt]
                if not match:
                    continue
                for species in "ABCD":
                    got[f"{species}@{match[0]:g}"] = float(row[species])
    except (ValueError, KeyError, TypeError, csv.Error) as exc:
        print(f"unreadable concentrations.csv: {exc}")
        print(0.0)
        return
    good = 0
    for key, ref in want.items():
        value = got.get(key)
        if value is not None and math.isfinite(value) and abs(value - ref) <= RTOL * abs(ref) + ATOL:
            good += 1
        else:
            print(f"{key}: got {value}, outside tolerance")
    print(f"{good}/{len(want)} values within tolerance")
    print(round(good / len(want), 4))


main()
