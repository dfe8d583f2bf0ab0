#!/usr/bin/env python3
"""Scorer for handler-vuln-triage: the submission lists vulnerable handlers, one
`function class` pair per line; the score is the F1 between the distinct submitted pairs and
the planted ones in truth.json (2 * correct / (submitted + planted))."""

import json
import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLASSES = {"sqli", "idor", "path-traversal", "command-injection", "ssrf", "template-injection",
           "missing-auth", "mass-assignment"}


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
    truth = {(t["function"], t["class"]) for t in json.loads((HERE / "truth.json").read_text())}
    text = read_submission()
    if text is None:
        print("no answer was submitted")
        print(0.0)
        return
    claims = set()
    for line in text.splitlines()[:500]:
        words = [w for w in re.split(r"[\s,;:]+", line.strip()) if w]
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2:
            print(f"ignored line (want: function class): {line.strip()[:80]!r}")
            continue
        function = words[0].split(".")[-1].removesuffix("()")
        cls = words[1].lower()
        if cls not in CLASSES:
            print(f"unknown class {cls!r} for {function}")
        claims.add((function, cls))
    if not claims:
        print("no function/class pairs found")
        print(0.0)
        return
    correct = claims & truth
    for function, cls in sorted(claims):
        print(f"{function} {cls}: {'correct' if (function, cls) in truth else 'wrong'}")
    print(f"{len(correct)} of {len(truth)} found; {len(claims)} claimed")
    print(round(2 * len(correct) / (len(claims) + len(truth)), 4))


main()
