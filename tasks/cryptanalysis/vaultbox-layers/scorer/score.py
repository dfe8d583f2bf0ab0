#!/usr/bin/env python3
"""Scorer for vaultbox-layers: one third for each layer's token found in answers.txt (lines
`stage1: TOKEN`, `stage2: TOKEN`, `stage3: TOKEN`)."""

import json
import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_answer() -> str | None:
    """answers.txt in the work directory, else $HORIZON_SUBMISSION_FILE; None when empty."""
    for candidate in ("answers.txt", os.environ.get("HORIZON_SUBMISSION_FILE", "")):
        path = Path(candidate)
        if candidate and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                return text
    return None


def main() -> None:
    tokens = json.loads((HERE / "truth.json").read_text())["tokens"]
    text = read_answer()
    if text is None:
        print("no answers.txt")
        print(0.0)
        return
    given = {}
    for line in text.splitlines()[:20]:
        m = re.fullmatch(r"\s*stage([123])\s*:\s*(\S+)\s*", line)
        if m:
            given[int(m.group(1))] = m.group(2)
    right = 0
    for stage, want in enumerate(tokens, start=1):
        ok = given.get(stage) == want
        right += ok
        print(f"stage {stage}: {'right' if ok else 'missing or wrong'}")
    print(round(right / 3, 4))


main()
