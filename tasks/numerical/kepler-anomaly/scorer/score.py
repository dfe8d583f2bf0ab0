#!/usr/bin/env python3
"""Scorer for kepler-anomaly: the submitted eccentric anomaly (radians) must be within 1e-9 of
the root in truth.json (made by generate.py). One number, no partial credit."""

import json
import math
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOLERANCE = 1e-9


def read_submission() -> str | None:
    """submission.txt in the work directory, else the submit tool's file; None when empty."""
    for candidate in ("submission.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                return text
    return None


def main() -> None:
    """Print a verdict, then the score."""
    want = float(json.loads((HERE / "truth.json").read_text())["eccentric_anomaly_rad"])
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        value = float(text.strip().split()[0])
    except (ValueError, IndexError):
        print(f"not a number: {text.strip()[:80]!r}")
        print(0.0)
        return
    ok = math.isfinite(value) and abs(value - want) <= TOLERANCE
    print(f"submitted {value!r}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
