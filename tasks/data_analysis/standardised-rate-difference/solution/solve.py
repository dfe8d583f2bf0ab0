"""Reference answer: per-segment B-minus-A order rates, weighted by each segment's share of all
visitors (direct standardisation), in percentage points."""

import csv
from pathlib import Path

with open("summary.csv", newline="") as handle:
    rows = list(csv.DictReader(handle))
everyone = sum(int(r["visitors"]) for r in rows)
total = 0.0
for segment in sorted({r["segment"] for r in rows}):
    rate = {r["variant"]: int(r["orders"]) / int(r["visitors"]) for r in rows if r["segment"] == segment}
    weight = sum(int(r["visitors"]) for r in rows if r["segment"] == segment) / everyone
    total += weight * (rate["B"] - rate["A"])
Path("submission.txt").write_text(f"{100 * total:.2f}\n")
