#!/usr/bin/env python3
"""Scorer for service-listen-port: the submitted number must equal the active port in truth.json
(made by generate.py). The commented-out port and the .dpkg-old leftover's port fail."""

import json
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
    want = json.loads((HERE / "truth.json").read_text())["port"]
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    got = text.strip().split(":")[-1].split("/")[0].strip()
    ok = got.isdigit() and int(got) == want
    print(f"submitted {text.strip()[:80]!r}: {'correct' if ok else 'wrong'}")
    print(1.0 if ok else 0.0)


main()
