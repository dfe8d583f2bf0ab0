#!/usr/bin/env python3
"""Scorer for campus-timetabling. Reads timetable.txt in the work directory (one line per event:
`EVENT DAY PERIOD ROOM`), checks it against the scorer's own copy of instance.json and compares
its soft penalty with that of the author's planted timetable (planted.txt, zero hard violations).

* Unreadable or missing output: 0.0.
* Any hard violation (counted as in instructions.md): score = 0.3 * max(0, 1 - violations / 200),
  so an infeasible timetable never reaches the threshold.
* Feasible: r = penalty / planted penalty; score = 0.5 + 0.5 * clamp((8 - r) / 6, 0, 1): 1.0 at
  r <= 2, 0.9 at r = 3.2 (the threshold), 0.5 at r >= 8.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_LINES = 20000


def load_instance(path: Path) -> dict:
    return json.loads(path.read_text())


def parse_timetable(text: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in text.splitlines()[:MAX_LINES]:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 4:
            rows.append(("", "", "", ""))  # malformed: counted as a violation
            continue
        rows.append((parts[0], parts[1], parts[2], parts[3]))
    return rows


def evaluate(inst: dict, rows: list[tuple[str, str, str, str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Hard violations by kind and soft penalty by kind."""
    days, periods = inst["days"], inst["periods_per_day"]
    rooms = {r["id"]: r for r in inst["rooms"]}
    lecturers = {lec["id"]: lec for lec in inst["lecturers"]}
    events = {e["id"]: e for e in inst["events"]}
    hard = {k: 0 for k in ("malformed", "unplaced", "duplicate", "room_clash", "lecturer_clash",
                           "group_clash", "capacity", "features", "unavailable", "precedence",
                           "same_day", "different_day")}
    place: dict[str, tuple[int, int, str]] = {}
    for eid, d, p, r in rows:
        if eid not in events or r not in rooms:
            hard["malformed"] += 1
            continue
        try:
            day, per = int(d), int(p)
        except ValueError:
            hard["malformed"] += 1
            continue
        if not (0 <= day < days and 0 <= per and per + events[eid]["duration"] <= periods):
            hard["malformed"] += 1
            continue
        if eid in place:
            hard["duplicate"] += 1
            continue
        place[eid] = (day, per, r)
    hard["unplaced"] = len(events) - len(place)

    room_use: dict[tuple[str, int, int], int] = {}
    lec_use: dict[tuple[str, int, int], int] = {}
    grp_use: dict[tuple[str, int, int], int] = {}
    unavailable = {lid: {tuple(x) for x in lec["unavailable"]} for lid, lec in lecturers.items()}
    disliked = {lid: {tuple(x) for x in lec["disliked"]} for lid, lec in lecturers.items()}
    soft = {k: 0 for k in ("gap", "single", "late", "long_run", "disliked", "lecturer_days")}
    w = inst["weights"]
    lec_days: dict[str, set[int]] = {}
    group_day: dict[tuple[str, int], set[int]] = {}
    for eid, (day, per, r) in place.items():
        e = events[eid]
        room = rooms[r]
        if room["capacity"] < e["size"]:
            hard["capacity"] += 1
        if not set(e["features"]) <= set(room["features"]):
            hard["features"] += 1
        lid = e["lecturer"]
        lec_days.setdefault(lid, set()).add(day)
        for q in range(per, per + e["duration"]):
            for key, use in (((r, day, q), room_use), ((lid, day, q), lec_use)):
                use[key] = use.get(key, 0) + 1
            for g in e["groups"]:
                grp_use[(g, day, q)] = grp_use.get((g, day, q), 0) + 1
                group_day.setdefault((g, day), set()).add(q)
            if (day, q) in unavailable[lid]:
                hard["unavailable"] += 1
            if (day, q) in disliked[lid]:
                soft["disliked"] += w["disliked"]
    hard["room_clash"] = sum(n - 1 for n in room_use.values())
    hard["lecturer_clash"] = sum(n - 1 for n in lec_use.values())
    hard["group_clash"] = sum(n - 1 for n in grp_use.values())

    def start(eid: str) -> int | None:
        return place[eid][0] * periods + place[eid][1] if eid in place else None

    for a, b in inst["precedence"]:
        sa, sb = start(a), start(b)
        if sa is None or sb is None or sa + events[a]["duration"] > sb or place[a][0] > place[b][0]:
            hard["precedence"] += 1
    for a, b in inst["same_day"]:
        if a not in place or b not in place or place[a][0] != place[b][0]:
            hard["same_day"] += 1
    for a, b in inst["different_day"]:
        if a not in place or b not in place or place[a][0] == place[b][0]:
            hard["different_day"] += 1

    for (_g, _day), used in group_day.items():
        lo, hi = min(used), max(used)
        soft["gap"] += w["gap"] * (hi - lo + 1 - len(used))
        if len(used) == 1:
            soft["single"] += w["single"]
        if periods - 1 in used:
            soft["late"] += w["late"]
        run = 0
        for q in range(periods + 1):
            if q in used:
                run += 1
                continue
            if run > inst["max_consecutive"]:
                soft["long_run"] += w["long_run"] * (run - inst["max_consecutive"])
            run = 0
    for lid, ds in lec_days.items():
        soft["lecturer_days"] += w["lecturer_days"] * max(0, len(ds) - lecturers[lid]["max_days"])
    return hard, soft


def score_text(inst: dict, planted_text: str, text: str) -> tuple[float, dict[str, int], dict[str, int]]:
    hard, soft = evaluate(inst, parse_timetable(text))
    violations = sum(hard.values())
    if violations:
        return 0.3 * max(0.0, 1.0 - violations / 200), hard, soft
    p_hard, p_soft = evaluate(inst, parse_timetable(planted_text))
    assert sum(p_hard.values()) == 0, p_hard
    ratio = sum(soft.values()) / max(1, sum(p_soft.values()))
    return 0.5 + 0.5 * min(1.0, max(0.0, (8.0 - ratio) / 6.0)), hard, soft


def main() -> None:
    out = Path("timetable.txt")
    try:
        text = out.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError):
        print("timetable.txt missing or unreadable")
        print(0.0)
        return
    inst = load_instance(HERE / "instance.json")
    planted = (HERE / "planted.txt").read_text()
    score, hard, soft = score_text(inst, planted, text)
    print("hard violations:", json.dumps({k: v for k, v in hard.items() if v}))
    print("soft penalty:", sum(soft.values()), json.dumps(soft))
    print(f"{score:.4f}")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001 - the scorer must always end with a number
        print(f"scorer error: {exc!r}", file=sys.stderr)
        print(0.0)
