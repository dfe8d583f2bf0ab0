"""Reference solution, every layer broken for real. Layer 1: VBX-64 is affine (E_k(x) = A x + c_k,
A independent of the key), so the first known block gives c_k. Layer 2: a pairwise gcd factors
the officer's modulus. Layer 3: the Mersenne Twister state from the 12-bit request ids by
Gaussian elimination over GF(2) (about 20 s of the total)."""

import base64
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, ".")
import vaultbox  # noqa: E402

# Layer 1.
rk = vaultbox.round_keys(b"any key at all!!")
zero = vaultbox.encrypt_block(rk, 0)
cols = [vaultbox.encrypt_block(rk, 1 << i) ^ zero for i in range(64)]  # A e_i


def apply(columns: list[int], x: int) -> int:
    v = 0
    for i in range(64):
        if x >> i & 1:
            v ^= columns[i]
    return v


# Invert A: track (A e_i, e_i) pairs and reduce to unit vectors (Gauss-Jordan on columns).
pairs = [(cols[i], 1 << i) for i in range(64)]
inverse = [0] * 64
for bit in range(64):
    j = next(j for j in range(bit, 64) if pairs[j][0] >> bit & 1)
    pairs[bit], pairs[j] = pairs[j], pairs[bit]
    for j in range(64):
        if j != bit and pairs[j][0] >> bit & 1:
            pairs[j] = (pairs[j][0] ^ pairs[bit][0], pairs[j][1] ^ pairs[bit][1])
for bit in range(64):
    inverse[bit] = pairs[bit][1]  # A^-1 e_bit

text = Path("archive.vbx").read_text()
header, _, body = text.partition("\n")
iv = int(header.split("iv=")[1], 16)
data = base64.b64decode(body)
blocks = [int.from_bytes(data[i : i + 8], "big") for i in range(0, len(data), 8)]
c_k = blocks[0] ^ apply(cols, int.from_bytes(b"VAULTBOX", "big") ^ iv)
plain, prev = bytearray(), iv
for block in blocks:
    plain += (apply(inverse, block ^ c_k) ^ prev).to_bytes(8, "big")
    prev = block
container = json.loads(bytes(plain[: -plain[-1]]).decode().partition("\n")[2])
token1 = container["note"].split()[-1]

# Layer 2.
ring = {name: int(k["n"], 16) for name, k in container["keyring"].items()}
n = ring[container["wrapped_for"]]
p = next(math.gcd(n, m) for name, m in ring.items() if m != n and math.gcd(n, m) > 1)
d = pow(65537, -1, (p - 1) * (n // p - 1))
session_key = vaultbox.unwrap(n, d, int(container["wrapped_key"], 16))
sealed = base64.b64decode(container["sealed"])
payload = json.loads(vaultbox.stream_xor(session_key, bytes.fromhex(container["sealed_nonce"]), sealed))
token2 = payload["token"]



def mt_attack(log_text: str) -> bytes:
    """Unknowns: the 19968 bits of the generator's words after its first twist. Every output bit
    is an XOR of some of them; each GET gives the top 12 bits of one output."""
    n_words, matrix_a = 624, 0x9908B0DF
    mt = [[1 << (32 * w + b) for b in range(32)] for w in range(n_words)]

    def twist() -> None:
        for i in range(n_words):
            y = [mt[(i + 1) % n_words][b] for b in range(31)] + [mt[i][31]]
            nxt = mt[(i + 397) % n_words]
            mt[i] = [
                nxt[j] ^ (y[j + 1] if j < 31 else 0) ^ (y[0] if matrix_a >> j & 1 else 0) for j in range(32)
            ]

    def temper(y: list[int]) -> list[int]:
        y = [y[j] ^ (y[j + 11] if j + 11 < 32 else 0) for j in range(32)]
        y = [y[j] ^ (y[j - 7] if j >= 7 and 0x9D2C5680 >> j & 1 else 0) for j in range(32)]
        y = [y[j] ^ (y[j - 15] if j >= 15 and 0xEFC60000 >> j & 1 else 0) for j in range(32)]
        return [y[j] ^ (y[j + 18] if j + 18 < 32 else 0) for j in range(32)]

    index, consumed, pivots = 0, 0, {}
    for line in log_text.splitlines():
        kind = line.split()[1]
        draws = {"GET": 1, "RETRY": 2, "PING": 0}[kind]
        for _ in range(draws):
            if index == n_words:
                twist()
                index = 0
            out = temper(mt[index])
            index += 1
            consumed += 1
        if kind == "GET":
            rid = int(line.split("rid=")[1], 16)
            for k in range(12):
                m, r = out[20 + k], rid >> k & 1
                while m:
                    low = m & -m
                    if low not in pivots:
                        pivots[low] = (m, r)
                        break
                    m, r = m ^ pivots[low][0], r ^ pivots[low][1]
    solution = 0
    for low in sorted(pivots, reverse=True):
        m, r = pivots[low]
        if r ^ (bin(m & solution).count("1") & 1):
            solution |= low
    words = [solution >> (32 * w) & 0xFFFFFFFF for w in range(n_words)]
    gen = random.Random()
    gen.setstate((3, (*words, 0), None))
    for _ in range(consumed):
        gen.getrandbits(32)
    return gen.randbytes(32)


# Layer 3.
vault_key = mt_attack(payload["service_log"])
vault = vaultbox.stream_xor(vault_key, bytes.fromhex(payload["vault_nonce"]), base64.b64decode(payload["vault"]))
token3 = next(l for l in vault.decode().splitlines() if l.startswith("recovery token:")).split()[-1]
Path("answers.txt").write_text(f"stage1: {token1}\nstage2: {token2}\nstage3: {token3}\n")
