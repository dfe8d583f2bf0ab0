#!/bin/bash
# Reference solution: try every shift and keep the one whose decryption holds the most common
# English words (a person would just read the 26 candidates).
set -euo pipefail
python3 - <<'PY'
text = open("intercept.txt").read()
common = {"the", "and", "to", "of", "at", "in", "on", "will", "after", "it", "this", "we"}


def unshift(key: int) -> str:
    return "".join(
        chr((ord(c) - base - key) % 26 + base) if c.isascii() and c.isalpha() else c
        for c in text
        for base in [97 if c.islower() else 65]
    )


def score(key: int) -> int:
    return sum(w.strip(".,").lower() in common for w in unshift(key).split())


best = max(range(26), key=score)
open("submission.txt", "w").write(f"{best}\n")
PY
