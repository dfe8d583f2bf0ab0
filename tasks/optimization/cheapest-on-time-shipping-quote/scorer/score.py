#!/usr/bin/env python3
"""Scorer for cheapest-on-time-shipping-quote: 1.0 when the submitted quote id is the cheapest quote
that carries the shipment and arrives by the deadline, as recorded in truth.json by generate.py;
else 0.0."""

import json
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
    want = json.loads((HERE / "truth.json").read_text())["answer"]
    answer = read_submission()
    if answer is None:
        print("no answer was submitted")
        print(0.0)
        return
    got = answer.split()[0].strip().upper()[:40]
    print(f"submitted {got!r}: {'correct' if got == want else 'wrong'}")
    print(1.0 if got == want else 0.0)


main()
