#!/usr/bin/env python3
"""Scorer for which-line-injects: 1.0 when the submitted number is the line of reports.py that
splices a client-supplied value into SQL text (truth.json, made by generate.py), else 0.0."""

import json
import os
import re
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
    want = json.loads((HERE / "truth.json").read_text())["line"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    match = re.fullmatch(r"\s*(?:line\s*)?(\d{1,6})\s*", text, flags=re.IGNORECASE)
    if match is None:
        print(f"not a line number: {text.strip()[:80]!r}")
        print(0.0)
        return
    ok = int(match.group(1)) == want
    print(f"line {int(match.group(1))}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
