#!/usr/bin/env python3
"""Scorer for hidden-oscillator-identification: 12 query predictions (relative RMS error at
most 5% each, against query_truth.csv from the hidden model) and five scalar answers (2%, 3%
or 5% relative, against truth.json). Score: the fraction of the 17 checks passed."""

import csv
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
PRED_TOL = 0.05
SCALARS = {
    "critical_input": 0.03,
    "period_at_u": 0.02,
    "steady_x3_at_u": 0.02,
    "hill_coefficient": 0.05,
    "hidden_decay_rate": 0.05,
}


def load_predictions() -> dict[tuple[int, float], list[float]]:
    got: dict[tuple[int, float], list[float]] = {}
    path = Path("predictions.csv")
    if not path.is_file():
        print("predictions.csv is missing")
        return got
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            for row in csv.DictReader(handle):
                try:
                    got[(int(row["query"]), round(float(row["t"]), 6))] = [float(row[k]) for k in ("x1", "x2", "x3")]
                except (KeyError, TypeError, ValueError):
                    continue
    except (csv.Error, UnicodeError) as exc:
        print(f"unreadable predictions.csv: {exc}")
    return got


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    want: dict[int, list[tuple[float, list[float]]]] = {}
    with (HERE / "query_truth.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            want.setdefault(int(row["query"]), []).append(
                (round(float(row["t"]), 6), [float(row[k]) for k in ("x1", "x2", "x3")])
            )
    got = load_predictions()
    passed = 0
    for query, rows in sorted(want.items()):
        err = ref = 0.0
        complete = True
        for t, values in rows:
            pred = got.get((query, t))
            if pred is None or not all(math.isfinite(v) for v in pred):
                complete = False
                break
            err += sum((a - b) ** 2 for a, b in zip(pred, values))
            ref += sum(b * b for b in values)
        if not complete:
            print(f"query {query}: missing or non-finite predictions")
            continue
        rel = math.sqrt(err / ref)
        ok = rel <= PRED_TOL
        passed += ok
        print(f"query {query}: relative RMS error {rel:.4f} {'ok' if ok else 'too large'}")
    try:
        answers = json.loads(Path("answers.json").read_text(encoding="utf-8", errors="replace"))
        if not isinstance(answers, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        print(f"answers.json missing or unreadable: {exc}")
        answers = {}
    for name, tol in SCALARS.items():
        try:
            value = float(answers[name])
        except (KeyError, TypeError, ValueError):
            print(f"{name}: missing or not a number")
            continue
        rel = abs(value - truth[name]) / abs(truth[name]) if math.isfinite(value) else math.inf
        ok = rel <= tol
        passed += ok
        print(f"{name}: relative error {rel:.4f} {'ok' if ok else 'too large'}")
    total = len(want) + len(SCALARS)
    print(f"{passed}/{total} checks passed")
    print(round(passed / total, 4))


main()
