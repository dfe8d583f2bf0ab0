"""The hidden test programs of asm-vm, generated from a seed: (name, source, stdin) triples."""

import random

REGS = [f"r{i}" for i in range(8)]
ALU = ["add", "sub", "mul", "and", "or", "xor", "shl", "shr", "sar", "slt", "sltu"]
WORDS = ["vector", "kernel", "ledger", "quartz", "pivot", "lambda", "socket", "tensor", "cobalt"]


def literal(rng: random.Random, value: int) -> str:
    style = rng.random()
    if 0 <= value < 1 << 32 and style < 0.3:
        return hex(value)
    if 32 < value < 127 and chr(value) not in "'\\" and style < 0.5:
        return f"'{chr(value)}'"
    return str(value)


def interesting(rng: random.Random) -> int:
    return rng.choice([
        rng.randint(-20, 20), rng.randint(-(1 << 31), (1 << 31) - 1), rng.randint(0, 1 << 32) - 1,
        0x7FFFFFFF, -0x80000000, 0xFFFFFFFF, 1 << rng.randint(0, 31), rng.randint(33, 126),
    ])


def alu_program(rng: random.Random) -> str:
    data = [rng.randint(-128, 255) for _ in range(16)]
    lines = ["; random arithmetic and loads", ".data", f"bytes: .byte {', '.join(map(str, data))}",
             f"words: .word {', '.join(str(interesting(rng)) for _ in range(4))}", ".text"]
    for reg in REGS:
        lines.append(f"    li {reg}, {literal(rng, interesting(rng))}")
    for _ in range(60):
        d, s, t = rng.choice(REGS), rng.choice(REGS), rng.choice(REGS)
        r = rng.random()
        if r < 0.12:
            op = rng.choice(["div", "rem"])
            lines.append(f"    or {t}, {t}, 1")
            lines.append(f"    {op} {d}, {s}, {t}" if rng.random() < 0.5 else f"    {op} {d}, {s}, {literal(rng, rng.choice([-7, 3, -1, 10, 0x10000]))}")
        elif r < 0.2:
            lines.append(f"    {rng.choice(['not', 'neg', 'mov'])} {d}, {s}")
        elif r < 0.25:
            lines.append(f"    push {s}")
            lines.append(f"    pop {d}")
        elif r < 0.33:
            lines.append(f"    li {t}, {rng.randrange(4) * 4}")
            op, label, off = rng.choice([("lb", "bytes", rng.randrange(16)), ("lbu", "bytes", rng.randrange(16)), ("lw", "words", 0), ("sb", "bytes", rng.randrange(16)), ("sw", "words", 0)])
            lines.append(f"    {op} {d}, {label}+{off}({t})" if rng.random() < 0.5 else f"    {op} {d}, {off} + {label}({t})")
        else:
            op = rng.choice(ALU)
            third = t if rng.random() < 0.6 else literal(rng, interesting(rng))
            lines.append(f"    {op} {d}, {s}, {third}")
        if rng.random() < 0.15:
            lines.append(f"    out {d}")
    lines += [f"    out {reg}" for reg in REGS] + ["    halt"]
    return "\n".join(lines) + "\n"


def sort_program(rng: random.Random) -> str:
    values = [rng.randint(-1000, 1000) for _ in range(rng.randint(8, 20))]
    return f"""; bubble sort of a word array
.equ COUNT, {len(values)}
.data
arr:    .word {", ".join(map(str, values))}
.text
        li r6, COUNT
outer:  li r0, 0          ; swapped flag
        li r1, 1
inner:  bge r1, r6, check
        shl r2, r1, 2
        lw r3, arr-4(r2)
        lw r4, arr(r2)
        blt r4, r3, swap
next:   add r1, r1, 1
        jmp inner
swap:   sw r4, arr-4(r2)
        sw r3, arr(r2)
        li r0, 1
        jmp next
check:  li r5, 0
        bne r0, r5, outer
        li r1, 0
print:  bge r1, r6, end
        shl r2, r1, 2
        lw r3, arr(r2)
        out r3
        add r1, r1, 1
        jmp print
end:    halt
"""


