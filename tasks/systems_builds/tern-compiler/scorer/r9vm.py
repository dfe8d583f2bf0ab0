#!/usr/bin/env python3
"""Assembler and virtual machine for the R9 assembly language (reference solution of asm-vm).

Usage: python3 vm.py PROGRAM.s < input. Two passes: the first lays out data and instructions and
defines labels, the second resolves operands; then the decoded program runs.
"""

import re
import sys

MASK = 0xFFFFFFFF
MEM_SIZE = 65536
STEP_LIMIT = 5_000_000
REGS = {f"r{i}": i for i in range(8)} | {"sp": 8}
ALU = {"add", "sub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr", "sar", "slt", "sltu"}
BRANCH = {"beq", "bne", "blt", "bge", "bltu", "bgeu"}
SHAPES = {  # operand kinds: r register, x register or expression, e expression, m memory
    **{op: "rrx" for op in ALU},
    **{op: "rre" for op in BRANCH},
    "li": "re", "la": "re", "mov": "rr", "not": "rr", "neg": "rr",
    "lw": "rm", "lb": "rm", "lbu": "rm", "sw": "rm", "sb": "rm",
    "jmp": "e", "call": "e", "jr": "r", "ret": "", "push": "r", "pop": "r",
    "out": "r", "outc": "r", "outs": "r", "in": "r", "halt": "",
}
SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
ESCAPES = {"n": 10, "t": 9, "\\": 92, '"': 34, "'": 39, "0": 0}


class AsmError(Exception):
    pass


class Fault(Exception):
    pass


def signed(v: int) -> int:
    return v - (1 << 32) if v & 0x80000000 else v


def split_operands(text: str) -> list[str]:
    """Split on commas outside string and character literals."""
    parts, current, quote, escaped = [], "", None, False
    for ch in text:
        current += ch
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            parts.append(current[:-1].strip())
            current = ""
    if quote:
        raise AsmError("unterminated literal")
    if current.strip() or parts:
        parts.append(current.strip())
    return parts


def strip_comment(line: str) -> str:
    quote = None
    escaped = False
    for i, ch in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ";":
            return line[:i]
    return line


def parse_string(text: str) -> bytes:
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise AsmError("bad string")
    out, i, body = bytearray(), 0, text[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1] not in ESCAPES:
                raise AsmError("bad escape")
            out.append(ESCAPES[body[i + 1]])
            i += 2
        elif ch == '"':
            raise AsmError("bad string")
        else:
            if ord(ch) > 126 or ord(ch) < 32:
                raise AsmError("bad character")
            out.append(ord(ch))
            i += 1
    return bytes(out)


TOKEN = re.compile(r"\s*(?:(0[xX][0-9A-Fa-f]+)|(\d+)|('(?:\\.|[^'\\])')|([A-Za-z_][A-Za-z0-9_]*)|([-+]))")


def evaluate(text: str, symbols: dict[str, int]) -> int:
    """expr := ['-'] term (('+'|'-') ['-'] term)*; terms are numbers, 'c' literals and symbols."""
    pos, total, sign, expect_term = 0, 0, 1, True
    text = text.strip()
    if not text:
        raise AsmError("missing expression")
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise AsmError("bad expression")
        pos = m.end()
        hexa, dec, char, name, op = m.groups()
        if op:
            if expect_term:
                if op == "-":
                    sign = -sign
                continue
            sign = 1 if op == "+" else -1
            expect_term = True
            continue
        if not expect_term:
            raise AsmError("bad expression")
        if hexa:
            value = int(hexa, 16)
        elif dec:
            value = int(dec)
        elif char:
            body = char[1:-1]
            if body.startswith("\\"):
                if body[1] not in ESCAPES:
                    raise AsmError("bad escape")
                value = ESCAPES[body[1]]
            else:
                value = ord(body)
        else:
            if name.lower() in REGS:
                raise AsmError("register where a value is expected")
            if name not in symbols:
                raise AsmError(f"undefined symbol {name}")
            value = symbols[name]
        total += sign * value
        sign, expect_term = 1, False
    if expect_term:
        raise AsmError("bad expression")
    return total


def register(text: str) -> int:
    reg = REGS.get(text.strip().lower())
    if reg is None:
        raise AsmError(f"not a register: {text.strip()}")
    return reg


MEMORY = re.compile(r"^(.*)\(\s*([A-Za-z0-9]+)\s*\)$")


