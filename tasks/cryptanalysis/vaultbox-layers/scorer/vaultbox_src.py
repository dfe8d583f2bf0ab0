"""vaultbox: the vendor's archive sealer (the parts that matter for reading a container).

A container file (`*.vbx`) is a text file: a header line `VBX-CBC iv=<16 hex digits>`, then the
ciphertext in base64 lines. The ciphertext is the VBX-64 block cipher in CBC mode over the
container plaintext (padded to whole 8-byte blocks, PKCS#7 style), under a 16-byte archive key.
The container plaintext is the line `VAULTBOX/2` followed by a JSON object (see pack()).

Inside, a sealed payload is encrypted with a one-off 32-byte session key, and the session key is
wrapped with RSA for an escrow officer's key from the keyring (see wrap()).
"""

import base64
import hashlib
import json
import secrets

# VBX-64: 12 rounds of round-key XOR, byte substitution and a Feistel-style mix of the halves.
# The S-box came out of our in-house search for a good S-box (it is a permutation).
SBOX = @@SBOX@@
INV_SBOX = [SBOX.index(i) for i in range(256)]
ROUNDS = 12
M32 = 0xFFFFFFFF


def rol32(x: int, n: int) -> int:
    return (x << n | x >> (32 - n)) & M32


def round_keys(key: bytes) -> list[int]:
    return [int.from_bytes(hashlib.sha256(key + bytes([i])).digest()[:8], "big") for i in range(ROUNDS + 1)]


def mix(x: int) -> int:
    left, right = x >> 32, x & M32
    return right << 32 | (left ^ rol32(right, 7) ^ rol32(right, 19) ^ rol32(right, 26))


def unmix(x: int) -> int:
    right, left_mixed = x >> 32, x & M32
    left = left_mixed ^ rol32(right, 7) ^ rol32(right, 19) ^ rol32(right, 26)
    return left << 32 | right


def substitute(x: int, box: list[int]) -> int:
    return int.from_bytes(bytes(box[b] for b in x.to_bytes(8, "big")), "big")


def encrypt_block(rk: list[int], x: int) -> int:
    for i in range(ROUNDS):
        x = mix(substitute(x ^ rk[i], SBOX))
    return x ^ rk[ROUNDS]


def decrypt_block(rk: list[int], x: int) -> int:
    x ^= rk[ROUNDS]
    for i in reversed(range(ROUNDS)):
        x = substitute(unmix(x), INV_SBOX) ^ rk[i]
    return x


def cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    rk, prev, out = round_keys(key), int.from_bytes(iv, "big"), bytearray()
    pad = 8 - len(data) % 8
    data += bytes([pad]) * pad
    for i in range(0, len(data), 8):
        prev = encrypt_block(rk, int.from_bytes(data[i : i + 8], "big") ^ prev)
        out += prev.to_bytes(8, "big")
    return bytes(out)


def cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    rk, prev, out = round_keys(key), int.from_bytes(iv, "big"), bytearray()
    for i in range(0, len(data), 8):
        block = int.from_bytes(data[i : i + 8], "big")
        out += (decrypt_block(rk, block) ^ prev).to_bytes(8, "big")
        prev = block
    return bytes(out[: -out[-1]])


def write_vbx(key: bytes, iv: bytes, plaintext: bytes) -> str:
    body = base64.encodebytes(cbc_encrypt(key, iv, plaintext)).decode()
    return f"VBX-CBC iv={iv.hex()}\n{body}"


def read_vbx(key: bytes, text: str) -> bytes:
    header, _, body = text.partition("\n")
    iv = bytes.fromhex(header.split("iv=")[1])
    return cbc_decrypt(key, iv, base64.b64decode(body))


# Sealed payloads: SHA-256 in counter mode under a 32-byte key and a 16-byte nonce.
def stream_xor(key: bytes, nonce: bytes, data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 32):
        block = hashlib.sha256(key + nonce + (i // 32).to_bytes(8, "big")).digest()
        out += bytes(a ^ b for a, b in zip(data[i : i + 32], block))
    return bytes(out)


# Key wrapping: RSA (e = 65537) over 0x00 0x02 || nonzero random bytes || 0x00 || key.
def wrap(n: int, e: int, key: bytes) -> int:
    size = (n.bit_length() + 7) // 8
    filler = bytes(secrets.choice(range(1, 256)) for _ in range(size - 3 - len(key)))
    return pow(int.from_bytes(b"\x00\x02" + filler + b"\x00" + key, "big"), e, n)


def unwrap(n: int, d: int, wrapped: int) -> bytes:
    size = (n.bit_length() + 7) // 8
    block = pow(wrapped, d, n).to_bytes(size, "big")
    assert block[:2] == b"\x00\x02"
    return block[block.index(b"\x00", 2) + 1 :]


def pack(note: str, keyring: dict, officer: str, session_key: bytes, payload: bytes) -> bytes:
    """The container plaintext. keyring maps officer names to {"n": hex, "e": int}."""
    nonce = secrets.token_bytes(16)
    body = {
        "note": note,
        "keyring": keyring,
        "wrapped_for": officer,
        "wrapped_key": hex(wrap(int(keyring[officer]["n"], 16), keyring[officer]["e"], session_key)),
        "sealed_nonce": nonce.hex(),
        "sealed": base64.b64encode(stream_xor(session_key, nonce, payload)).decode(),
    }
    return b"VAULTBOX/2\n" + json.dumps(body, indent=1).encode()
