#!/usr/bin/env python3
"""Scorer for policy-intervention-forecast: simulates the hidden model (model.py) from the true
state at month 600 under each of the ten scenarios and compares the forecasts.json trajectories.
Each (scenario, quantity) pair earns 1 when its relative RMS error over the 48 months is at most
TOL, 0.5 when at most 2 * TOL, else 0. Score: the mean over the 40 pairs."""

import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from model import PARAMS, STOCKS, simulate  # noqa: E402

TOL = 0.10


def true_forecasts() -> dict[str, dict[str, list[float]]]:
    truth = json.loads((HERE / "truth_state.json").read_text())
    spec = truth["scenarios"]
    out = {}
    for sc in spec["scenarios"]:
        states = simulate(dict(PARAMS), truth["state_600"], 600, spec["months"], sc["interventions"],
                          hist=truth["history_588_599"])
        out[sc["id"]] = {q: [s[STOCKS.index(q)] for s in states] for q in spec["quantities"]}
    return out


def score(got: object, want: dict[str, dict[str, list[float]]], verbose: bool = True) -> float:
    total = passed = 0.0
    for sid, quantities in want.items():
        for q, ref in quantities.items():
            total += 1
            try:
                pred = [float(v) for v in got[sid][q]]  # type: ignore[index]
            except (KeyError, TypeError, ValueError, IndexError):
                pred = []
            if len(pred) != len(ref) or not all(math.isfinite(v) for v in pred):
                if verbose:
                    print(f"{sid} {q}: missing, wrong length or non-finite")
                continue
            rel = math.sqrt(sum((a - b) ** 2 for a, b in zip(pred, ref)) / sum(b * b for b in ref))
            credit = 1.0 if rel <= TOL else 0.5 if rel <= 2 * TOL else 0.0
            passed += credit
            if verbose:
                print(f"{sid} {q}: relative RMS error {rel:.4f} credit {credit}")
    return passed / total


def main() -> None:
    want = true_forecasts()
    try:
        got = json.loads(Path("forecasts.json").read_text(encoding="utf-8", errors="replace"))
        if not isinstance(got, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        print(f"forecasts.json missing or unreadable: {exc}")
        print(0.0)
        return
    print(round(score(got, want), 4))


if __name__ == "__main__":
    main()
