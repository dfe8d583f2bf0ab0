#!/usr/bin/env python3
"""vault: the vendor's file sealer. Runs the cipher program vault.img in its VM.

usage: python3 vault.py seal KEYHEX NONCEHEX INFILE OUTFILE    (OUTFILE: a sealed file, hex text)
       python3 vault.py open KEYHEX SEALEDFILE OUTFILE
KEYHEX is 16 hex digits (8 bytes), NONCEHEX 8 hex digits (4 bytes).
"""

import sys
from pathlib import Path

T = bytes.fromhex("@@TABLE@@")
M32 = 0xFFFFFFFF


def load(image: bytes) -> tuple[bytearray, int, int, int]:
    if image[:4] != b"VLT0":
        raise ValueError("not a vault image")
    mem = bytearray(0x10000)
    entry, ka, kb, n = image[4] | image[5] << 8, image[6], image[7], image[8]
    p = 9
    for _ in range(n):
        a, ln = int.from_bytes(image[p : p + 2], "little"), int.from_bytes(image[p + 2 : p + 4], "little")
        mem[a : a + ln] = image[p + 4 : p + 4 + ln]
        p += 4 + ln
    return mem, entry, ka, kb


MAX_DATA = 0x4000


def run(image: bytes, key: bytes, nonce: bytes, data: bytes) -> bytes:
    """The program transforms data in place at 0x8000; returns it after the halt."""
    if len(key) != 8 or len(nonce) != 4 or len(data) > MAX_DATA:
        raise ValueError("key must be 8 bytes, nonce 4, data at most 16 KiB")
    mem, pc, ka, kb = load(image)
    mem[0xE000:0xE008], mem[0xE008:0xE00C] = key, nonce
    mem[0x8000 : 0x8000 + len(data)] = data
    r = [0] * 16
    r[1] = len(data)
    max_steps = 2_000_000 + 400 * len(data)
    calls: list[int] = []

    def f() -> int:
        nonlocal pc
        v = mem[pc] ^ ((pc * ka + kb) & 0xFF) ^ (pc >> 8)
        pc = (pc + 1) & 0xFFFF
        return v

    def fr() -> int:
        return f() & 15

    def f16() -> int:
        return f() | f() << 8

    def f32() -> int:
        return f16() | f16() << 16

    for _ in range(max_steps):
        h = T[f()]
        if h == 0:
            fr()
            return bytes(mem[0x8000 : 0x8000 + len(data)])
        if h == 1:
            d = fr()
            r[d] = f32()
        elif h == 2:
            d, s = fr(), fr()
            r[d] = r[s]
        elif 3 <= h <= 8:
            d, s, t = fr(), fr(), fr()
            a, b = r[s], r[t]
            r[d] = [a + b, a - b, a ^ b, a & b, a | b, a * b][h - 3] & M32
        elif 9 <= h <= 11:
            d, s, n = fr(), fr(), f() & 31
            a = r[s]
            r[d] = [(a << n | a >> (32 - n)) if n else a, a >> n, a << n][h - 9] & M32
        elif 12 <= h <= 15:
            d, s, o = fr(), fr(), f16()
            a = (r[s] + o) & 0xFFFF
            if h == 12:
                r[d] = mem[a]
            elif h == 13:
                mem[a] = r[d] & 0xFF
            elif h == 14:
                r[d] = int.from_bytes(mem[a : a + 4], "little")
            else:
                mem[a : a + 4] = r[d].to_bytes(4, "little")
        elif h == 16:
            pc = f16()
        elif h in (17, 18):
            s, a = fr(), f16()
            if (r[s] == 0) == (h == 17):
                pc = a
        elif h in (19, 23):
            s, t, a = fr(), fr(), f16()
            if (r[s] < r[t]) if h == 19 else (r[s] == r[t]):
                pc = a
        elif h == 20:
            a = f16()
            calls.append(pc)
            pc = a
        elif h == 21:
            pc = calls.pop()
        elif h == 22:
            d, s = fr(), fr()
            r[d] = (r[s] + f32()) & M32
        elif h == 24:
            d, s, t = fr(), fr(), fr()
            r[d] = r[s] >> (r[t] & 31)
        else:
            raise ValueError(f"illegal instruction at {pc - 1:#06x}")
    raise RuntimeError("step limit reached")


def main() -> None:
    args = sys.argv[1:]
    if not args or (args[0], len(args)) not in (("seal", 5), ("open", 4)):
        sys.exit(__doc__)
    image = bytes.fromhex("".join((Path(__file__).resolve().parent / "vault.img").read_text().split()))
    key = bytes.fromhex(args[1])
    if args[0] == "seal":
        nonce, data = bytes.fromhex(args[2]), Path(args[3]).read_bytes()
        sealed = b"VLT1" + nonce + len(data).to_bytes(4, "little") + run(image, key, nonce, data)
        Path(args[4]).write_text("".join(sealed[i : i + 32].hex() + "\n" for i in range(0, len(sealed), 32)))
    else:
        sealed = bytes.fromhex("".join(Path(args[2]).read_text().split()))
        if sealed[:4] != b"VLT1":
            sys.exit("not a sealed file")
        nonce, size = sealed[4:8], int.from_bytes(sealed[8:12], "little")
        Path(args[3]).write_bytes(run(image, key, nonce, sealed[12 : 12 + size]))


if __name__ == "__main__":
    main()
