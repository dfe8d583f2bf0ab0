#!/usr/bin/env python3
"""Scorer for which-is-quadratic: 1.0 when the submission names the quadratic routine in
truth.json (made by generate.py), else 0.0. A trailing "()" or surrounding quotes are forgiven;
naming more than one function is wrong."""

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
    """Print a verdict, then the score."""
    want = json.loads((HERE / "truth.json").read_text())["quadratic"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    answer = text.strip().strip("`'\"").removesuffix("()").strip()[:200]
    ok = answer == want
    print(f"submitted {answer!r}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
