"""Regenerates this task's data: python3 generate.py OUTDIR writes fwsign.py, domain.json,
signing.log (for environment/) and key.json (for scorer/). Deterministic (fixed seed).

A DSA key (1024-bit p, 256-bit q) signs firmware manifests. Release builds are signed by an HSM
with full-size nonces; nightly builds by the build farm's software signer, whose nonce routine
keeps only 28 bytes of a SHA-256 digest: 224-bit nonces for a 256-bit q, so the top 32 bits of
every nightly nonce are zero. That is a hidden number problem: with about a dozen nightly
signatures, a lattice of dimension n + 2 reduced with LLL yields the private key. Release
signatures mixed into the lattice spoil it, so they must be left out (the log says which signer
made each signature).
"""

import hashlib
import json
import random
import sys
from pathlib import Path

SEED = 8_086_2026
NIGHTLY, RELEASE = 14, 16

FWSIGN = '''"""fwsign: sign and verify firmware manifests (DSA over a 1024-bit group with a 256-bit q).

Domain parameters and the public key are in domain.json. A manifest is a JSON object; what gets
signed is its canonical form (keys sorted, no spaces, UTF-8). Two signers share the one key:
release builds go through the HSM; nightly builds are signed on the build farm by NightlySigner,
which cannot reach the HSM and derives its nonces itself (below).
"""

import hashlib
import json
import os


def canonical(manifest: dict) -> bytes:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()


def digest(manifest: dict, q: int) -> int:
    h = int.from_bytes(hashlib.sha256(canonical(manifest)).digest(), "big")
    return h % q


def verify(dom: dict, manifest: dict, r: int, s: int) -> bool:
    p, q, g, y = dom["p"], dom["q"], dom["g"], dom["y"]
    if not (0 < r < q and 0 < s < q):
        return False
    w = pow(s, -1, q)
    u1, u2 = digest(manifest, q) * w % q, r * w % q
    return pow(g, u1, p) * pow(y, u2, p) % p % q == r


class NightlySigner:
    """Software signer for nightly builds. The nonce must never repeat, so it comes from a
    secret seed and a counter through SHA-256; 224 bits of nonce are plenty for anyone."""

    def __init__(self, dom: dict, x: int, seed: bytes | None = None):
        self.dom, self.x = dom, x
        self.seed = seed or os.urandom(32)
        self.counter = 0

    def nonce(self) -> int:
        self.counter += 1
        block = hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
        return int.from_bytes(block[:28], "big")

    def sign(self, manifest: dict) -> tuple[int, int]:
        p, q, g = self.dom["p"], self.dom["q"], self.dom["g"]
        while True:
            k = self.nonce()
            r = pow(g, k, p) % q
            s = pow(k, -1, q) * (digest(manifest, q) + self.x * r) % q
            if r and s:
                return r, s
'''


def is_prime(n: int, rng: random.Random) -> bool:
    if n < 2:
        return False
    for sp in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71):
        if n % sp == 0:
            return n == sp
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(24):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def canonical(manifest: dict) -> bytes:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    while True:
        q = rng.getrandbits(256) | 1 << 255 | 1
        if is_prime(q, rng):
            break
    while True:
        m = rng.getrandbits(1024 - 256) | 1 << (1023 - 256)
        p = m * q + 1
        if p.bit_length() == 1024 and is_prime(p, rng):
            break
    while True:
        g = pow(rng.randrange(2, p - 1), (p - 1) // q, p)
        if g != 1:
            break
    x = rng.randrange(1, q)
    y = pow(g, x, p)
    dom = {"p": p, "q": q, "g": g, "y": y}
    seed = rng.randbytes(32)
    counter = 0
    kinds = ["nightly"] * NIGHTLY + ["release"] * RELEASE
    rng.shuffle(kinds)
    lines = []
    day, version = 1, [4, 2, 0]
    for kind in kinds:
        day += rng.randint(1, 3)
        if kind == "release":
            version = [version[0], version[1] + 1, 0] if rng.random() < 0.3 else [*version[:2], version[2] + 1]
        manifest = {
            "product": "gw-3100",
            "version": ".".join(map(str, version)) + ("" if kind == "release" else f"-nightly.{day}"),
            "date": f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}",
            "image_sha256": rng.randbytes(32).hex(),
            "size": rng.randint(3_000_000, 9_000_000),
        }
        h = int.from_bytes(hashlib.sha256(canonical(manifest)).digest(), "big") % q
        while True:
            if kind == "nightly":
                counter += 1
                k = int.from_bytes(hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()[:28], "big")
            else:
                k = rng.randrange(1, q)
            r = pow(g, k, p) % q
            s = pow(k, -1, q) * (h + x * r) % q
            if r and s:
                break
        signer = "hsm-01" if kind == "release" else "buildfarm"
        lines.append(json.dumps({"signer": signer, "manifest": manifest, "r": hex(r), "s": hex(s)}) + "\n")
    (out / "fwsign.py").write_text(FWSIGN)
    (out / "domain.json").write_text(json.dumps({k: v for k, v in dom.items()}, indent=1) + "\n")
    (out / "signing.log").write_text("".join(lines))
    (out / "key.json").write_text(json.dumps({"x": x}) + "\n")


if __name__ == "__main__":
    main()