def assemble(source: str):
    symbols: dict[str, int] = {}
    memory = bytearray(MEM_SIZE)
    pending: list[tuple[int, str, list[str]]] = []  # instructions: line, mnemonic, operands
    words: list[tuple[int, int, str]] = []  # .word slots resolved in pass 2: line, address, expr
    errors: list[tuple[int, str]] = []
    section, dot = "text", 0

    def define(name: str, value: int) -> None:
        if not SYMBOL.match(name) or name.lower() in REGS or name.lower() in SHAPES:
            raise AsmError(f"bad symbol name {name}")
        if name in symbols:
            raise AsmError(f"duplicate symbol {name}")
        symbols[name] = value

    def emit(number: int, data: bytes) -> None:
        nonlocal dot
        if dot + len(data) > MEM_SIZE:
            raise AsmError("data does not fit in memory")
        memory[dot:dot + len(data)] = data
        dot += len(data)

    for number, raw in enumerate(source.split("\n"), 1):
        try:
            line = strip_comment(raw).strip()
            while True:
                m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$", line)
                if not m or m.group(1).lower() in SHAPES:
                    break
                define(m.group(1), len(pending) if section == "text" else dot)
                line = m.group(2).strip()
            if not line:
                continue
            head, *more = line.split(None, 1)
            rest = more[0] if more else ""
            head_l = head.lower()
            ops = split_operands(rest)
            if head_l in (".text", ".data"):
                if ops:
                    raise AsmError("unexpected operands")
                section = head_l[1:]
            elif head_l == ".equ":
                if len(ops) != 2:
                    raise AsmError(".equ needs a name and a value")
                define(ops[0], evaluate(ops[1], symbols))
            elif head_l.startswith("."):
                if section != "data":
                    raise AsmError(f"{head_l} outside .data")
                if head_l == ".word":
                    if not ops:
                        raise AsmError(".word needs values")
                    for op in ops:
                        if dot % 4:
                            raise AsmError("unaligned .word")
                        words.append((number, dot, op))
                        emit(number, b"\0\0\0\0")
                elif head_l == ".byte":
                    if not ops:
                        raise AsmError(".byte needs values")
                    for op in ops:
                        value = evaluate(op, symbols)
                        if not -128 <= value <= 255:
                            raise AsmError(".byte value out of range")
                        emit(number, bytes([value & 255]))
                elif head_l == ".ascii":
                    if len(ops) != 1:
                        raise AsmError(".ascii needs one string")
                    emit(number, parse_string(ops[0]))
                elif head_l == ".space":
                    if len(ops) != 1:
                        raise AsmError(".space needs one value")
                    size = evaluate(ops[0], symbols)
                    if size < 0:
                        raise AsmError("negative .space")
                    emit(number, bytes(size))
                elif head_l == ".align":
                    if len(ops) != 1:
                        raise AsmError(".align needs one value")
                    size = evaluate(ops[0], symbols)
                    if size <= 0:
                        raise AsmError("bad .align")
                    emit(number, bytes(-dot % size))
                else:
                    raise AsmError(f"unknown directive {head}")
            else:
                if head_l not in SHAPES:
                    raise AsmError(f"unknown instruction {head}")
                if section != "text":
                    raise AsmError("instruction outside .text")
                if len(ops) != len(SHAPES[head_l]):
                    raise AsmError(f"{head_l} takes {len(SHAPES[head_l])} operands")
                pending.append((number, head_l, ops))
        except AsmError as exc:
            errors.append((number, str(exc)))

    program = []
    for number, op, operands in pending:
        try:
            decoded = []
            for kind, text in zip(SHAPES[op], operands):
                if kind == "r":
                    decoded.append(register(text))
                elif kind == "e":
                    decoded.append(evaluate(text, symbols))
                elif kind == "x":
                    if text.strip().lower() in REGS:
                        decoded.append(("r", register(text)))
                    else:
                        decoded.append(("i", evaluate(text, symbols) & MASK))
                else:
                    m = MEMORY.match(text.strip())
                    if not m:
                        raise AsmError("bad memory operand")
                    offset = evaluate(m.group(1), symbols) if m.group(1).strip() else 0
                    decoded.append((offset, register(m.group(2))))
            program.append((op, decoded, number))
        except AsmError as exc:
            errors.append((number, str(exc)))
    for number, address, text in words:
        try:
            memory[address:address + 4] = (evaluate(text, symbols) & MASK).to_bytes(4, "little")
        except AsmError as exc:
            errors.append((number, str(exc)))
    if errors:
        number, message = min(errors)
        raise AsmError(f"error: {message} at line {number}")
    return program, memory


