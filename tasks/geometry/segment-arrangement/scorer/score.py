#!/usr/bin/env python3
"""Scorer for segment-arrangement: answers.json in the work directory holds seven numbers about
the arrangement of segments.txt; each one that matches truth.json (made by generate.py) earns
1/7. Counts must be exact; the enclosed area must be within 0.001."""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNTS = ["meeting_pairs", "vertices", "edges", "components", "bounded_faces", "max_through"]


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    path = Path("answers.json")
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(got, dict)
    except (OSError, ValueError, AssertionError):
        print("answers.json is missing or is not a JSON object")
        print(0.0)
        return
    right = 0
    for key in COUNTS + ["enclosed_area"]:
        value = got.get(key)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            print(f"{key}: missing or not a number")
            continue
        if key == "enclosed_area":
            ok = math.isfinite(number) and abs(number - truth[key]) <= 1e-3
        else:
            ok = math.isfinite(number) and number == int(truth[key])
        right += ok
        print(f"{key}: {'right' if ok else 'wrong'}")
    print(f"{right}/7 right")
    print(round(right / 7, 4))


main()
