#!/usr/bin/env python3
"""Scorer for stream-cipher-break: 1.0 when the submitted key is the sealing key (16 hex digits,
the byte order vault.py takes), else 0.0. The key is unique: every LFSR state is observable."""

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
    answer = read_submission()
    if answer is None:
        print("no key was submitted")
        print(0.0)
        return
    answer = answer.lower().removeprefix("0x")[:100]
    correct = answer == (HERE / "key.txt").read_text().strip()
    print(f"key {answer!r}: {'correct' if correct else 'wrong'}")
    print(1.0 if correct else 0.0)


main()
