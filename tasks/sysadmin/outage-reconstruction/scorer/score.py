#!/usr/bin/env python3
"""Scorer for outage-reconstruction. Half the score is the corrected configuration set: every
file that differs from what it should be (backup + implemented tickets, truth.json) must be in
corrected/<host><path> with the right sections and keys (comments, blank lines and spacing around
`=` do not matter); a corrected file for a host that needed nothing counts against the score
when it is wrong. The other half is the timeline's F1: rows of timeline.csv matched one to one
with the true events on host, kind and subject, within 2 seconds in UTC, and for failures with
the right root cause."""

import csv
import json
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOLERANCE_S = 2


def parse_ini(text: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            out.setdefault(section, {})
        elif "=" in line:
            key, value = line.split("=", 1)
            out.setdefault(section, {})[key.strip()] = value.strip()
        else:
            out.setdefault(section, {})[line] = ""
    return out


def when(text: str) -> float | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ").timestamp()
    except ValueError:
        return None


def config_part(truth: dict) -> float:
    passed, total = 0, len(truth["needs_fix"])
    for host, path in sorted(truth["paths"].items()):
        want = parse_ini(truth["expected"][host])
        file = Path("corrected") / host / path.lstrip("/")
        try:
            got = parse_ini(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            got = None
        if host in truth["needs_fix"]:
            ok = got == want
            passed += ok
            print(f"config {host}{path}: {'right' if ok else 'missing' if got is None else 'wrong'}")
        elif got is not None and got != want:
            total += 1
            print(f"config {host}{path}: changed but wrong (it needed no fix)")
    return passed / total if total else 0.0


def timeline_part(truth: dict) -> float:
    events = [dict(e, t=when(e["time"])) for e in truth["timeline"]]
    rows = []
    try:
        with open("timeline.csv", newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                if len(row) >= 4 and when(row[0]) is not None:
                    rows.append({"t": when(row[0]), "host": row[1].strip(), "kind": row[2].strip(),
                                 "subject": row[3].strip(), "cause": (row[4] if len(row) > 4 else "").strip()})
    except (OSError, UnicodeDecodeError, csv.Error):
        rows = []
    used: set[int] = set()
    matched = 0
    for e in events:
        best = None
        for i, r in enumerate(rows):
            if i in used or (r["host"], r["kind"], r["subject"]) != (e["host"], e["kind"], e["subject"]):
                continue
            if e["kind"] == "fail" and r["cause"] != e["cause"]:
                continue
            gap = abs(r["t"] - e["t"])
            if gap <= TOLERANCE_S and (best is None or gap < abs(rows[best]["t"] - e["t"])):
                best = i
        if best is not None:
            used.add(best)
            matched += 1
    precision = matched / len(rows) if rows else 0.0
    recall = matched / len(events)
    print(f"timeline: {matched} of {len(events)} events matched, {len(rows)} rows given")
    return 2 * precision * recall / (precision + recall) if matched else 0.0


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    cfg = config_part(truth)
    tl = timeline_part(truth)
    print(f"configs {cfg:.3f}, timeline F1 {tl:.3f}")
    print(round(0.5 * cfg + 0.5 * tl, 4))


main()
