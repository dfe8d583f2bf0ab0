#!/usr/bin/env python3
"""Reference attack: a correlation attack on the Geffe generator found in vault.img (the cipher's
constants, lifted from the image, are in params.json next to this file). No plaintext is known,
but the sealed files are ASCII, so bit 7 of every plaintext byte is 0 and bit 7 of every
ciphertext byte is a keystream bit. Reads memo.txt.vlt, recovers the 64-bit key, writes
submission.txt."""

import json
from pathlib import Path

M32 = 0xFFFFFFFF
LENGTHS = (20, 21, 23)
NBITS = 600  # known keystream bits used (one per byte); the right states agree on about 3/4
P = json.loads((Path(__file__).resolve().parent / "params.json").read_text())


def rol(a: int, n: int) -> int:
    return (a << n | a >> (32 - n)) & M32 if n else a


def basis(i: int) -> list[int]:
    """Output bit 7 of each keystream byte of LFSR i started from each unit state, as ints."""
    rows = []
    for j in range(LENGTHS[i]):
        s, bits = 1 << j, 0
        for t in range(P["warm"] + 8 * NBITS):
            k = t - P["warm"]
            if k >= 0 and k % 8 == 7:
                bits |= (s & 1) << (k // 8)
            s = (s >> 1) ^ (P["taps"][i] if s & 1 else 0)
        rows.append(bits)
    return rows


def search(rows: list[int], target: int, care: int, want_max: bool) -> tuple[int, int]:
    """Gray-code walk over every non-zero state: the state whose output agrees most (or, for
    want_max False, disagrees least) with target on the bits in care."""
    best_score, best_state, cur = -1, 0, 0
    for i in range(1, 1 << len(rows)):
        cur ^= rows[(i & -i).bit_length() - 1]
        agree = NBITS - ((cur ^ target) & care).bit_count()
        if agree > best_score:
            best_score, best_state = agree, i ^ (i >> 1)
            if not want_max and agree == NBITS:
                break
    return best_state, best_score


def output(rows: list[int], state: int) -> int:
    out = 0
    for j, row in enumerate(rows):
        if state >> j & 1:
            out ^= row
    return out


def main() -> None:
    sealed = bytes.fromhex("".join(Path("memo.txt.vlt").read_text().split()))
    nonce = int.from_bytes(sealed[4:8], "little")
    target = 0  # bit k = keystream bit 7 of byte k
    for k, byte in enumerate(sealed[12 : 12 + NBITS]):
        target |= (byte >> 7) << k
    full = (1 << NBITS) - 1
    rows = [basis(i) for i in range(3)]
    s2, score2 = search(rows[1], target, full, True)
    s3, score3 = search(rows[2], target, full, True)
    x2, x3 = output(rows[1], s2), output(rows[2], s3)
    # Where x2 and x3 differ the keystream bit is x2 exactly when x1 is 1.
    differ = x2 ^ x3
    x1_bits = ~(target ^ x2) & differ & full
    s1, score1 = search(rows[0], x1_bits, differ, False)
    print(f"x2 agrees on {score2}/{NBITS}, x3 on {score3}/{NBITS}, x1 on {score1}/{NBITS}")
    key, shift = 0, 0
    for i, (state, length) in enumerate(zip((s1, s2, s3), LENGTHS, strict=True)):
        mask = (1 << length) - 1
        key |= (state ^ ((rol(nonce, P["rot"][i]) * P["mul"][i]) & M32 & mask)) << shift
        shift += length
    Path("submission.txt").write_text(key.to_bytes(8, "little").hex() + "\n")
    print(key.to_bytes(8, "little").hex())


if __name__ == "__main__":
    main()
