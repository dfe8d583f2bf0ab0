"""courier: seal short operational messages for the branch couriers.

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
