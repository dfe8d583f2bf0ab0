#!/bin/bash
# Try all a million PINs against the target's record (a few seconds).
set -euo pipefail
python3 - <<'PY'
import hashlib

line = next(l for l in open("users.db") if l.startswith("mhalvorsen:"))
_user, salt, stored = line.strip().split(":")
for n in range(10**6):
    d = (salt + f"{n:06d}").encode()
    for _ in range(3):
        d = hashlib.sha256(d).digest()
    if d.hex() == stored:
        open("submission.txt", "w").write(f"{n:06d}\n")
        break
PY
