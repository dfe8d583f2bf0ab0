"""transferd: the branch transfer service (request checking only).

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
    if not re.fullmatch(r"[0-9]{1,9}\.[0-9]{2}", f["amount"]):
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
        USED_NONCES_FILE.write_text("\n".join(sorted(used)) + "\n")
        print("accepted:", f["from"], "->", f["to"], f["amount"])


if __name__ == "__main__":
    main()
