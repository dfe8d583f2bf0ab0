"""Regenerates this task's data: python3 generate.py OUTDIR writes transferd.py and requests.log
(for environment/ and scorer/) and secret.json (for scorer/). Deterministic (fixed seed).

The transfer service signs requests with sig = SHA-256(secret || decoded query), a MAC open to
length extension: from any logged request one can compute the hash of secret || query || padding
|| suffix without the secret, and the service's parser lets later fields override earlier ones,
so a suffix `&to=...&amount=...&nonce=...` turns a logged transfer into a new one. The secret is
20 bytes (transferd.py says so); the signed bytes are the percent-decoded query, whose length
differs from the logged text's length.
"""

import hashlib
import json
import random
import sys
import urllib.parse
from pathlib import Path

SEED = 5_550_2026
SECRET_LEN = 20

TRANSFERD = '''"""transferd: the branch transfer service (request checking only).

A request line is the percent-encoded query, then `&sig=` and the signature: the hex SHA-256 of
the service's secret followed by the decoded query bytes. Clients that hold the secret sign their
own requests; the service checks the signature, then the fields.
"""

import hashlib
import hmac
import re
import urllib.parse
from pathlib import Path

SECRET_FILE = Path("/etc/transferd/secret.bin")
USED_NONCES_FILE = Path("/var/lib/transferd/nonces.txt")


class Rejected(Exception):
    pass


def load_secret() -> bytes:
    secret = SECRET_FILE.read_bytes()
    assert len(secret) == 20, "the secret is 20 random bytes"
    return secret


def signature(secret: bytes, raw_query: bytes) -> str:
    return hashlib.sha256(secret + raw_query).hexdigest()


def fields_of(raw_query: bytes) -> dict[str, str]:
    fields = {}
    for part in raw_query.split(b"&"):
        name, _, value = part.partition(b"=")
        fields[name.decode("latin-1")] = value.decode("latin-1")  # a repeated field: the last wins
    return fields


def check(line: str, secret: bytes, used_nonces: set[str]) -> dict[str, str]:
    """The accepted transfer's fields, or Rejected."""
    query, sep, sig = line.strip().rpartition("&sig=")
    if not sep:
        raise Rejected("no signature")
    raw = urllib.parse.unquote_to_bytes(query)
    if not hmac.compare_digest(signature(secret, raw), sig.lower()):
        raise Rejected("bad signature")
    f = fields_of(raw)
    for name in ("from", "to", "amount", "nonce", "ts"):
        if name not in f:
            raise Rejected(f"missing {name}")
    if not re.fullmatch(r"acct-[0-9]{4}", f["from"]) or not re.fullmatch(r"acct-[0-9]{4}", f["to"]):
        raise Rejected("bad account")
    if f["from"] == f["to"]:
        raise Rejected("same account")
    if not re.fullmatch(r"[0-9]{1,9}\\.[0-9]{2}", f["amount"]):
        raise Rejected("bad amount")
    if not re.fullmatch(r"[0-9a-f]{16}", f["nonce"]) or f["nonce"] in used_nonces:
        raise Rejected("bad or replayed nonce")
    if not re.fullmatch(r"[0-9]{10}", f["ts"]):
        raise Rejected("bad timestamp")
    return f


def main() -> None:
    import sys

    secret = load_secret()
    used = set(USED_NONCES_FILE.read_text().split())
    for line in sys.stdin:
        try:
            f = check(line, secret, used)
        except Rejected as why:
            print("rejected:", why)
            continue
        used.add(f["nonce"])
        USED_NONCES_FILE.write_text("\\n".join(sorted(used)) + "\\n")
        print("accepted:", f["from"], "->", f["to"], f["amount"])


if __name__ == "__main__":
    main()
'''

MEMOS = ["rent march", "invoice 2231", "school fees", "car repair & parts", "loan 50%", "gift",
         "utilities q1", "deposit flat 4/b", "refund #118", "payroll", "tax 2025", "fuel card"]


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    secret = rng.randbytes(SECRET_LEN)
    ts = 1_770_800_000
    lines, nonces = [], []
    for _ in range(14):
        ts += rng.randint(40, 4000)
        a, b = rng.sample(range(1000, 10000), 2)
        nonce = rng.randbytes(8).hex()
        nonces.append(nonce)
        fields = [("from", f"acct-{a}"), ("to", f"acct-{b}"),
                  ("amount", f"{rng.randint(500, 250000) / 100:.2f}"), ("memo", rng.choice(MEMOS)),
                  ("nonce", nonce), ("ts", str(ts))]
        raw = "&".join(f"{k}={v}" for k, v in fields).encode()
        query = "&".join(f"{k}={urllib.parse.quote(v, safe='-.')}" for k, v in fields)
        sig = hashlib.sha256(secret + raw).hexdigest()
        lines.append(f"{query}&sig={sig}\n")
    (out / "transferd.py").write_text(TRANSFERD)
    (out / "requests.log").write_text("".join(lines))
    (out / "secret.json").write_text(json.dumps({"secret": secret.hex(), "used_nonces": nonces}) + "\n")


if __name__ == "__main__":
    main()
