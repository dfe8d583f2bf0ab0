#!/usr/bin/env python3
"""Scorer for model-zoo-targets: five hidden test sets, one predictions file each.

For each set the metric (accuracy, RMSE, MAE or MSE) is computed on the hidden truth; its credit is
clamp((metric - baseline) / (bar - baseline), 0, 1) with the numbers in targets.json (baseline: a
trivial predictor; bar: a fixed margin from the true model's score on the same test set). A file
that is missing, lacks an id, or holds an unreadable value gives that set 0. The score is the mean
credit over the five sets; solved (threshold 1.0) means every bar is met.
"""

import csv
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = {"glyphs": "label", "ratings": "rating", "demand": "sales", "sequences": "label", "tabular": "y"}


def read(path: Path, column: str) -> dict[str, str]:
    with open(path, newline="", errors="replace") as handle:
        return {(r.get("id") or "").strip(): (r.get(column) or "").strip() for r in csv.DictReader(handle)}


def metric(name: str, truth: dict[str, str], got: dict[str, str]) -> float:
    """The set's metric; raises ValueError on a missing id or a bad value."""
    missing = [k for k in truth if k not in got]
    if missing:
        raise ValueError(f"{len(missing)} test ids have no prediction, e.g. {missing[0]}")
    kind = json.loads((HERE / "targets.json").read_text())[name]["metric"]
    if kind == "accuracy":
        return sum(got[k] == v for k, v in truth.items()) / len(truth)
    errors = []
    for k, v in truth.items():
        guess = float(got[k])
        if not math.isfinite(guess):
            raise ValueError(f"prediction for {k} is not a finite number")
        errors.append(guess - float(v))
    if kind == "mae":
        return sum(abs(e) for e in errors) / len(errors)
    mse = sum(e * e for e in errors) / len(errors)
    return math.sqrt(mse) if kind == "rmse" else mse


def main() -> None:
    targets = json.loads((HERE / "targets.json").read_text())
    credits = []
    for name, column in COLUMNS.items():
        t = targets[name]
        path = Path("predictions") / f"{name}.csv"
        try:
            value = metric(name, read(HERE / f"{name}_truth.csv", column), read(path, column))
        except (OSError, ValueError, csv.Error, UnicodeDecodeError) as exc:
            print(f"{name}: 0 ({type(exc).__name__}: {str(exc)[:200]})")
            credits.append(0.0)
            continue
        credit = (value - t["baseline"]) / (t["bar"] - t["baseline"])
        credit = max(0.0, min(1.0, credit))
        met = "met" if credit >= 1.0 else "not met"
        print(f"{name}: {t['metric']} {value:.4f}, bar {t['bar']} {met} (true model {t['true_model']}); credit {credit:.3f}")
        credits.append(credit)
    print(round(sum(credits) / len(credits), 4))


try:
    main()
except Exception as exc:  # noqa: BLE001 - whatever the agent left, end with a score
    print(f"could not check the agent's output: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
