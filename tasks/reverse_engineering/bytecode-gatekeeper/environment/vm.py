#!/usr/bin/env python3
"""gatekeeper: runs the door controller's bytecode (program.hex) on a password.

usage: python3 vm.py PASSWORD        prints ACCESS GRANTED or ACCESS DENIED
"""

import sys
from pathlib import Path


def run(code: bytes, data: bytes, max_steps: int = 200_000) -> int:
    st: list[int] = []
    mem = [0] * 256
    pc = 0
    for _ in range(max_steps):
        op = code[pc]
        pc += 1
        if op == 0x01:
            st.append(code[pc])
            pc += 1
        elif op == 0x02:
            i = st.pop()
            st.append(data[i] if i < len(data) else 0)
        elif op == 0x03:
            st.append(len(data) & 0xFF)
        elif 0x10 <= op <= 0x14:
            b, a = st.pop(), st.pop()
            st.append([a + b, a - b, a ^ b, a * b, a | b][op - 0x10] & 0xFF)
        elif op == 0x15:
            n, a = st.pop() & 7, st.pop()
            st.append(((a << n) | (a >> (8 - n))) & 0xFF)
        elif op == 0x16:
            st.append(~st.pop() & 0xFF)
        elif op == 0x20:
            st.append(st[-1])
        elif op == 0x21:
            st[-1], st[-2] = st[-2], st[-1]
        elif op == 0x22:
            st.pop()
        elif op == 0x30:
            st.append(mem[code[pc]])
            pc += 1
        elif op == 0x31:
            mem[code[pc]] = st.pop()
            pc += 1
        elif op == 0x40:
            pc = code[pc] | code[pc + 1] << 8
        elif op == 0x41:
            target = code[pc] | code[pc + 1] << 8
            pc = target if st.pop() else pc + 2
        elif op == 0x42:
            b, a = st.pop(), st.pop()
            st.append(int(a == b))
        elif op == 0xFF:
            return st.pop()
        else:
            raise ValueError(f"bad opcode {op:#04x} at {pc - 1:#06x}")
    raise RuntimeError("step limit reached")


def load(path: Path) -> bytes:
    return bytes.fromhex("".join(path.read_text().split()))


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    code = load(Path(__file__).resolve().parent / "program.hex")
    granted = run(code, sys.argv[1].encode("latin-1", "replace"))
    print("ACCESS GRANTED" if granted else "ACCESS DENIED")


if __name__ == "__main__":
    main()
