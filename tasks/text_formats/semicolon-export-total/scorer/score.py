#!/usr/bin/env python3
"""Scorer for semicolon-export-total: the submitted integer must equal the qty total in
truth.json (made by generate.py)."""

import json
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
    """Print a verdict, then the score."""
    want = json.loads((HERE / "truth.json").read_text())["total_qty"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        print(f"not an integer: {text.strip()[:80]!r}")
        print(0.0)
        return
    ok = value == want
    print(f"submitted {value}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