def fib_program(rng: random.Random) -> str:
    n = rng.randint(8, 15)
    return f"""; recursive fibonacci with call, ret, push and pop
.text
        li r0, {n}
        call fib
        out r1
        li r0, {n - 3}
        call fib
        out r1
        halt
; fib(r0) -> r1, keeps r0
fib:    li r2, 2
        blt r0, r2, small
        push r0
        sub r0, r0, 1
        call fib
        push r1
        sub r0, r0, 1
        call fib
        pop r2
        add r1, r1, r2
        pop r0
        ret
small:  mov r1, r0
        ret
"""


def reverse_program(rng: random.Random) -> str:
    text = " ".join(rng.sample(WORDS, 3)) + rng.choice(["!", "?", "\\t;x", ", ok"])
    return f"""; reverse a string into a buffer
.data
src:    .ascii "{text}\\0"
        .align 4
dst:    .space 64
nl:     .byte 10, 0
.text
        la r0, src
        li r1, 0
len:    lbu r2, 0(r0)
        li r3, 0
        beq r2, r3, copy
        add r0, r0, 1
        add r1, r1, 1
        jmp len
copy:   la r4, dst         ; r0 points at the terminator
loop:   li r3, 0
        beq r1, r3, done
        sub r0, r0, 1
        lb r2, (r0)
        sb r2, 0(r4)
        add r4, r4, 1
        sub r1, r1, 1
        jmp loop
done:   li r2, 0
        sb r2, (r4)
        la r5, dst
        outs r5
        la r5, nl
        outs r5
        out r4
"""


def sieve_program(rng: random.Random) -> str:
    limit = rng.randint(100, 900)
    return f"""; sieve of Eratosthenes
.equ LIMIT, {limit}
.data
flags:  .space LIMIT + 1
.text
        li r0, 2           ; candidate
        li r5, 0           ; count
        li r6, 0           ; last prime
        li r7, LIMIT
scan:   blt r7, r0, report
        lbu r1, flags(r0)
        li r2, 0
        bne r1, r2, skip
        add r5, r5, 1
        mov r6, r0
        mul r3, r0, r0
mark:   blt r7, r3, skip
        li r4, 1
        sb r4, flags(r3)
        add r3, r3, r0
        jmp mark
skip:   add r0, r0, 1
        jmp scan
report: out r5
        out r6
        halt
"""


def gcd_program(rng: random.Random) -> tuple[str, str]:
    pairs = [(rng.randint(-5000, 5000), rng.randint(1, 5000)) for _ in range(rng.randint(3, 8))]
    stdin = f"{len(pairs)}\n" + "\n".join(f"{a}  {b}" for a, b in pairs) + "\n"
    return """; gcd of pairs read from the input, with rem
.text
        in r7
again:  li r0, 0
        beq r7, r0, end
        in r1
        in r2
g:      li r0, 0
        beq r2, r0, found
        rem r3, r1, r2
        mov r1, r2
        mov r2, r3
        jmp g
found:  bge r1, r0, pos
        neg r1, r1
pos:    out r1
        sub r7, r7, 1
        jmp again
end:    halt
""", stdin


def table_program(rng: random.Random) -> str:
    seq = [rng.randrange(4) for _ in range(rng.randint(10, 25))]
    return f"""; jump table: .word entries hold instruction indices
.data
table:  .word case0, case1, case2, case3
seq:    .byte {", ".join(map(str, seq))}, -1
.text
        li r1, 0
loop:   lb r2, seq(r1)
        li r3, -1
        beq r2, r3, end
        shl r2, r2, 2
        lw r4, table(r2)
        jr r4
case0:  li r5, 'a'
        jmp emit
case1:  li r5, 'b' + 1
        jmp emit
case2:  li r5, '\\n'
        jmp emit
case3:  li r5, 0x5A - 25
emit:   outc r5
        add r1, r1, 1
        jmp loop
end:    li r5, 10
        outc r5
"""


def hash_program(rng: random.Random) -> str:
    data = [rng.randint(-128, 255) for _ in range(rng.randint(10, 30))]
    return f"""; FNV-style hash of bytes; prints signed and unsigned halves
.data
bytes:  .byte {", ".join(map(str, data))}
end_of_bytes:
.equ LEN, end_of_bytes - bytes
.text
        li r0, 0x811C9DC5
        li r1, 0
        li r7, LEN
h:      bge r1, r7, fin
        lbu r2, bytes(r1)
        xor r0, r0, r2
        mul r0, r0, 16777619
        add r1, r1, 1
        jmp h
fin:    out r0
        shr r3, r0, 16
        out r3
        sar r3, r0, 20
        out r3
        sltu r4, r0, 0x80000000
        out r4
        halt
"""


