#!/usr/bin/env python3
"""Scorer for biased-nonce-dsa: 1.0 when the submitted hex number is the DSA private key x,
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
    want = json.loads((HERE / "key.json").read_text())["x"]
    answer = read_submission()
    if answer is None:
        print("no key was submitted")
        print(0.0)
        return
    text = answer.split()[0].lower().removeprefix("0x")[:200]
    try:
        value = int(text, 16)
    except ValueError:
        print(f"not a hex number: {text[:80]!r}")
        print(0.0)
        return
    correct = value == want
    print(f"private key: {'correct' if correct else 'wrong'}")
    print(1.0 if correct else 0.0)


main()
