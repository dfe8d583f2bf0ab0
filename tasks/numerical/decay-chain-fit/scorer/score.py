#!/usr/bin/env python3
"""Scorer for decay-chain-fit: fit.json must hold the Poisson maximum-likelihood half-lives and
specific activity within 0.1 standard error of truth.json's (generate.py's fit), their standard
errors (observed information) within 10%, and the half-lives' correlation within 0.03.
Score: the fraction of the seven quantities that match."""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
VALUES = ["half_life_parent_h", "half_life_daughter_h", "specific_activity_bq_per_g"]


def main() -> None:
    """Print one line per quantity, then the score."""
    truth = json.loads((HERE / "truth.json").read_text())
    try:
        got = json.loads(Path("fit.json").read_text(encoding="utf-8", errors="replace"))
        if not isinstance(got, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        print(f"fit.json missing or unreadable: {exc}")
        print(0.0)
        return
    checks: list[tuple[str, float]] = []
    for name in VALUES:
        checks.append((name, 0.1 * truth[name + "_err"]))
        checks.append((name + "_err", 0.1 * truth[name + "_err"]))
    checks.append(("corr_parent_daughter", 0.03))
    good = 0
    for name, tolerance in checks:
        try:
            value = float(got[name])
        except (KeyError, TypeError, ValueError):
            print(f"{name}: missing or not a number")
            continue
        ok = math.isfinite(value) and abs(value - truth[name]) <= tolerance
        good += ok
        print(f"{name}: {value:.6g} {'ok' if ok else 'outside tolerance'}")
    print(f"{good}/{len(checks)} quantities within tolerance")
    print(round(good / len(checks), 4))


main()
