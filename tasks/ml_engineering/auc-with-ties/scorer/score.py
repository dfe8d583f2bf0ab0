#!/usr/bin/env python3
"""Scorer for auc-with-ties: the submitted AUC must be within 0.0005 of the tie-aware ROC AUC in
truth.json (made by generate.py). Breaking ties either way misses by more than 0.005."""

import json
import math
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


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
    want = json.loads((HERE / "truth.json").read_text())["auc"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        value = float(text.strip()[:100])
    except ValueError:
        print(f"not a number: {text.strip()[:80]!r}")
        print(0.0)
        return
    ok = math.isfinite(value) and abs(value - want) <= 0.0005 + 1e-12
    print(f"submitted {value}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
