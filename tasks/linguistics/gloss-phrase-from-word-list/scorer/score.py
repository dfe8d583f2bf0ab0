#!/usr/bin/env python3
"""Scorer for gloss-phrase-from-word-list: 1.0 when the submitted Velari words are the word-by-word
translation recorded in truth.json by generate.py (case and spacing ignored), else 0.0."""

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
    want = json.loads((HERE / "truth.json").read_text())["answer"].split()
    answer = read_submission()
    if answer is None:
        print("no answer was submitted")
        print(0.0)
        return
    got = answer.lower()[:400].split()
    ok = got == want
    print(f"submitted {len(got)} words: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
