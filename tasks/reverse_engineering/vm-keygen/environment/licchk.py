#!/usr/bin/env python3
"""licchk: checks a (user name, serial) pair against the licence program license.img.

usage: python3 licchk.py USERNAME SERIAL     prints VALID or INVALID
"""

import sys
from pathlib import Path

T = bytes.fromhex("ff02ffffffffffff0dff10ffffffffffffffffffffff03ffffffffffffff17ffffffffffffffffffffffff01ffffff08ff16ffffffffffffff14ffffff11ffffffffffffffffffffffffffffffffff05ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff07ffffffffffff04ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff15ffffffffffffff13ffffffffffffffffff09ffffffffff0affffffffffff18ffffffffff0fffffffff0bffffffffffffffffffffffffffffffffff0cffffffffffff00ffffffff12ffffffff0effffffffffffffffff06ffffffffff")
M32 = 0xFFFFFFFF


def load(image: bytes) -> tuple[bytearray, int, int, int]:
    if image[:4] != b"LVM1":
        raise ValueError("not a licence image")
    mem = bytearray(0x10000)
    entry, ka, kb, n = image[4] | image[5] << 8, image[6], image[7], image[8]
    p = 9
    for _ in range(n):
        a, ln = int.from_bytes(image[p : p + 2], "little"), int.from_bytes(image[p + 2 : p + 4], "little")
        mem[a : a + ln] = image[p + 4 : p + 4 + ln]
        p += 4 + ln
    return mem, entry, ka, kb


def run(image: bytes, user: bytes, serial: bytes, max_steps: int = 500_000) -> int:
    mem, pc, ka, kb = load(image)
    mem[0xE000 : 0xE000 + len(user)] = user
    mem[0xE100 : 0xE100 + len(serial)] = serial
    r = [0] * 16
    r[1], r[2] = len(user), len(serial)
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
            return r[fr()]
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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    image = bytes.fromhex("".join((Path(__file__).resolve().parent / "license.img").read_text().split()))
    user, serial = sys.argv[1].encode()[:200], sys.argv[2].encode()[:200]
    result = run(image, user, serial)
    if result >> 24 == 1:
        print(f"VALID licence class {result >> 16 & 0xFF}, expires on day {result & 0xFFFF}")
    else:
        print("INVALID")


if __name__ == "__main__":
    main()
