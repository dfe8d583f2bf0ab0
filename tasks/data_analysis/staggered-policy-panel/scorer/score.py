#!/usr/bin/env python3
"""Scorer for staggered-policy-panel: estimates.json against truth.json (made by generate.py).

The ATTs in truth.json are the generator's true effects averaged over the treated firm-years of
the cleaned panel; twfe_coefficient is the two-way fixed-effects coefficient on that panel.
Parts (weights): twfe_coefficient within 0.004 (0.15); att_overall within 0.012 (0.25);
att_by_cohort within 0.015 each (0.1 x 3); att_by_event_time 0..5 within 0.012 each (0.05 x 6).
"""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent


def near(got: object, want: float, tol: float) -> bool:
    if isinstance(got, bool) or not isinstance(got, int | float) or not math.isfinite(got):
        return False
    return abs(got - want) <= tol + 1e-9


def table(answer: dict, key: str) -> dict:
    value = answer.get(key)
    return value if isinstance(value, dict) else {}


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    path = Path("estimates.json")
    if not path.is_file():
        print("estimates.json is missing")
        print(0.0)
        return
    answer = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    if not isinstance(answer, dict):
        raise ValueError("estimates.json is not an object")
    parts = [
        ("twfe_coefficient", 0.15, near(answer.get("twfe_coefficient"), truth["twfe_coefficient"], 0.004)),
        ("att_overall", 0.25, near(answer.get("att_overall"), truth["att_overall"], 0.012)),
    ]
    cohorts = table(answer, "att_by_cohort")
    for g, want in sorted(truth["att_by_cohort"].items()):
        parts.append((f"cohort {g}", 0.1, near(cohorts.get(g), want, 0.015)))
    events = table(answer, "att_by_event_time")
    for e, want in sorted(truth["att_by_event_time"].items()):
        parts.append((f"event time {e}", 0.05, near(events.get(e), want, 0.012)))
    score = 0.0
    for name, weight, ok in parts:
        print(f"{name}: {'ok' if ok else 'wrong'} (weight {weight})")
        score += weight if ok else 0.0
    print(round(score, 4))


try:
    main()
except (ValueError, TypeError, OSError, KeyError) as exc:
    # Whatever the agent left behind, the scorer ends with a score.
    print(f"could not check estimates.json: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
