#!/usr/bin/env python3
"""Scorer for gc-richest-record: the submission is `RECORD GC` (the record's name and its GC
percentage). 1.0 when both are right (GC within 0.01 of truth.json), 0.5 for the right record
with a wrong or missing number, else 0.0."""

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
            text = path.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                return text
    return None


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    parts = text.replace(",", " ").replace("\t", " ").split()
    name = parts[0].lstrip(">") if parts else ""
    value = math.nan
    if len(parts) > 1:
        try:
            value = float(parts[1].rstrip("%"))
        except ValueError:
            pass
    if name != truth["record"]:
        print(f"record {name[:40]!r}: wrong")
        print(0.0)
        return
    ok = math.isfinite(value) and abs(value - truth["gc_percent"]) <= 0.01 + 1e-9
    print(f"record right; GC {value}: {'right' if ok else 'wrong'}")
    print(1.0 if ok else 0.5)


main()
