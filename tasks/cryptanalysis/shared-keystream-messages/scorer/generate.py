"""Regenerates this task's data: python3 generate.py OUTDIR writes courier.py and outbox.txt (for
environment/) and truth.json (for scorer/). Deterministic (fixed seed).

courier.py is a home-made stream cipher: the keystream is SHA-256(key || nonce || counter) blocks,
which would be fine, except that the nonce is the sending date, so every message sent on one day
is XORed with the same keystream. The outbox holds sixteen messages of one day (English
sentences built from ten templates, 84-116 characters), so it is a many-time pad: the plaintexts fall
out of crib-dragging or per-column statistics. The generator redraws until every character
position is covered by at least six messages, so each keystream byte is determined.
"""

import hashlib
import json
import random
import sys
from pathlib import Path

SEED = 31_415_2026
DATE = "2026-03-14"
COUNT = 16

COURIER = '''"""courier: seal short operational messages for the branch couriers.

Usage: python3 courier.py seal KEYHEX "message"   (prints one outbox line)
       python3 courier.py open KEYHEX LINE

The key is 32 random bytes shared by the head office and the branches.
"""

import datetime
import hashlib
import sys


def keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(key + nonce + counter.to_bytes(8, "big")).digest()
        counter += 1
    return out[:length]


def seal(key: bytes, text: str, day: datetime.date | None = None) -> str:
    # a fresh nonce for every message: today's date
    nonce = (day or datetime.date.today()).isoformat()
    data = text.encode()
    body = bytes(a ^ b for a, b in zip(data, keystream(key, nonce.encode(), len(data))))
    return nonce + ":" + body.hex()


def open_line(key: bytes, line: str) -> str:
    nonce, body_hex = line.strip().split(":")
    body = bytes.fromhex(body_hex)
    return bytes(a ^ b for a, b in zip(body, keystream(key, nonce.encode(), len(body)))).decode()


if __name__ == "__main__":
    if sys.argv[1] == "seal":
        print(seal(bytes.fromhex(sys.argv[2]), sys.argv[3]))
    else:
        print(open_line(bytes.fromhex(sys.argv[2]), sys.argv[3]))
'''

PEOPLE = ["Marta", "Julian", "Priya", "Tomasz", "Ingrid", "Kwame", "Lucia", "Farid", "Noor", "Elias"]
PLACES = ["the north depot", "the river branch", "the airport office", "the old mill site",
          "the harbour vault", "the station kiosk", "the east warehouse", "the market branch"]
ITEMS = ["the spare keys", "two sealed bags", "the cash float", "the audit binder", "a locked case",
         "the new badges", "three parcels", "the signed ledger", "the seal press", "the alarm codes"]
TIMES = ["before noon", "after six", "at half past two", "by Friday", "first thing tomorrow",
         "before the audit", "at the usual hour", "on Monday morning", "after lunch", "tonight"]
TEMPLATES = [
    "{p} will collect {i} from {l} {t}; do not hand them to anyone else.",
    "Please move {i} to {l} {t} and phone {p} when it is done.",
    "The van for {l} is late again, so {p} brings {i} {t}.",
    "Change of plan: {p} stays at {l} and keeps {i} until {q} arrives.",
    "{p} reports that {i} at {l} were counted twice; recount {t}.",
    "Do not open {i} without {p}; the seals at {l} must be checked {t}.",
    "Remind {p} that {l} closes early today and {i} leave {t}.",
    "{q} has the only copy of the route for {l}; ask for it {t}.",
    "Lock {i} in the back room at {l} and tell {p} the new code {t}.",
    "{p} and {q} swap shifts; {i} go to {l} {t} as planned.",
]


def message(rng: random.Random, template: str) -> str:
    p, q = rng.sample(PEOPLE, 2)
    text = template.format(p=p, q=q, l=rng.choice(PLACES), i=rng.choice(ITEMS), t=rng.choice(TIMES))
    return text[0].upper() + text[1:]


def keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out, counter = b"", 0
    while len(out) < length:
        out += hashlib.sha256(key + nonce + counter.to_bytes(8, "big")).digest()
        counter += 1
    return out[:length]


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    key = rng.randbytes(32)
    texts: list[str] = []
    order = rng.sample(TEMPLATES, len(TEMPLATES)) + rng.sample(TEMPLATES, COUNT - len(TEMPLATES))
    for template in order:
        t = message(rng, template)
        while not 84 <= len(t) <= 116 or t in texts:
            t = message(rng, template)
        texts.append(t)
    # Shorten the longest message until every position is covered by at least six messages.
    while not all(sum(len(t) > i for t in texts) >= 6 for i in range(max(map(len, texts)))):
        k = max(range(COUNT), key=lambda j: len(texts[j]))
        t = texts[k]
        while len(t) >= len(texts[k]) or len(t) < 84 or t in texts:
            t = message(rng, rng.choice(TEMPLATES))
        texts[k] = t
    stream = keystream(key, DATE.encode(), 116)
    lines = [f"{DATE}:" + bytes(a ^ b for a, b in zip(t.encode(), stream)).hex() + "\n" for t in texts]
    (out / "courier.py").write_text(COURIER)
    (out / "outbox.txt").write_text("".join(lines))
    (out / "truth.json").write_text(json.dumps({"messages": texts}, indent=1) + "\n")


if __name__ == "__main__":
    main()