def collatz_program(rng: random.Random) -> str:
    starts = [rng.randint(2, 3000) for _ in range(5)]
    return f"""; collatz step counts
.data
starts: .word {", ".join(map(str, starts))}
.text
        li r6, 0
each:   li r0, 20
        bgeu r6, r0, end
        lw r1, starts(r6)
        li r2, 0
step:   li r3, 1
        beq r1, r3, done
        and r4, r1, 1
        bne r4, r3, even
        mul r1, r1, 3
        add r1, r1, 1
        add r2, r2, 1
        jmp step
even:   sar r1, r1, 1
        add r2, r2, 1
        jmp step
done:   out r2
        add r6, r6, 4
        jmp each
end:
"""


def fault_programs(rng: random.Random) -> list[str]:
    k = rng.randint(1, 9)
    return [
        f".text\n    li r0, {k}\n    out r0\n    li r1, 0\n    div r2, r0, r1\n    out r2\n",
        f".data\nw: .word 1, 2\n.text\n    li r0, {k % 3 + 1}\n    lw r1, w(r0)\n    out r1\n",
        f".text\n    li r0, 65534\n    li r1, {k}\n    sb r1, 1(r0)\n    out r1\n    sw r1, 0(r0)\n",
        f".text\n    li r0, {k}\n    out r0\n    ret\n",
        f".text\n    li r0, 0\nspin: add r0, r0, 1\n    jmp spin\n",
        f".text\n    li r0, {k + 100}\n    out r0\n    jr r0\n",
        f".text\n    in r0\n    out r0\n    in r1\n    out r1\n",
        f".data\nmsg: .ascii \"x\"\n.text\n    li r0, 65535\n    li r1, 'z' - {k}\n    sb r1, (r0)\n    outs r0\n",
    ]


ERRORS = [
    "    mvo r1, r2",
    "    beq r0, r1, nowhere_{k}",
    "    add r1, r2",
    "    li r9, 4",
    "    out 5",
    "    lw r1, 4[r2]",
    "dup_{k}: dup_{k}: halt",
    "    .word 1",
    "    .byte 300",
    "    .ascii \"open",
    "    li r1, 3 +",
    "    .bogus 1",
]


def broken_program(rng: random.Random, base: str, k: int) -> str:
    """A valid program with one erroneous line inserted among its instructions."""
    lines = base.split("\n")
    text_at = next(i for i, line in enumerate(lines) if line.strip() == ".text")
    at = rng.randint(text_at + 1, len(lines) - 1)
    error = rng.choice(ERRORS).format(k=k)
    if ".byte" in error or ".ascii" in error:
        error = ".data\n" + error + "\n.text"
    return "\n".join(lines[:at] + error.split("\n") + lines[at:])


def generate(seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    cases: list[tuple[str, str, str]] = []
    for i in range(10):
        cases.append((f"arithmetic-{i}", alu_program(rng), ""))
    makers = [sort_program, fib_program, reverse_program, sieve_program, table_program,
              hash_program, collatz_program]
    valid = []
    for maker in makers:
        for j in range(2):
            source = maker(rng)
            valid.append(source)
            cases.append((f"{maker.__name__}-{j}", source, ""))
    for j in range(2):
        source, stdin = gcd_program(rng)
        cases.append((f"gcd_program-{j}", source, stdin))
    for j, source in enumerate(fault_programs(rng)):
        cases.append((f"fault-{j}", source, "17\n"))
    for j in range(12):
        cases.append((f"assembler-error-{j}", broken_program(rng, rng.choice(valid), j), ""))
    for j in range(3):
        # Two errors: an undefined symbol (found when operands are resolved) above an unknown
        # instruction: the message must name the lower line number.
        lines = rng.choice(valid).split("\n")
        text_at = next(i for i, line in enumerate(lines) if line.strip() == ".text")
        at = rng.randint(text_at + 1, len(lines) - 2)
        lines[at:at] = [f"    jmp missing_{j}"]
        at2 = rng.randint(at + 1, len(lines) - 1)
        lines[at2:at2] = ["    frob r1"]
        cases.append((f"two-errors-{j}", "\n".join(lines), ""))
    return cases
