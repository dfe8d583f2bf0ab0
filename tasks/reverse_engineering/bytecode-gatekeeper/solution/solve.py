#!/usr/bin/env python3
"""Reference solution: disassembles program.hex, recovers each position's chain of byte
operations and target, and inverts them in program order. Writes submission.txt."""

from pathlib import Path

code = bytes.fromhex("".join(Path("program.hex").read_text().split()))
ARG_OPS = {0x10: "add", 0x11: "sub", 0x12: "xor", 0x13: "mul", 0x15: "rol"}


def invert(kind: str, arg: int, v: int) -> int:
    if kind == "add":
        return (v - arg) & 0xFF
    if kind == "sub":
        return (v + arg) & 0xFF
    if kind == "xor":
        return v ^ arg
    if kind == "mul":
        return (v * pow(arg, -1, 256)) & 0xFF
    if kind == "rol":
        return ((v >> arg) | (v << (8 - arg))) & 0xFF
    return ~v & 0xFF  # not


# Prologue: length check (LEN; PUSH n; EQ; JNZ; PUSH 0; HALT), then acc = 0, prev = seed.
length = code[2]
pc = 10
prev = code[pc + 5]
pc += 8
password = bytearray(length)
while code[pc] == 0x01 and code[pc + 2] == 0x02:  # PUSH i; INPUT starts a position
    index = code[pc + 1]
    pc += 3
    ops: list[tuple[str, int]] = []
    while code[pc] != 0x30:  # LOAD prev ends the chain
        if code[pc] == 0x16:
            ops.append(("not", 0))
            pc += 1
        else:
            ops.append((ARG_OPS[code[pc + 2]], code[pc + 1]))
            pc += 3
    target = code[pc + 7]
    v = (target - prev) & 0xFF
    for kind, arg in reversed(ops):
        v = invert(kind, arg, v)
    password[index] = v
    prev = target
    pc += 14
Path("submission.txt").write_text(password.decode("latin-1") + "\n")
print(password.decode("latin-1"))
