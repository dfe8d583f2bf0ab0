#!/usr/bin/env python3
"""Scorer for hidden-process-telemetry: process.json against truth.json (made by generate.py).

Parts (weight, tolerance): regimes exact (0.05); load_means, sorted, each +-1.5 (0.1 in all);
mean_dwell_minutes in the same order, each +-12% of the realised mean run length (0.15 in all);
tau_minutes +-8% (0.1); gain_c_per_load +-5% (0.1); ambient_mean_c +-0.7 (0.05);
ambient_amplitude_c +-0.5 (0.05); ambient_peak_minute_of_day +-45 on the daily circle (0.05);
fouling_onset_minute +-480 (0.15); fouling_growth_per_day +-25% (0.1); bursts +-2 (0.1).
"""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent


def num(value: object) -> float | None:
    """A finite number, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def near(got: object, want: float, tol: float) -> bool:
    """Within an absolute tolerance."""
    value = num(got)
    return value is not None and abs(value - want) <= tol + 1e-9


def pairs(got: object, want: list[float]) -> list[tuple[object, float]]:
    """Match a submitted list to the truth's, in the order of the regimes' load means."""
    if not isinstance(got, list) or len(got) != len(want):
        return [(None, w) for w in want]
    return list(zip(got, want, strict=True))


def main() -> None:
    """Print each part's verdict, then the weighted score."""
    truth = json.loads((HERE / "truth.json").read_text())
    path = Path("process.json")
    if not path.is_file():
        print("process.json is missing")
        print(0.0)
        return
    got = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    if not isinstance(got, dict):
        raise ValueError("process.json is not an object")
    means = got.get("load_means")
    order = list(range(3))
    if isinstance(means, list) and len(means) == 3 and all(num(m) is not None for m in means):
        order = sorted(range(3), key=lambda i: means[i])
    dwell = got.get("mean_dwell_minutes")
    sorted_means = [means[i] for i in order] if isinstance(means, list) and len(means) == 3 else None
    sorted_dwell = [dwell[i] for i in order] if isinstance(dwell, list) and len(dwell) == 3 else None
    parts = [("regimes", 0.05, num(got.get("regimes")) == truth["regimes"])]
    for g, w in pairs(sorted_means, truth["load_means"]):
        parts.append(("load mean", 0.1 / 3, near(g, w, 1.5)))
    for g, w in pairs(sorted_dwell, truth["mean_dwell_minutes"]):
        parts.append(("dwell", 0.05, near(g, w, 0.12 * w)))
    rel = {"tau_minutes": (0.1, 0.08), "gain_c_per_load": (0.1, 0.05), "fouling_growth_per_day": (0.1, 0.25)}
    for key, (weight, tol) in rel.items():
        parts.append((key, weight, near(got.get(key), truth[key], tol * truth[key])))
    absolute = {
        "ambient_mean_c": (0.05, 0.7),
        "ambient_amplitude_c": (0.05, 0.5),
        "fouling_onset_minute": (0.15, 480),
        "bursts": (0.1, 2),
    }
    for key, (weight, tol) in absolute.items():
        parts.append((key, weight, near(got.get(key), truth[key], tol)))
    peak = num(got.get("ambient_peak_minute_of_day"))
    off = None if peak is None else abs((peak - truth["ambient_peak_minute_of_day"] + 720) % 1440 - 720)
    parts.append(("ambient_peak_minute_of_day", 0.05, off is not None and off <= 45))
    score = 0.0
    for name, weight, ok in parts:
        print(f"{name}: {'ok' if ok else 'wrong'} (weight {weight:.3f})")
        score += weight if ok else 0.0
    print(round(min(1.0, score), 4))


try:
    main()
except (ValueError, TypeError, OSError, KeyError) as exc:
    # Whatever the agent left behind, the scorer ends with a score.
    print(f"could not check process.json: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
