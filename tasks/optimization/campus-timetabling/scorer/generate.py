"""Regenerates the timetabling instance: python3 generate.py OUTDIR. Deterministic (fixed seed).

Plants a timetable first, then derives the instance from it, so the planted timetable has no hard
violation and a low soft penalty:

1. rooms (capacities, features); each room's days are filled period by period with events of one
   or two periods (the last period of a day is rarely used);
2. each event's size and required features fit its planted room;
3. student groups: each group picks, for each day, a short block of periods that ends before the
   last period and takes one event starting at each free period of the block (the event with
   fewest groups so far), so its days are compact; events left without a group go to the group
   that they cost least (this is most of the planted penalty);
4. lecturers: each event gets a lecturer free at its periods, preferring one already teaching
   that day; max_days is the lecturer's planted number of days; unavailable (hard) and disliked
   (soft) periods are drawn among the periods the lecturer does not teach;
5. precedence, same-day and different-day pairs are drawn among events sharing a group or a
   lecturer and satisfied by the planted timetable.

Writes instance.json (for the agent and the scorer) and planted.txt (the planted timetable).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 20261201
DAYS, PERIODS = 5, 9
N_ROOMS, N_LECTURERS, N_GROUPS = 68, 200, 230
FEATURES = ["projector", "lab_bench", "computers", "step_free", "recording", "fume_hood"]
CAPACITIES = [(20, 10), (30, 12), (40, 12), (60, 10), (80, 8), (120, 7), (200, 5), (300, 4)]
MAX_GROUPS_PER_EVENT = 3
MAX_CONSECUTIVE = 5
WEIGHTS = {"gap": 1, "single": 2, "late": 1, "long_run": 1, "disliked": 3, "lecturer_days": 4}


def group_day_cost(used: set[int]) -> int:
    if not used:
        return 0
    lo, hi = min(used), max(used)
    cost = WEIGHTS["gap"] * (hi - lo + 1 - len(used))
    cost += WEIGHTS["single"] * (len(used) == 1) + WEIGHTS["late"] * (PERIODS - 1 in used)
    run = 0
    for q in range(PERIODS + 1):
        if q in used:
            run += 1
        else:
            cost += WEIGHTS["long_run"] * max(0, run - MAX_CONSECUTIVE)
            run = 0
    return cost


def generate(out: Path) -> None:
    rng = random.Random(SEED)
    # 1. rooms
    caps = [c for c, n in CAPACITIES for _ in range(n)]
    caps += [rng.choice([30, 40, 60]) for _ in range(N_ROOMS - len(caps))]
    rng.shuffle(caps)
    rooms = []
    for i, cap in enumerate(caps[:N_ROOMS]):
        feats = sorted(f for f in FEATURES if rng.random() < (0.55 if f == "projector" else 0.22))
        rooms.append({"id": f"R{i + 1:02d}", "capacity": cap, "features": feats})
    # events as dicts with planted day, period, room
    events: list[dict] = []
    for room in rooms:
        for day in range(DAYS):
            p = 0
            while p < PERIODS:
                fill = 0.8 if p < PERIODS - 1 else 0.1
                if rng.random() < fill:
                    dur = 2 if p + 1 < PERIODS - 1 and rng.random() < 0.2 else 1
                    events.append({"day": day, "period": p, "room": room["id"], "duration": dur,
                                   "size": max(5, int(room["capacity"] * rng.uniform(0.45, 1.0))),
                                   "features": sorted(f for f in room["features"] if rng.random() < 0.5),
                                   "groups": [], "lecturer": None})
                    p += dur
                else:
                    p += 1
    rng.shuffle(events)
    for i, e in enumerate(events):
        e["id"] = f"E{i + 1:04d}"

    def periods_of(e: dict) -> range:
        return range(e["period"], e["period"] + e["duration"])

    # 3. groups
    starting: dict[tuple[int, int], list[dict]] = {}
    for e in events:
        starting.setdefault((e["day"], e["period"]), []).append(e)
    group_ids = [f"G{i + 1:03d}" for i in range(N_GROUPS)]
    busy: dict[tuple[str, int], set[int]] = {}
    for g in group_ids:
        for day in range(DAYS):
            length = rng.choice([2, 3, 3, 4, 4, 5])
            s = rng.randint(0, PERIODS - 1 - length)
            used = busy.setdefault((g, day), set())
            p = s
            while p < s + length:
                cands = [e for e in starting.get((day, p), [])
                         if p + e["duration"] <= s + length and len(e["groups"]) < MAX_GROUPS_PER_EVENT]
                if not cands:
                    p += 1
                    continue
                fewest = min(len(e["groups"]) for e in cands)
                e = rng.choice([c for c in cands if len(c["groups"]) == fewest])
                e["groups"].append(g)
                used.update(periods_of(e))
                p += e["duration"]
    for e in sorted(events, key=lambda e: e["id"]):
        if e["groups"]:
            continue
        best, best_cost = [], None
        for g in group_ids:
            used = busy[(g, e["day"])]
            if any(q in used for q in periods_of(e)):
                continue
            cost = group_day_cost(used | set(periods_of(e))) - group_day_cost(used)
            if best_cost is None or cost < best_cost:
                best, best_cost = [g], cost
            elif cost == best_cost:
                best.append(g)
        g = rng.choice(best)
        e["groups"].append(g)
        busy[(g, e["day"])].update(periods_of(e))
    # 4. lecturers
    lec_ids = [f"L{i + 1:03d}" for i in range(N_LECTURERS)]
    lec_busy: dict[str, set[tuple[int, int]]] = {lid: set() for lid in lec_ids}
    for e in sorted(events, key=lambda e: (e["day"], e["period"], e["id"])):
        slots = {(e["day"], q) for q in periods_of(e)}
        free = [lid for lid in lec_ids if not (lec_busy[lid] & slots) and len(lec_busy[lid]) + len(slots) <= 16]
        same_day = [lid for lid in free if any(d == e["day"] for d, _ in lec_busy[lid])]
        pool = same_day if same_day and rng.random() < 0.75 else free
        lid = rng.choice(pool)
        e["lecturer"] = lid
        lec_busy[lid] |= slots
    lecturers = []
    for lid in lec_ids:
        teach = lec_busy[lid]
        free = [(d, p) for d in range(DAYS) for p in range(PERIODS) if (d, p) not in teach]
        unavailable = sorted(s for s in free if rng.random() < 0.25)
        rest = [s for s in free if s not in set(unavailable)]
        disliked = sorted(s for s in rest if rng.random() < 0.15)
        lecturers.append({"id": lid, "max_days": max(1, len({d for d, _ in teach})),
                          "unavailable": [list(s) for s in unavailable],
                          "disliked": [list(s) for s in disliked]})
    # 5. pair constraints
    by_group: dict[str, list[dict]] = {}
    by_lec: dict[str, list[dict]] = {}
    for e in sorted(events, key=lambda e: e["id"]):
        for g in e["groups"]:
            by_group.setdefault(g, []).append(e)
        by_lec.setdefault(e["lecturer"], []).append(e)

    def abs_start(e: dict) -> int:
        return int(e["day"] * PERIODS + e["period"])

    seen: set[frozenset[str]] = set()

    def draw(n: int, pool: dict[str, list[dict]], ok: object) -> list[list[str]]:
        pairs: list[list[str]] = []
        keys = sorted(pool)
        while len(pairs) < n:
            evs = pool[rng.choice(keys)]
            if len(evs) < 2:
                continue
            a, b = rng.sample(evs, 2)
            key = frozenset((a["id"], b["id"]))
            if key in seen or not ok(a, b):  # type: ignore[operator]
                continue
            seen.add(key)
            pairs.append([a["id"], b["id"]])
        return pairs

    precedence = draw(260, by_group, lambda a, b: abs_start(a) + a["duration"] <= abs_start(b))
    same_day = draw(160, by_lec, lambda a, b: a["day"] == b["day"])
    different_day = draw(160, by_group, lambda a, b: a["day"] != b["day"])
    precedence.sort()
    same_day.sort()
    different_day.sort()

    instance = {
        "days": DAYS,
        "periods_per_day": PERIODS,
        "max_consecutive": MAX_CONSECUTIVE,
        "weights": WEIGHTS,
        "rooms": rooms,
        "lecturers": lecturers,
        "groups": sorted(group_ids),
        "events": [{k: e[k] for k in ("id", "duration", "size", "lecturer", "groups", "features")}
                   for e in sorted(events, key=lambda e: e["id"])],
        "precedence": precedence,
        "same_day": same_day,
        "different_day": different_day,
    }
    for e in instance["events"]:
        e["groups"] = sorted(e["groups"])
    lines = ["{"]
    keys = list(instance)
    for i, key in enumerate(keys):
        value = instance[key]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
            lines.append(f'  "{key}": [')
            for j, item in enumerate(value):
                lines.append("    " + json.dumps(item) + ("," if j < len(value) - 1 else ""))
            lines.append("  ]" + end)
        else:
            lines.append(f'  "{key}": {json.dumps(value)}{end}')
    lines.append("}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "instance.json").write_text("\n".join(lines) + "\n")
    planted = [f"{e['id']} {e['day']} {e['period']} {e['room']}" for e in sorted(events, key=lambda e: e["id"])]
    (out / "planted.txt").write_text("# the author's planted timetable: EVENT DAY PERIOD ROOM\n"
                                     + "\n".join(planted) + "\n")


if __name__ == "__main__":
    generate(Path(sys.argv[1]))
