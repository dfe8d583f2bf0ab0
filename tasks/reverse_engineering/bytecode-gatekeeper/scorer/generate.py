"""Regenerates this task's data: python3 generate.py OUTDIR writes program.hex (for environment/
and scorer/) and password.txt (hidden, for scorer/). Deterministic (fixed seed).

The program checks the length, then pushes each password byte through its own random chain of
two to four bijective byte operations (xor, add, multiply by an odd number, rotate, not), adds
the previous position's result (a chain), and ORs the difference from a target into an
accumulator: no early exit, so the password cannot be found one character at a time by timing.
"""

import random
import string
import sys
from pathlib import Path

SEED = 417_2026
LENGTH = 24
ACC, PREV = 0x07, 0x3C  # memory cells used by the program


def rol(a: int, n: int) -> int:
    return ((a << n) | (a >> (8 - n))) & 0xFF


def chain_op(rng: random.Random) -> tuple[str, int]:
    kind = rng.choice(["xor", "add", "sub", "mul", "rol", "not"])
    arg = {"mul": rng.randrange(3, 256, 2), "rol": rng.randint(1, 7), "not": 0}.get(kind, rng.randint(1, 255))
    return kind, arg


def apply(kind: str, arg: int, v: int) -> int:
    if kind == "rol":
        return rol(v, arg)
    if kind == "not":
        return ~v & 0xFF
    return {"xor": v ^ arg, "add": v + arg, "sub": v - arg, "mul": v * arg}[kind] & 0xFF


OPCODE = {"xor": 0x12, "add": 0x10, "sub": 0x11, "mul": 0x13, "rol": 0x15}


def build(rng: random.Random, password: bytes) -> bytes:
    code = bytearray([0x03, 0x01, LENGTH, 0x42, 0x41, 0, 0, 0x01, 0, 0xFF])
    ok = len(code)
    code[5:7] = ok.to_bytes(2, "little")
    seed = rng.randint(0, 255)
    code += bytes([0x01, 0, 0x31, ACC, 0x01, seed, 0x31, PREV])
    prev = seed
    for i in rng.sample(range(LENGTH), LENGTH):  # positions in a scrambled order
        v = password[i]
        code += bytes([0x01, i, 0x02])
        for kind, arg in (chain_op(rng) for _ in range(rng.randint(2, 4))):
            v = apply(kind, arg, v)
            code += bytes([0x16]) if kind == "not" else bytes([0x01, arg, OPCODE[kind]])
        v = (v + prev) & 0xFF
        prev = v
        # acc |= (value + prev) ^ target, and the sum becomes the next position's prev
        code += bytes([0x30, PREV, 0x10, 0x20, 0x31, PREV, 0x01, v, 0x12, 0x30, ACC, 0x14, 0x31, ACC])
    code += bytes([0x30, ACC, 0x01, 0, 0x42, 0xFF])
    return bytes(code)


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    alphabet = string.ascii_letters + string.digits
    password = "".join(rng.choice(alphabet) for _ in range(LENGTH))
    code = build(rng, password.encode())
    lines = [code[i : i + 32].hex() for i in range(0, len(code), 32)]
    (out / "program.hex").write_text("\n".join(lines) + "\n")
    (out / "password.txt").write_text(password + "\n")


if __name__ == "__main__":
    main()
