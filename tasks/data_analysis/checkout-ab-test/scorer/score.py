#!/usr/bin/env python3
"""Scorer for checkout-ab-test: answer.json against truth.json (made by generate.py).

Parts (weights): clean_sessions exact (0.2); naive_effect_pp within 0.05 (0.15);
adjusted_effect_pp within 0.15 (0.25); effect_by_platform_pp within 0.15 each (0.1 x 3);
harmed_platforms exactly ["ios"] as a set (0.1). score_cont is the weighted sum.
"""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent


def number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def close(got: object, want: float, tol: float) -> bool:
    value = number(got)
    return value is not None and abs(value - want) <= tol + 1e-9


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    path = Path("answer.json")
    if not path.is_file():
        print("answer.json is missing")
        print(0.0)
        return
    answer = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    if not isinstance(answer, dict):
        raise ValueError("answer.json is not an object")
    platforms = answer.get("effect_by_platform_pp")
    platforms = platforms if isinstance(platforms, dict) else {}
    harmed = answer.get("harmed_platforms")
    parts = {
        "clean_sessions": (0.2, number(answer.get("clean_sessions")) == truth["clean_sessions"]),
        "naive_effect_pp": (0.15, close(answer.get("naive_effect_pp"), truth["naive_effect_pp"], 0.05)),
        "adjusted_effect_pp": (
            0.25,
            close(answer.get("adjusted_effect_pp"), truth["adjusted_effect_pp"], 0.15),
        ),
        "harmed_platforms": (
            0.1,
            isinstance(harmed, list) and sorted(map(str, harmed)) == ["ios"],
        ),
    }
    for name, want in truth["effect_by_platform_pp"].items():
        parts[f"effect_{name}"] = (0.1, close(platforms.get(name), want, 0.15))
    score = 0.0
    for name, (weight, ok) in parts.items():
        print(f"{name}: {'ok' if ok else 'wrong'} (weight {weight})")
        score += weight if ok else 0.0
    print(round(score, 4))


try:
    main()
except (ValueError, TypeError, OSError, KeyError) as exc:
    # Whatever the agent left behind, the scorer ends with a score.
    print(f"could not check answer.json: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
