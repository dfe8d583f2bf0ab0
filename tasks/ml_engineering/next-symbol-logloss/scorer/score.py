#!/usr/bin/env python3
"""Scorer for next-symbol-logloss: mean log-loss (natural log) of the agent's predictive
distributions on the hidden next symbols.

Each row of predictions.csv is normalised to sum to 1 and every probability is floored at 1e-6
(then normalised again); a missing or unreadable row counts as the uniform distribution.
score = clamp((unigram - loss) / (unigram - bar), 0, 1), with the numbers in bar.json: the bar is
the true model's loss on these prefixes plus 0.012 nats.
"""

import csv
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYMBOLS = "abcdefgh"


def distribution(row: dict) -> list[float] | None:
    try:
        probs = [float(row.get(s) or "nan") for s in SYMBOLS]
    except ValueError:
        return None
    if not all(math.isfinite(p) and p >= 0 for p in probs) or sum(probs) <= 0:
        return None
    total = sum(probs)
    probs = [max(p / total, 1e-6) for p in probs]
    total = sum(probs)
    return [p / total for p in probs]


def main() -> None:
    info = json.loads((HERE / "bar.json").read_text())
    truth = dict(line.split("\t") for line in (HERE / "test_next.txt").read_text().split("\n") if line)
    path = Path("predictions.csv")
    if not path.is_file():
        print("predictions.csv is missing")
        print(0.0)
        return
    got: dict[str, list[float] | None] = {}
    with open(path, newline="", errors="replace") as handle:
        for row in csv.DictReader(handle):
            got[(row.get("id") or "").strip()] = distribution(row)
    loss, bad = 0.0, 0
    for qid, symbol in truth.items():
        probs = got.get(qid)
        if probs is None:
            bad += 1
            probs = [1 / len(SYMBOLS)] * len(SYMBOLS)
        loss -= math.log(probs[SYMBOLS.index(symbol)])
    loss /= len(truth)
    print(f"mean log-loss {loss:.4f} over {len(truth)} prefixes ({bad} missing or invalid rows)")
    print(f"unigram {info['unigram']}, bar {info['bar']}, true model {info['oracle']}")
    score = (info["unigram"] - loss) / (info["unigram"] - info["bar"])
    print(round(max(0.0, min(1.0, score)), 4))


try:
    main()
except (csv.Error, UnicodeDecodeError, ValueError, OSError) as exc:
    print(f"could not check the agent's output: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
