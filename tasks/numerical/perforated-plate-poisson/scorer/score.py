#!/usr/bin/env python3
"""Scorer for perforated-plate-poisson: answers.json must give the eight quantities of the
exact PDE solution (truth.json, from the manufactured solution in generate.py) to a relative
1e-5. Score: the fraction of the eight within tolerance."""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
RTOL = 1e-5


def main() -> None:
    """Print one line per quantity, then the score."""
    truth = json.loads((HERE / "truth.json").read_text())
    try:
        got = json.loads(Path("answers.json").read_text(encoding="utf-8", errors="replace"))
        if not isinstance(got, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        print(f"answers.json missing or unreadable: {exc}")
        print(0.0)
        return
    good = 0
    for name, want in truth.items():
        try:
            value = float(got[name])
        except (KeyError, TypeError, ValueError):
            print(f"{name}: missing or not a number")
            continue
        error = abs(value - want) / abs(want) if math.isfinite(value) else math.inf
        ok = error <= RTOL
        good += ok
        print(f"{name}: relative error {error:.2e} {'ok' if ok else 'too large'}")
    print(f"{good}/{len(truth)} quantities within tolerance")
    print(round(good / len(truth), 4))


main()
