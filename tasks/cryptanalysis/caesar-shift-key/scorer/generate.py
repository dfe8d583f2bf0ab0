"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes intercept.txt (environment: a short English message under a Caesar shift; letters keep
their case, everything else is unchanged) and truth.json (scorer: the shift). The shift is
drawn from 3..23 without 13, so that shifting the wrong way gives a different answer.
"""

import json
import random
import sys
from pathlib import Path

SEED = 30_977
SENTENCES = [
    "The courier will arrive at the north gate shortly after midnight.",
    "Bring the second ledger and leave the copies in the locked drawer.",
    "Our contact at the harbour office has asked for more time.",
    "Do not use the telephone in the hotel lobby again.",
    "The shipment was moved to the warehouse behind the railway station.",
    "Meet me on Thursday at the usual table near the window.",
    "Burn this note after reading it and tell nobody about the meeting.",
    "The guards change their watch every four hours, starting at six.",
    "We still need the keys to the archive on the third floor.",
    "If the weather turns bad, the boat will wait one more day.",
]


def shift(text: str, key: int) -> str:
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + key) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + key) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    key = rng.choice([k for k in range(3, 24) if k != 13])
    message = " ".join(rng.sample(SENTENCES, 5))
    out = Path(outdir)
    (out / "intercept.txt").write_text(shift(message, key) + "\n")
    (out / "truth.json").write_text(json.dumps({"kind": "int", "answer": key}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
