"""Reference analysis: normalise labels, drop internal traffic, keep each session once, then
compare B with A within each platform and weight by the platforms' shares of clean sessions."""

import csv
import json
from pathlib import Path

LABELS = {"A": "A", "B": "B", "control": "A", "treatment": "B"}


def load() -> list[tuple[str, str, int]]:
    seen: set[str] = set()
    rows = []
    for path in sorted(Path(".").glob("sessions_day*.csv")):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["traffic_source"] == "internal" or row["session_id"] in seen:
                    continue
                seen.add(row["session_id"])
                rows.append((row["platform"], LABELS[row["variant"]], int(row["converted"])))
    return rows


def diff_pp(rows: list[tuple[str, str, int]]) -> float:
    rates = {}
    for variant in "AB":
        hits = [c for _, v, c in rows if v == variant]
        rates[variant] = sum(hits) / len(hits)
    return 100 * (rates["B"] - rates["A"])


def main() -> None:
    rows = load()
    by_platform = {p: diff_pp([r for r in rows if r[0] == p]) for p in ("web", "android", "ios")}
    shares = {p: sum(1 for r in rows if r[0] == p) / len(rows) for p in by_platform}
    answer = {
        "clean_sessions": len(rows),
        "naive_effect_pp": round(diff_pp(rows), 3),
        "adjusted_effect_pp": round(sum(shares[p] * by_platform[p] for p in by_platform), 3),
        "effect_by_platform_pp": {p: round(v, 3) for p, v in by_platform.items()},
        "harmed_platforms": [p for p, v in by_platform.items() if v < 0],
    }
    Path("answer.json").write_text(json.dumps(answer, indent=2) + "\n")


main()
