#!/usr/bin/env python3
"""Scorer for dns-answer-in-dump: 1.0 when the submitted IPv4 address is the one the resolver
gave 10.20.0.57 for pkg-mirror.corp.example (truth.json, made by generate.py), else 0.0."""

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
    want = json.loads((HERE / "truth.json").read_text())["address"]
    answer = read_submission()
    if answer is None:
        print("no answer was submitted")
        print(0.0)
        return
    answer = answer.split()[0][:60] if answer.split() else ""
    ok = answer == want
    print(f"submitted {answer!r}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
