#!/usr/bin/env python3
"""Scorer for sensor-network-faults: faults.json against truth.json (made by generate.py).

0.4 x the fraction of the 17 low-cost sensors given the right type (missing means "ok"), plus
0.6 x the mean, over the 8 faulty sensors, of the fraction of their parameters within
tolerance (only when the type is right): drift start_day +-2 days and rate_c_per_day +-0.015;
gain +-0.02 and offset_c +-0.4; swap partner exact and start_day +-1 day; clock lag_hours exact;
stuck first and last +-3 hours.
"""

import json
import math
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def near(got: object, want: float, tol: float) -> bool:
    value = num(got)
    return value is not None and abs(value - want) <= tol + 1e-9


def when(text: object, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(str(text), fmt)
    except ValueError:
        return None


def near_time(got: object, want: str, fmt: str, tol_s: float) -> bool:
    a, b = when(got, fmt), when(want, fmt)
    return a is not None and b is not None and abs((a - b).total_seconds()) <= tol_s


DAY, HOUR = "%Y-%m-%d", "%Y-%m-%dT%H:00Z"


def params_ok(kind: str, got: dict, want: dict) -> list[bool]:
    if kind == "drift":
        return [
            near_time(got.get("start_day"), want["start_day"], DAY, 2 * 86400),
            near(got.get("rate_c_per_day"), want["rate_c_per_day"], 0.015),
        ]
    if kind == "gain":
        return [near(got.get("gain"), want["gain"], 0.02), near(got.get("offset_c"), want["offset_c"], 0.4)]
    if kind == "swap":
        return [
            got.get("partner") == want["partner"],
            near_time(got.get("start_day"), want["start_day"], DAY, 86400),
        ]
    if kind == "clock":
        return [num(got.get("lag_hours")) == want["lag_hours"]]
    return [
        near_time(got.get("first"), want["first"], HOUR, 3 * 3600),
        near_time(got.get("last"), want["last"], HOUR, 3 * 3600),
    ]


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    path = Path("faults.json")
    if not path.is_file():
        print("faults.json is missing")
        print(0.0)
        return
    answer = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    if not isinstance(answer, dict):
        raise ValueError("faults.json is not an object")
    typed = 0
    param_scores = []
    for sensor, want in sorted(truth.items()):
        got = answer.get(sensor, {"type": "ok"})
        got = got if isinstance(got, dict) else {}
        right = got.get("type", "ok") == want["type"]
        typed += right
        if want["type"] != "ok":
            checks = params_ok(want["type"], got, want) if right else [False]
            param_scores.append(sum(checks) / len(checks))
            print(f"{sensor}: type {'ok' if right else 'wrong'}, parameters {sum(checks)}/{len(checks)}")
        elif not right:
            print(f"{sensor}: a healthy sensor was reported as faulty")
    score = 0.4 * typed / len(truth) + 0.6 * sum(param_scores) / len(param_scores)
    print(f"types right: {typed}/{len(truth)}")
    print(round(score, 4))


try:
    main()
except (ValueError, TypeError, OSError, KeyError, AttributeError) as exc:
    # Whatever the agent left behind, the scorer ends with a score.
    print(f"could not check faults.json: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
