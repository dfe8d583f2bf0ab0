#!/usr/bin/env python3
"""Scorer for refund-count-by-country: 1.0 when the submitted integer equals the count in
truth.json (made by generate.py), else 0.0."""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_submission() -> str | None:
    """submission.txt in the work directory, else the submit tool's file; None when empty."""
    for candidate in ("submission.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                return text
    return None


def main() -> None:
    want = json.loads((HERE / "truth.json").read_text())["refunded_orders_pt"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        value = int(text.split()[0])
    except ValueError:
        print(f"not an integer: {text[:80]!r}")
        print(0.0)
        return
    print(f"submitted {value}: {'correct' if value == want else 'wrong'}")
    print(1.0 if value == want else 0.0)


main()
