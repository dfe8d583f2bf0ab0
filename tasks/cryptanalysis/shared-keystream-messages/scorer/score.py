#!/usr/bin/env python3
"""Scorer for shared-keystream-messages: the share of plaintext characters recovered, compared
position by position (line i of the answer against message i of the outbox; a missing or short
line counts its missing characters as wrong, extra characters are ignored)."""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_answer() -> str | None:
    """plaintexts.txt in the work directory, else $HORIZON_SUBMISSION_FILE; None when empty."""
    for candidate in ("plaintexts.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                return text
    return None


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text())["messages"]
    text = read_answer()
    if text is None:
        print("no plaintexts.txt")
        print(0.0)
        return
    lines = text.split("\n")
    right = total = 0
    for i, want in enumerate(truth):
        got = lines[i].rstrip("\r") if i < len(lines) else ""
        right += sum(1 for a, b in zip(got, want) if a == b)
        total += len(want)
    score = right / total
    print(f"{right} of {total} characters right")
    print(round(score, 4))


main()
