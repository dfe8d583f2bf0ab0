#!/usr/bin/env python3
"""Reference keygen: python3 keygen.py USERNAME CLASS DAY prints a serial. The constants were
lifted from license.img (they are in params.json next to this file)."""

import json
import sys
from pathlib import Path

M32 = 0xFFFFFFFF
P = json.loads((Path(__file__).resolve().parent / "params.json").read_text())


def rol(a: int, n: int) -> int:
    return (a << n | a >> (32 - n)) & M32 if n else a


def hashes(user: bytes) -> tuple[int, int]:
    h1 = P["C0"]
    for b in user:
        h1 = (rol(h1 ^ b, P["A1"]) * P["P1"] + P["C1"]) & M32
    h2 = P["D0"]
    for b in reversed(user):
        h2 = ((h2 + b) * P["P2"]) & M32
        h2 ^= h2 >> P["S2"]
    return h1, h2


def serial(user: bytes, cls: int, day: int) -> str:
    inverse = [0] * 256
    for i, s in enumerate(P["sbox"]):
        inverse[s] = i
    h1, h2 = hashes(user)
    keys, k = [], h1
    for i in range(8):
        k = ((rol(k, P["A2"]) ^ P["KC"]) + i) & M32
        keys.append(k)
    # Undo the rounds (L, R) <- (R, S(L + f(R, k))) from the target (h2, h1 ^ C3).
    left, right = h2, h1 ^ P["C3"]
    for k in reversed(keys):
        prev_right = left
        mixed = int.from_bytes(bytes(inverse[b] for b in right.to_bytes(4, "little")), "little")
        f = ((rol(prev_right, P["A3"]) ^ k) + (prev_right >> P["B"])) & M32
        left, right = (mixed - f) & M32, prev_right
    c = ((h2 ^ (cls << 16 | day)) * P["P3"]) & M32
    c ^= c >> 15
    check = rol((c + left) & M32, P["A4"]) ^ right
    bits = (left << 88 | right << 56 | cls << 48 | day << 32 | check) << 5 | P["PAD"]
    chars = "".join(P["alphabet"][bits >> (5 * (24 - i)) & 31] for i in range(25))
    return "-".join(chars[i : i + 5] for i in range(0, 25, 5))


if __name__ == "__main__":
    print(serial(sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])))
