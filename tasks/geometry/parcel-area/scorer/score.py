#!/usr/bin/env python3
"""Scorer for parcel-area: 1.0 when the submitted number is within 0.5 m^2 of the parcel's area
in truth.json (exact shoelace area of the written vertices, made by generate.py); else 0.0.
A negative number (the signed sum of a clockwise ring) is wrong."""

import json
import math
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_submission() -> str | None:
    """submission.txt in the work directory, else $HORIZON_SUBMISSION_FILE; None when empty."""
    for candidate in ("submission.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                return text
    return None


def main() -> None:
    want = json.loads((HERE / "truth.json").read_text())["area_m2"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        value = float(text.split()[0].replace(",", ""))
    except (ValueError, IndexError):
        print(f"not a number: {text[:80]!r}")
        print(0.0)
        return
    ok = math.isfinite(value) and abs(value - want) <= 0.5
    print(f"submitted {value}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
