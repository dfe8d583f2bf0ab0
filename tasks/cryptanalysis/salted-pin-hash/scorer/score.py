#!/usr/bin/env python3
"""Scorer for salted-pin-hash: 1.0 when the submitted PIN is the target user's PIN, else 0.0."""

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
    truth = json.loads((HERE / "truth.json").read_text())
    answer = read_submission()
    if answer is None:
        print("no PIN was submitted")
        print(0.0)
        return
    answer = answer[:40]
    correct = answer == truth["pin"]
    print(f"PIN {answer!r}: {'correct' if correct else 'wrong'}")
    print(1.0 if correct else 0.0)


main()
