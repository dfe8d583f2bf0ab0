#!/usr/bin/env python3
"""Scorer for floorplan-from-scan. floorplan.json in the work directory holds, per floor, the
rooms (polygons in scan coordinates) and the interior doors (a pair of room indices and a
centre). Against truth.json (made by generate.py; rooms as runs of 10 cm cells in each floor's
own grid, with the rigid motion from grid to scan coordinates):

* each submitted polygon is moved (rooms beyond the 4,000th vertex of a floor are ignored but
  still count as submitted) into the floor's grid; its overlap with a true room is the
  number of that room's cells whose centres it contains, IoU = overlap / (cells + polygon area
  - overlap); submitted and true rooms are paired greedily by IoU, best first, and a pair
  counts when IoU >= 0.85;
* a submitted door counts when its two rooms are paired with the two rooms of a true door and
  its centre is within 0.3 m of that door's centre (each true door used once);
* a floor scores 0.5 * rooms paired / max(true rooms, submitted rooms) + 0.5 * doors matched /
  max(true doors, submitted doors); the score is the mean over the five floors.
"""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_ROOMS, MAX_VERTICES, MAX_DOORS = 200, 4000, 800  # vertices: per floor, all rooms together
MIN_IOU, DOOR_TOL_M = 0.85, 0.3


def to_grid(poly: object, theta: float, shift: list[float], cell: float) -> list[tuple[float, float]] | None:
    if not isinstance(poly, list) or not 3 <= len(poly) <= MAX_VERTICES:
        return None
    c, s = math.cos(theta), math.sin(theta)
    out = []
    for p in poly:
        if not (isinstance(p, list) and len(p) == 2):
            return None
        try:
            x, y = float(p[0]) - shift[0], float(p[1]) - shift[1]
        except (TypeError, ValueError):
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        out.append(((c * x + s * y) / cell, (-s * x + c * y) / cell))
    return out


def area(poly: list[tuple[float, float]]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(poly, poly[1:] + poly[:1]))) / 2


def overlap(runs: list[list[int]], poly: list[tuple[float, float]]) -> int:
    """How many cells of the runs have their centre inside the polygon (even-odd rule)."""
    edges = list(zip(poly, poly[1:] + poly[:1]))
    total = 0
    for y, x0, x1 in runs:
        yc = y + 0.5
        xs = sorted(
            a[0] + (yc - a[1]) * (b[0] - a[0]) / (b[1] - a[1]) for a, b in edges if (a[1] > yc) != (b[1] > yc)
        )
        for k in range(0, len(xs) - 1, 2):
            lo = max(x0, math.ceil(xs[k] - 0.5))
            hi = min(x1 - 1, math.floor(xs[k + 1] - 0.5))
            if hi >= lo:
                total += hi - lo + 1
    return total


def score_floor(truth: dict, sub: object) -> float:
    if not isinstance(sub, dict):
        return 0.0
    rooms = sub.get("rooms")
    doors = sub.get("doors")
    rooms = rooms[:MAX_ROOMS] if isinstance(rooms, list) else []
    doors = doors[:MAX_DOORS] if isinstance(doors, list) else []
    polys = []
    budget = MAX_VERTICES
    for p in rooms:
        moved = to_grid(p, truth["theta"], truth["shift"], truth["cell_m"]) if budget > 0 else None
        budget -= len(p) if isinstance(p, list) else 1
        polys.append(moved if budget >= 0 else None)
    boxes = [
        (min(x for x, _ in p), max(x for x, _ in p), min(y for _, y in p), max(y for _, y in p))
        if p
        else None
        for p in polys
    ]
    pairs = []
    for k, runs in enumerate(truth["rooms"]):
        cells = sum(x1 - x0 for _, x0, x1 in runs)
        tx0 = min(r[1] for r in runs)
        tx1 = max(r[2] for r in runs)
        ty0 = min(r[0] for r in runs)
        ty1 = max(r[0] for r in runs) + 1
        for j, p in enumerate(polys):
            box = boxes[j]
            if p is None or box is None or box[1] < tx0 or box[0] > tx1 or box[3] < ty0 or box[2] > ty1:
                continue
            inter = overlap(runs, p)
            if inter:
                iou = inter / (cells + area(p) - inter)
                if iou >= MIN_IOU:
                    pairs.append((iou, k, j))
    pairs.sort(reverse=True)
    to_truth: dict[int, int] = {}
    used: set[int] = set()
    for _iou, k, j in pairs:
        if k not in used and j not in to_truth:
            used.add(k)
            to_truth[j] = k
    room_part = len(to_truth) / max(len(truth["rooms"]), len(rooms), 1)
    c, s = math.cos(truth["theta"]), math.sin(truth["theta"])
    centres = [
        (
            c * d["center"][0] - s * d["center"][1] + truth["shift"][0],
            s * d["center"][0] + c * d["center"][1] + truth["shift"][1],
        )
        for d in truth["doors"]
    ]
    taken: set[int] = set()
    matched = 0
    for d in doors:
        try:
            i, j = (int(v) for v in d["rooms"])
            x, y = float(d["center"][0]), float(d["center"][1])
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if i not in to_truth or j not in to_truth:
            continue
        want = {to_truth[i], to_truth[j]}
        for n, t in enumerate(truth["doors"]):
            if (
                n not in taken
                and set(t["rooms"]) == want
                and math.hypot(x - centres[n][0], y - centres[n][1]) <= DOOR_TOL_M
            ):
                taken.add(n)
                matched += 1
                break
    denominator = max(len(truth["doors"]), len(doors))
    door_part = matched / denominator if denominator else 1.0
    print(
        f"  rooms {len(to_truth)}/{len(truth['rooms'])} paired ({len(rooms)} submitted); doors {matched}/{len(truth['doors'])} matched ({len(doors)} submitted)"
    )
    return 0.5 * room_part + 0.5 * door_part


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    try:
        sub = json.loads(Path("floorplan.json").read_text(encoding="utf-8"))
        assert isinstance(sub, dict)
    except (OSError, ValueError, AssertionError):
        print("floorplan.json is missing or is not a JSON object")
        print(0.0)
        return
    scores = []
    for name in sorted(truth):
        print(name)
        scores.append(score_floor(truth[name], sub.get(name)))
        print(f"  {scores[-1]:.4f}")
    print(round(sum(scores) / len(scores), 4))


main()
