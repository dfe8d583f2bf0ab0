#!/usr/bin/env python3
"""Scorer for accuracy-from-predictions: 1.0 when the submitted answer matches truth.json (written by
generate.py), else 0.0. The expected answer never leaves the scorer folder."""

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
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                return text
    return None


def matches(text: str, truth: dict) -> bool:
    """Compare the first word of the answer with the truth, as its kind says."""
    word = text.split()[0].strip("`'\"")
    kind = truth["kind"]
    if kind == "int":
        return int(word) == truth["answer"]
    if kind == "float":
        value = float(word)
        return math.isfinite(value) and abs(value - truth["answer"]) <= truth["tolerance"]
    if word.endswith("()"):
        word = word[:-2]
    return word == truth["answer"]


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    try:
        correct = matches(text, truth)
    except ValueError:
        correct = False
    print(f"submitted {text[:80]!r}: {'correct' if correct else 'wrong'}")
    print(1.0 if correct else 0.0)


main()