def run(program, memory: bytearray, out, tokens) -> None:
    regs = [0] * 9
    regs[8] = MEM_SIZE
    pc, steps, n = 0, 0, len(program)

    def check(addr: int, size: int) -> int:
        if addr + size > MEM_SIZE:
            raise Fault("bad address")
        if size == 4 and addr % 4:
            raise Fault("unaligned access")
        return addr

    def load(addr: int) -> int:
        check(addr, 4)
        return int.from_bytes(memory[addr:addr + 4], "little")

    def store(addr: int, value: int) -> None:
        check(addr, 4)
        memory[addr:addr + 4] = value.to_bytes(4, "little")

    line = 0
    try:
        while True:
            if pc == n:
                return
            if not 0 <= pc < n:
                raise Fault("bad jump")  # reported at the line of the jump
            op, a, line = program[pc]
            if steps == STEP_LIMIT:
                raise Fault("step limit")
            steps += 1
            pc += 1
            if op in ALU:
                x = regs[a[1]]
                kind, v = a[2]
                y = regs[v] if kind == "r" else v
                if op == "add":
                    r = x + y
                elif op == "sub":
                    r = x - y
                elif op == "mul":
                    r = x * y
                elif op in ("div", "rem"):
                    sx, sy = signed(x), signed(y)
                    if sy == 0:
                        raise Fault("division by zero")
                    q = abs(sx) // abs(sy) * (1 if (sx < 0) == (sy < 0) else -1)
                    r = q if op == "div" else sx - q * sy
                elif op == "and":
                    r = x & y
                elif op == "or":
                    r = x | y
                elif op == "xor":
                    r = x ^ y
                elif op == "shl":
                    r = x << (y & 31)
                elif op == "shr":
                    r = x >> (y & 31)
                elif op == "sar":
                    r = signed(x) >> (y & 31)
                elif op == "slt":
                    r = int(signed(x) < signed(y))
                else:
                    r = int(x < y)
                regs[a[0]] = r & MASK
            elif op in BRANCH:
                x, y = regs[a[0]], regs[a[1]]
                if op == "beq":
                    taken = x == y
                elif op == "bne":
                    taken = x != y
                elif op == "blt":
                    taken = signed(x) < signed(y)
                elif op == "bge":
                    taken = signed(x) >= signed(y)
                elif op == "bltu":
                    taken = x < y
                else:
                    taken = x >= y
                if taken:
                    pc = a[2]
            elif op in ("li", "la"):
                regs[a[0]] = a[1] & MASK
            elif op == "mov":
                regs[a[0]] = regs[a[1]]
            elif op == "not":
                regs[a[0]] = ~regs[a[1]] & MASK
            elif op == "neg":
                regs[a[0]] = -regs[a[1]] & MASK
            elif op in ("lw", "lb", "lbu", "sw", "sb"):
                offset, base = a[1]
                addr = (regs[base] + offset) & MASK
                if op == "lw":
                    regs[a[0]] = load(addr)
                elif op == "sw":
                    store(addr, regs[a[0]])
                else:
                    check(addr, 1)
                    if op == "sb":
                        memory[addr] = regs[a[0]] & 255
                    else:
                        b = memory[addr]
                        regs[a[0]] = (b - 256) & MASK if op == "lb" and b > 127 else b
            elif op == "jmp":
                pc = a[0]
            elif op == "jr":
                pc = signed(regs[a[0]])
            elif op == "call":
                regs[8] = (regs[8] - 4) & MASK
                store(regs[8], pc)
                pc = a[0]
            elif op == "ret":
                pc = signed(load(regs[8]))
                regs[8] = (regs[8] + 4) & MASK
            elif op == "push":
                value = regs[a[0]]
                regs[8] = (regs[8] - 4) & MASK
                store(regs[8], value)
            elif op == "pop":
                value = load(regs[8])
                regs[8] = (regs[8] + 4) & MASK
                regs[a[0]] = value
            elif op == "out":
                out.write(b"%d\n" % signed(regs[a[0]]))
            elif op == "outc":
                out.write(bytes([regs[a[0]] & 255]))
            elif op == "outs":
                addr = regs[a[0]]
                while True:
                    check(addr, 1)
                    if memory[addr] == 0:
                        break
                    out.write(bytes([memory[addr]]))
                    addr += 1
            elif op == "in":
                token = next(tokens, None)
                if token is None:
                    raise Fault("end of input")
                if not re.fullmatch(rb"[-+]?\d+", token):
                    raise Fault("bad input")
                regs[a[0]] = int(token) & MASK
            elif op == "halt":
                return
    except Fault as exc:
        raise Fault(f"fault: {exc} at line {line}") from None


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: vm.py PROGRAM.s", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as handle:
            source = handle.read()
        program, memory = assemble(source)
    except (AsmError, OSError, UnicodeDecodeError) as exc:
        print(exc if isinstance(exc, AsmError) else f"error: {exc} at line 0", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    tokens = iter(sys.stdin.buffer.read().split())
    try:
        run(program, memory, out, tokens)
    except Fault as exc:
        out.flush()
        print(exc, file=sys.stderr)
        return 3
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
