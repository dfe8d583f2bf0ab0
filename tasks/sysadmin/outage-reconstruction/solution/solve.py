#!/usr/bin/env python3
"""Cheap oracle: writes the known answer (solution/truth.json, a copy of the scorer's truth). A
person must do the real work: diff backup + tickets against the hosts, recover the missing
backups from the morning baseline hashes, correct the clocks and attribute the failures."""

import csv
import json
from pathlib import Path

truth = json.loads((Path(__file__).resolve().parent / "truth.json").read_text())
for host in truth["needs_fix"]:
    path = Path("corrected") / host / truth["paths"][host].lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(truth["expected"][host])
with open("timeline.csv", "w", newline="") as fh:
    out = csv.writer(fh)
    out.writerow(["time_utc", "host", "kind", "subject", "cause"])
    for e in truth["timeline"]:
        out.writerow([e["time"], e["host"], e["kind"], e["subject"], e["cause"]])
