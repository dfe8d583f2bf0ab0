#!/usr/bin/env python3
"""Scorer for extrapolate-constant-step: 1.0 when the submitted number is within 0.5 of the value
recorded in truth.json by generate.py (the series is whole numbers, so this asks for the exact
integer; a thousands separator or a trailing ".0" is accepted), else 0.0."""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOLERANCE = 0.5


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
    want = json.loads((HERE / "truth.json").read_text())["answer"]
    answer = read_submission()
    if answer is None:
        print("no answer was submitted")
        print(0.0)
        return
    token = answer.split()[0].replace(",", "")[:40]
    try:
        got = float(token)
    except ValueError:
        print(f"not a number: {token!r}")
        print(0.0)
        return
    ok = abs(got - want) <= TOLERANCE
    print(f"submitted {got:g}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
