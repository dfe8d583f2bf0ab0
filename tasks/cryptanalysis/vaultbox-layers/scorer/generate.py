"""Regenerates this task's data: python3 generate.py OUTDIR writes vaultbox.py, vaultd.py and
archive.vbx (for environment/) and truth.json (for scorer/). Deterministic (fixed seed). Needs
vaultbox_src.py and svc_src.py next to it.

Three layers, each needing the one before:

1. archive.vbx is VBX-64 in CBC mode under an unknown 128-bit key. The S-box looks random but is
   affine over GF(2) (S(x) = Mx + c for a random invertible 8x8 matrix M), and the mix is linear,
   so for every key E_k(x) = A x + c_k with A independent of the key. A follows from the cipher
   with any key; the first plaintext block (`VAULTBOX`) gives c_k; then every block decrypts.
   The container holds token 1, a keyring of 40 RSA-1024 keys, the session key wrapped for one
   officer, and the sealed payload.
2. Two keyring moduli share a prime (the officer's and one other), so a pairwise gcd factors the
   officer's key; unwrapping gives the session key, and the payload decrypts: token 2, the vault
   service's log and the sealed vault.
3. The service draws everything from one Mersenne Twister (Python's random). The log shows only
   the top 12 bits of each GET's output; RETRYs draw two unseen outputs (random()), PINGs none.
   Every output bit is linear over GF(2) in the 19968 state bits, so some 2600 GETs (about 31000
   equations) pin down the state (rank 19937, the usual MT19937 count); then the generator is
   run forward to the vault key (randbytes(32) after the last request), which opens the vault:
   token 3.

The scorer wants all three tokens (truth.json also keeps the archive and vault keys, for
reference). The reference solution breaks all three layers for real in well under a minute.
"""

import base64
import hashlib
import json
import random
import sys
from pathlib import Path

SEED = 6_502_2026
HERE = Path(__file__).resolve().parent
KEYS, OFFICER, TWIN = 40, 17, 31
WORDS = ["amber", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
         "juniper", "kestrel", "lumen", "marble", "nectar", "onyx", "pylon", "quartz", "russet",
         "sable", "tundra", "umber", "vesper", "willow", "xenon", "yarrow", "zephyr"]


def token(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{rng.randrange(10000):04d}"


def affine_sbox(rng: random.Random) -> list[int]:
    while True:
        cols = [rng.randrange(1, 256) for _ in range(8)]
        box = []
        for x in range(256):
            v = 0
            for bit in range(8):
                if x >> bit & 1:
                    v ^= cols[bit]
            box.append(v)
        if len(set(box)) == 256:
            c = rng.randrange(256)
            return [v ^ c for v in box]


def is_prime(n: int, rng: random.Random) -> bool:
    for sp in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83):
        if n % sp == 0:
            return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(20):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def prime(rng: random.Random) -> int:
    while True:
        p = rng.getrandbits(512) | 1 << 511 | 1 << 510 | 1
        if (p - 1) % 65537 and is_prime(p, rng):
            return p


def stream_xor(key: bytes, nonce: bytes, data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 32):
        block = hashlib.sha256(key + nonce + (i // 32).to_bytes(8, "big")).digest()
        out += bytes(a ^ b for a, b in zip(data[i : i + 32], block))
    return bytes(out)


def vault_text(rng: random.Random, tok: str) -> bytes:
    lines = ["VAULT INVENTORY (sealed copy)", ""]
    for i in range(1, 25):
        lines.append(f"box {i:02d}: {rng.choice(WORDS)} {rng.choice(WORDS)}, {rng.randint(1, 90)} items")
    lines[12:12] = ["", f"recovery token: {tok}", ""]
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    sbox = affine_sbox(rng)
    src = (HERE / "vaultbox_src.py").read_text().replace("@@SBOX@@", repr(sbox))
    namespace: dict = {"__name__": "vaultbox_gen"}
    exec(compile(src, "vaultbox", "exec"), namespace)  # the very code the agent gets
    tokens = [token(rng) for _ in range(3)]

    # Layer 3: the service's generator, its log, and the vault sealed with its next 32 bytes.
    svc = random.Random(rng.getrandbits(256))
    log = []
    for n in range(1, 2901):
        roll = rng.random()
        if roll < 0.9:
            log.append(f"{n:05d} GET rid={svc.getrandbits(12):03x}")
        elif roll < 0.97:
            svc.random()
            log.append(f"{n:05d} RETRY")
        else:
            log.append(f"{n:05d} PING")
    vault_key = svc.randbytes(32)
    vault_nonce = rng.randbytes(16)
    payload = {
        "token": tokens[1],
        "service_log": "\n".join(log) + "\n",
        "vault_nonce": vault_nonce.hex(),
        "vault": base64.b64encode(stream_xor(vault_key, vault_nonce, vault_text(rng, tokens[2]))).decode(),
    }

    # Layer 2: the keyring (the officer's key shares a prime with another) and the wrap.
    primes = [prime(rng) for _ in range(2 * KEYS)]
    primes[2 * TWIN] = primes[2 * OFFICER]
    keyring = {}
    for i in range(KEYS):
        keyring[f"officer-{i:02d}"] = {"n": hex(primes[2 * i] * primes[2 * i + 1]), "e": 65537}
    officer = f"officer-{OFFICER:02d}"
    session_key = rng.randbytes(32)
    n = int(keyring[officer]["n"], 16)
    size = (n.bit_length() + 7) // 8
    filler = bytes(rng.randrange(1, 256) for _ in range(size - 3 - 32))
    wrapped = pow(int.from_bytes(b"\x00\x02" + filler + b"\x00" + session_key, "big"), 65537, n)
    sealed_nonce = rng.randbytes(16)
    body = {
        "note": f"Quarterly archive. Layer token: {tokens[0]}",
        "keyring": keyring,
        "wrapped_for": officer,
        "wrapped_key": hex(wrapped),
        "sealed_nonce": sealed_nonce.hex(),
        "sealed": base64.b64encode(
            stream_xor(session_key, sealed_nonce, json.dumps(payload).encode())
        ).decode(),
    }
    container = b"VAULTBOX/2\n" + json.dumps(body, indent=1).encode()

    # Layer 1: VBX-64 in CBC mode.
    archive_key, iv = rng.randbytes(16), rng.randbytes(8)
    archive = namespace["write_vbx"](archive_key, iv, container)
    assert namespace["read_vbx"](archive_key, archive) == container

    (out / "vaultbox.py").write_text(src)
    (out / "vaultd.py").write_text((HERE / "svc_src.py").read_text())
    (out / "archive.vbx").write_text(archive)
    (out / "truth.json").write_text(
        json.dumps({"tokens": tokens, "vault_key": vault_key.hex(), "archive_key": archive_key.hex()}) + "\n"
    )


if __name__ == "__main__":
    main()
