#!/usr/bin/env python3
"""Scorer for polygon-boolean-census: answers.json maps each case id of cases.json to the area,
pieces and holes of the result; a case counts when the two counts are exact and the area is
within 0.001 of truth.json (made by generate.py). The score is the fraction of the 240 cases
that count."""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent


def right(entry: object, want: dict) -> bool:
    if not isinstance(entry, dict):
        return False
    try:
        area = float(entry["area"])
        pieces = float(entry["pieces"])
        holes = float(entry["holes"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        math.isfinite(area)
        and abs(area - want["area"]) <= 1e-3
        and pieces == want["pieces"]
        and holes == want["holes"]
    )


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    try:
        got = json.loads(Path("answers.json").read_text(encoding="utf-8"))
        assert isinstance(got, dict)
    except (OSError, ValueError, AssertionError):
        print("answers.json is missing or is not a JSON object")
        print(0.0)
        return
    wrong = [cid for cid, want in truth.items() if not right(got.get(cid), want)]
    ok = len(truth) - len(wrong)
    print(f"{ok}/{len(truth)} cases right; wrong: {', '.join(wrong[:30])}{' ...' if len(wrong) > 30 else ''}")
    print(round(ok / len(truth), 4))


main()
