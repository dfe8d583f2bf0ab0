"""Regenerates the VM task: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes vm.py (the interpreter, opcodes permuted, handlers anonymous), program.hex (the licence
program), names.txt (the user names to license) and keys.txt (the author's valid keys for them,
which the oracle copies).

The program (assembled here from a small assembler with labels) parses a key of six 64-bit
chunks written as hex, then runs six check stages, each in its own segment that is stored
XOR-encrypted with an LCG keystream and decrypted by the main code just before it is called
(self-modifying code). Every stage i compares F_i(chunk_i) with a target
T_i = H(name, seed_i) xor rol(chunk_{i-1}, 7 i) (H: a custom 64-bit hash):

1. a chain of 24 invertible 64-bit operations (xor, add, multiply by an odd constant, rotate,
   xorshift left and right);
2. byte substitution through a secret 256-byte permutation after a byte shuffle and per-byte
   xor, then three chain operations;
3. an 8-round Feistel network on 32-bit halves (round function: xor key, rotate, multiply,
   table lookup);
4. a 64x64 invertible matrix over GF(2) (rows in the data segment, parity by xor folding);
5. modular exponentiation modulo 2^61 - 1 with an exponent coprime to p - 1 (chunk < p);
6. chunk_6 = H over the name and the first five chunks (no inverse needed, just the hash).

Obfuscation: junk instructions on scratch registers, opaque predicates (always-taken branches
over garbage bytes, which break a linear sweep), random high nibbles in register operands, the
six encrypted segments, and a permuted opcode table in the interpreter. The generator inverts
each stage to make keys and runs the program on them (and on corrupted keys) as a check.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SEED = 9600417
M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
P61 = (1 << 61) - 1
NAMES = ["Ada Quist", "bertrand.okafor", "Chen Li-Wei", "D. Marchetti", "eva_lindqvist_2031",
         "Farouk Haddad", "g", "Hiroko Tanabe-Moreau"]
NAME_ADDR, NAME_LEN, KEY_ADDR, KEY_LEN = 0xE000, 0xDFF8, 0xE100, 0xE0F8
CHUNKS, RESULTS, SCRATCH = 0xE200, 0xE280, 0xE300
OPS = ["halt", "movi", "mov", "add", "sub", "xor", "and", "or", "mul", "shli", "shri", "roli",
       "ldb", "stb", "ldq", "stq", "jmp", "jz", "jnz", "call", "ret", "out", "ltu", "eq", "addi",
       "mulmod"]
# operand kinds: r register, q imm64, b imm8, w imm16 (address or offset), d imm32
FORMS = {"halt": "", "movi": "rq", "mov": "rr", "add": "rrr", "sub": "rrr", "xor": "rrr",
         "and": "rrr", "or": "rrr", "mul": "rrr", "shli": "rrb", "shri": "rrb", "roli": "rrb",
         "ldb": "rrw", "stb": "rwr", "ldq": "rrw", "stq": "rwr", "jmp": "w", "jz": "rw",
         "jnz": "rw", "call": "w", "ret": "", "out": "r", "ltu": "rrr", "eq": "rrr", "addi": "rrd",
         "mulmod": "rrrr"}


def rol(x: int, k: int) -> int:
    k %= 64
    return ((x << k) | (x >> (64 - k))) & M64 if k else x


def rol32(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & M32


class Asm:
    """Instructions and labels; junk and opaque predicates are woven in while emitting."""

    def __init__(self, rng: random.Random, perm: list[int]) -> None:
        self.rng, self.perm = rng, perm
        self.items: list[tuple] = []  # ("ins", op, args) | ("label", name) | ("raw", bytes) | ("org", addr)
        self.obfuscate = True
        self.n = 0

    def label(self, name: str) -> None:
        self.items.append(("label", name))

    def raw(self, data: bytes) -> None:
        self.items.append(("raw", data))

    def org(self, addr: int) -> None:
        self.items.append(("org", addr))

    def fresh(self) -> str:
        self.n += 1
        return f"_L{self.n}"

    def __call__(self, op: str, *args: object) -> None:
        self.items.append(("ins", op, args))
        if self.obfuscate:
            self.noise()

    def noise(self) -> None:
        rng = self.rng
        x = rng.random()
        scratch = [13, 14, 15]
        if x < 0.25:
            op = rng.choice(["add", "xor", "sub", "or", "and", "mul"])
            self.items.append(("ins", op, (rng.choice(scratch), rng.randint(0, 15), rng.randint(0, 15))))
        elif x < 0.33:
            self.items.append(("ins", "movi", (rng.choice(scratch), rng.getrandbits(64))))
        elif x < 0.45:
            # opaque predicate: r15 = r14 * (r14 + 1) & 1 is always 0; the branch is always taken
            # and jumps over garbage.
            skip = self.fresh()
            self.items.append(("ins", "movi", (14, rng.getrandbits(64))))
            self.items.append(("ins", "addi", (13, 14, 1)))
            self.items.append(("ins", "mul", (15, 14, 13)))
            self.items.append(("ins", "movi", (13, 1)))
            self.items.append(("ins", "and", (15, 15, 13)))
            self.items.append(("ins", "jz", (15, skip)))
            self.items.append(("raw", bytes(rng.getrandbits(8) for _ in range(rng.randint(2, 9)))))
            self.items.append(("label", skip))

    def size(self, op: str) -> int:
        return 1 + sum({"r": 1, "q": 8, "b": 1, "w": 2, "d": 4}[k] for k in FORMS[op])

    def assemble(self) -> tuple[bytearray, dict[str, int]]:
        labels: dict[str, int] = {}
        pc = 0
        for it in self.items:
            if it[0] == "label":
                labels[it[1]] = pc
            elif it[0] == "org":
                assert it[1] >= pc, (hex(it[1]), hex(pc))
                pc = it[1]
            elif it[0] == "raw":
                pc += len(it[1])
            else:
                pc += self.size(it[1])
        mem = bytearray(0x10000)
        pc = 0
        for it in self.items:
            if it[0] == "org":
                for a in range(pc, it[1]):
                    mem[a] = self.rng.getrandbits(8)
                pc = it[1]
            elif it[0] == "raw":
                mem[pc:pc + len(it[1])] = it[1]
                pc += len(it[1])
            elif it[0] == "ins":
                op, args = it[1], it[2]
                out = [self.perm[OPS.index(op)]]
                for kind, a in zip(FORMS[op], args):
                    if isinstance(a, str) and a.endswith("_len"):
                        v = labels[a[:-4] + "_end"] - labels[a[:-4]]
                    else:
                        v = labels[a] if isinstance(a, str) else int(a)  # type: ignore[arg-type]
                    if kind == "r":
                        out.append((self.rng.getrandbits(4) << 4) | v)
                    else:
                        n = {"q": 8, "b": 1, "w": 2, "d": 4}[kind]
                        out += list((v & ((1 << (8 * n)) - 1)).to_bytes(n, "little"))
                mem[pc:pc + len(out)] = bytes(out)
                pc += len(out)
        self.end = pc
        return mem, labels


class Layer:
    """One invertible layer of a stage: forward (what the VM computes), inverse, and its code."""

    kind = ""

    def fwd(self, x: int) -> int:
        raise NotImplementedError

    def inv(self, y: int) -> int:
        raise NotImplementedError

    def emit(self, a: Asm, tag: str) -> None:
        raise NotImplementedError

    def data(self, a: Asm, tag: str) -> None:
        return None


class Chain(Layer):
    kind = "chain"

    def __init__(self, rng: random.Random, n: int) -> None:
        self.ops: list[tuple[str, int]] = []
        for _ in range(n):
            kind = rng.choice(["xor", "add", "mul", "rol", "xsr", "xsl"])
            if kind in ("xor", "add"):
                self.ops.append((kind, rng.getrandbits(64)))
            elif kind == "mul":
                self.ops.append((kind, rng.getrandbits(64) | 1))
            elif kind == "rol":
                self.ops.append((kind, rng.randint(1, 63)))
            else:
                self.ops.append((kind, rng.randint(5, 40)))

    def fwd(self, x: int) -> int:
        for kind, k in self.ops:
            if kind == "xor":
                x ^= k
            elif kind == "add":
                x = (x + k) & M64
            elif kind == "mul":
                x = (x * k) & M64
            elif kind == "rol":
                x = rol(x, k)
            elif kind == "xsr":
                x ^= x >> k
            else:
                x ^= (x << k) & M64
        return x

    def inv(self, x: int) -> int:
        for kind, k in reversed(self.ops):
            if kind == "xor":
                x ^= k
            elif kind == "add":
                x = (x - k) & M64
            elif kind == "mul":
                x = (x * pow(k, -1, 1 << 64)) & M64
            elif kind == "rol":
                x = rol(x, 64 - k)
            elif kind == "xsr":
                y = x
                for _ in range(64 // k + 1):
                    y = x ^ (y >> k)
                x = y
            else:
                y = x
                for _ in range(64 // k + 1):
                    y = x ^ ((y << k) & M64)
                x = y
        return x

    def emit(self, a: Asm, tag: str) -> None:
        for kind, k in self.ops:
            if kind in ("xor", "add", "mul"):
                a("movi", 7, k)
                a(kind, 6, 6, 7)
            elif kind == "rol":
                a("roli", 6, 6, k)
            elif kind == "xsr":
                a("shri", 7, 6, k)
                a("xor", 6, 6, 7)
            else:
                a("shli", 7, 6, k)
                a("xor", 6, 6, 7)


class ByteSub(Layer):
    kind = "bytesub"

    def __init__(self, rng: random.Random) -> None:
        self.perm = list(range(8))
        rng.shuffle(self.perm)
        self.key = [rng.getrandbits(8) for _ in range(8)]
        self.sbox = list(range(256))
        rng.shuffle(self.sbox)
        self.inv_box = [0] * 256
        for i, b in enumerate(self.sbox):
            self.inv_box[b] = i

    def fwd(self, x: int) -> int:
        out = 0
        for j in range(8):
            out |= self.sbox[((x >> (8 * self.perm[j])) & 255) ^ self.key[j]] << (8 * j)
        return out

    def inv(self, y: int) -> int:
        x = 0
        for j in range(8):
            x |= (self.inv_box[(y >> (8 * j)) & 255] ^ self.key[j]) << (8 * self.perm[j])
        return x

    def emit(self, a: Asm, tag: str) -> None:
        a("movi", 8, 0)
        a("movi", 9, 0xFF)
        for j in range(8):
            a("shri", 7, 6, 8 * self.perm[j])
            a("and", 7, 7, 9)
            a("movi", 10, self.key[j])
            a("xor", 7, 7, 10)
            a("ldb", 7, 7, f"{tag}_sbox")
            a("shli", 7, 7, 8 * j)
            a("or", 8, 8, 7)
        a("mov", 6, 8)

    def data(self, a: Asm, tag: str) -> None:
        a.label(f"{tag}_sbox")
        a.raw(bytes(self.sbox))


class Feistel(Layer):
    kind = "feistel"

    def __init__(self, rng: random.Random, rounds: int) -> None:
        self.rounds = [(rng.getrandbits(32), rng.randint(3, 29), rng.getrandbits(32) | 1) for _ in range(rounds)]
        self.table = [rng.getrandbits(8) for _ in range(256)]

    def f(self, r: int, x: int) -> int:
        k, rot, m = self.rounds[r]
        x = rol32(x ^ k, rot)
        x = (x * m) & M32
        return (x ^ (self.table[x & 255] << 8)) & M32

    def fwd(self, c: int) -> int:
        left, right = c >> 32, c & M32
        for r in range(len(self.rounds)):
            left, right = right, left ^ self.f(r, right)
        return (left << 32) | right

    def inv(self, y: int) -> int:
        left, right = y >> 32, y & M32
        for r in reversed(range(len(self.rounds))):
            left, right = right ^ self.f(r, left), left
        return (left << 32) | right

    def emit(self, a: Asm, tag: str) -> None:
        a("movi", 9, M32)
        a("shri", 4, 6, 32)
        a("and", 5, 6, 9)
        for k, rot, m in self.rounds:
            a("movi", 10, k)
            a("xor", 7, 5, 10)
            a("shli", 8, 7, rot)
            a("shri", 7, 7, 32 - rot)
            a("or", 7, 7, 8)
            a("and", 7, 7, 9)
            a("movi", 10, m)
            a("mul", 7, 7, 10)
            a("and", 7, 7, 9)
            a("movi", 10, 0xFF)
            a("and", 8, 7, 10)
            a("ldb", 8, 8, f"{tag}_ftab")
            a("shli", 8, 8, 8)
            a("xor", 7, 7, 8)
            a("and", 7, 7, 9)
            a("xor", 7, 4, 7)
            a("mov", 4, 5)
            a("mov", 5, 7)
        a("shli", 4, 4, 32)
        a("or", 6, 4, 5)

    def data(self, a: Asm, tag: str) -> None:
        a.label(f"{tag}_ftab")
        a.raw(bytes(self.table))


class Matrix(Layer):
    kind = "matrix"

    def __init__(self, rng: random.Random) -> None:
        while True:
            self.rows = [rng.getrandbits(64) for _ in range(64)]
            if self.eliminate() is not None:
                break

    def fwd(self, c: int) -> int:
        y = 0
        for i in range(63, -1, -1):
            y = (y << 1) | (bin(self.rows[i] & c).count("1") & 1)
        return y

    def eliminate(self, y: int = 0) -> list[tuple[int, int, int]] | None:
        pivots: list[tuple[int, int, int]] = []
        for i in range(64):
            row, bit = self.rows[i], (y >> i) & 1
            for pcol, prow, pbit in pivots:
                if row >> pcol & 1:
                    row ^= prow
                    bit ^= pbit
            if row == 0:
                return None
            pivots.append((row.bit_length() - 1, row, bit))
        return pivots

    def inv(self, y: int) -> int:
        pivots = self.eliminate(y)
        assert pivots is not None
        c = 0
        for col, row, bit in sorted(pivots):
            c |= (bit ^ (bin(row & ~(1 << col) & c).count("1") & 1)) << col
        assert self.fwd(c) == y
        return c

    def emit(self, a: Asm, tag: str) -> None:
        loop, done = a.fresh(), a.fresh()
        a("movi", 8, 0)
        a("movi", 1, 63)
        a("movi", 11, 1)
        a.label(loop)
        a("shli", 2, 1, 3)
        a("ldq", 2, 2, f"{tag}_rows")
        a("and", 2, 2, 6)
        for s in (32, 16, 8, 4, 2, 1):
            a("shri", 3, 2, s)
            a("xor", 2, 2, 3)
        a("and", 2, 2, 11)
        a("shli", 8, 8, 1)
        a("or", 8, 8, 2)
        a("jz", 1, done)
        a("addi", 1, 1, -1)
        a("jmp", loop)
        a.label(done)
        a("mov", 6, 8)

    def data(self, a: Asm, tag: str) -> None:
        a.label(f"{tag}_rows")
        a.raw(b"".join(r.to_bytes(8, "little") for r in self.rows))


class ModExp(Layer):
    """x -> x^e mod p (p = 2^61 - 1); only as a stage's last layer: the stage also requires x < p
    and compares with the target mod p."""

    kind = "modexp"

    def __init__(self, rng: random.Random) -> None:
        while True:
            self.e = rng.getrandbits(60) | 1
            if gcd(self.e, P61 - 1) == 1:
                break
        self.d = pow(self.e, -1, P61 - 1)

    def fwd(self, x: int) -> int:
        return pow(x, self.e, P61) if x < P61 else -1

    def inv(self, y: int) -> int:
        return pow(y % P61, self.d, P61)

    def emit(self, a: Asm, tag: str) -> None:
        loop, square = a.fresh(), a.fresh()
        a("movi", 9, P61)
        a("ltu", 8, 6, 9)
        a("movi", 1, 1)
        a("movi", 2, self.e)
        a("movi", 11, 1)
        a.label(loop)
        a("and", 3, 2, 11)
        a("jz", 3, square)
        a("mulmod", 1, 1, 6, 9)
        a.label(square)
        a("mulmod", 6, 6, 6, 9)
        a("shri", 2, 2, 1)
        a("jnz", 2, loop)
        a("mov", 6, 1)


N_STAGES = 9  # plus the final hash chunk


class Stages:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seeds = [rng.getrandbits(64) for _ in range(N_STAGES + 2)]
        self.hp, self.hc, self.hr = rng.getrandbits(64) | 1, rng.getrandbits(64), rng.randint(17, 43)
        self.hm = rng.getrandbits(64) | 1
        self.layers: list[list[Layer]] = [
            [Chain(rng, 24)],
            [ByteSub(rng), Chain(rng, 3)],
            [Feistel(rng, 8)],
            [Matrix(rng)],
            [ModExp(rng)],
            [Chain(rng, 12), Feistel(rng, 6)],
            [Matrix(rng), ByteSub(rng)],
            [ByteSub(rng), Chain(rng, 8), ModExp(rng)],
            [Feistel(rng, 10), Matrix(rng), Chain(rng, 6)],
        ]

    def body(self, data: bytes, h: int) -> int:
        for b in data:
            h = ((h ^ b) * self.hp) & M64
            h = (rol(h, self.hr) + self.hc) & M64
        return h

    def fin(self, h: int) -> int:
        h ^= h >> 31
        h = (h * self.hm) & M64
        return h ^ (h >> 29)

    def target(self, i: int, name: bytes, prev: int) -> int:
        return self.fin(self.body(name, self.seeds[i])) ^ rol(prev, 7 * i)

    def check(self, i: int, name: bytes, chunks: list[int]) -> bool:
        x = chunks[i - 1]
        for layer in self.layers[i - 1]:
            x = layer.fwd(x)
        t = self.target(i, name, chunks[i - 2] if i > 1 else 0)
        if self.layers[i - 1][-1].kind == "modexp":
            t %= P61
        return x == t

    def key_for(self, name: bytes) -> list[int]:
        chunks: list[int] = []
        prev = 0
        for i in range(1, N_STAGES + 1):
            x = self.target(i, name, prev)
            for layer in reversed(self.layers[i - 1]):
                x = layer.inv(x)
            chunks.append(x)
            prev = x
            assert self.check(i, name, chunks)
        data = b"".join(c.to_bytes(8, "little") for c in chunks)
        chunks.append(self.fin(self.body(data, self.body(name, self.seeds[N_STAGES + 1]))))
        return chunks


def gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


N_CHUNKS = N_STAGES + 1
KEY_CHARS = 17 * N_CHUNKS - 1


def decrypt_stub(a: Asm, seed: int, seg: str) -> None:
    a("movi", 1, seg)
    a("movi", 2, f"{seg}_len")
    a("movi", 3, seed)
    a("movi", 10, 6364136223846793005)
    a("movi", 11, 1442695040888963407)
    loop = a.fresh()
    a.label(loop)
    a("mul", 3, 3, 10)
    a("add", 3, 3, 11)
    a("shri", 4, 3, 56)
    a("ldb", 5, 1, 0)
    a("xor", 5, 5, 4)
    a("stb", 1, 0, 5)
    a("addi", 1, 1, 1)
    a("addi", 2, 2, -1)
    a("jnz", 2, loop)
    a("call", seg)


def say(a: Asm, text: str) -> None:
    keep, a.obfuscate = a.obfuscate, False
    for ch in text:
        a("movi", 1, ord(ch))
        a("out", 1)
    a.obfuscate = keep


def emit_program(a: Asm, st: Stages, rng: random.Random) -> list[tuple[int, str]]:
    """Emits the whole program; returns the encrypted segments (seed, label) in the order in which
    they must be encrypted (inner segments first)."""
    segs: list[tuple[int, str]] = []
    a.org(0)
    a("movi", 2, 0)
    a("ldq", 1, 2, KEY_LEN)
    a("movi", 2, KEY_CHARS)
    a("eq", 3, 1, 2)
    a("jnz", 3, "parse")
    say(a, "MALFORMED\n")
    a("halt")
    a.label("parse")
    a("movi", 1, 0)
    a("movi", 9, 0xFF)
    a.label("p_chunk")
    a("movi", 2, 17)
    a("mul", 3, 1, 2)
    a("movi", 2, KEY_ADDR)
    a("add", 3, 3, 2)
    a("movi", 4, 0)
    a("movi", 5, 16)
    a.label("p_digit")
    a("ldb", 6, 3, 0)
    a("ldb", 6, 6, "hextab")
    a("eq", 7, 6, 9)
    a("jnz", 7, "bad")
    a("shli", 4, 4, 4)
    a("or", 4, 4, 6)
    a("addi", 3, 3, 1)
    a("addi", 5, 5, -1)
    a("jnz", 5, "p_digit")
    a("movi", 2, 8)
    a("mul", 7, 1, 2)
    a("stq", 7, CHUNKS, 4)
    a("addi", 1, 1, 1)
    a("movi", 2, N_CHUNKS)
    a("eq", 7, 1, 2)
    a("jz", 7, "p_chunk")
    order = list(range(1, N_CHUNKS + 1))
    for i in order:
        seed = rng.getrandbits(64)
        decrypt_stub(a, seed, f"seg{i}")
        segs.append((seed, f"seg{i}"))
    a("movi", 8, 1)
    for i in range(1, N_CHUNKS + 1):
        say(a, f"S{i}:")
        a("movi", 2, 0)
        a("ldb", 1, 2, RESULTS + i)
        a("and", 8, 8, 1)
        a("addi", 1, 1, 48)
        a("out", 1)
        a("movi", 1, 10)
        a("out", 1)
    a("jz", 8, "reject")
    say(a, "ACCEPTED\n")
    a("halt")
    a.label("reject")
    say(a, "REJECTED\n")
    a("halt")
    a.label("bad")
    say(a, "MALFORMED\n")
    a("halt")
    # hash: body(r1 ptr, r2 len, r3 h) -> r3; fin(r3) -> r3
    a.label("hbody")
    a("movi", 10, st.hp)
    a("movi", 11, st.hc)
    a.label("hb_loop")
    a("jz", 2, "hb_done")
    a("ldb", 4, 1, 0)
    a("xor", 3, 3, 4)
    a("mul", 3, 3, 10)
    a("roli", 3, 3, st.hr)
    a("add", 3, 3, 11)
    a("addi", 1, 1, 1)
    a("addi", 2, 2, -1)
    a("jmp", "hb_loop")
    a.label("hb_done")
    a("ret")
    a.label("hfin")
    a("shri", 4, 3, 31)
    a("xor", 3, 3, 4)
    a("movi", 10, st.hm)
    a("mul", 3, 3, 10)
    a("shri", 4, 3, 29)
    a("xor", 3, 3, 4)
    a("ret")

    def name_hash(seed: int) -> None:
        a("movi", 1, NAME_ADDR)
        a("movi", 2, 0)
        a("ldq", 2, 2, NAME_LEN)
        a("movi", 3, seed)
        a("call", "hbody")

    def store(i: int) -> None:
        a("movi", 2, 0)
        a("stb", 2, RESULTS + i, 7)
        a("ret")

    for i in range(1, N_STAGES + 1):
        layers = st.layers[i - 1]
        nested = len(layers) > 1
        a.label(f"seg{i}")
        if nested:  # the outer segment only decrypts and calls the inner one
            seed = rng.getrandbits(64)
            decrypt_stub(a, seed, f"seg{i}in")
            a("ret")
            a.label(f"seg{i}in")
        a("movi", 2, 0)
        a("ldq", 6, 2, CHUNKS + 8 * (i - 1))
        for n, layer in enumerate(layers):
            layer.emit(a, f"s{i}l{n}")
        name_hash(st.seeds[i])
        a("call", "hfin")
        a("movi", 2, 0)
        a("ldq", 2, 2, CHUNKS + 8 * (i - 2) if i > 1 else SCRATCH)
        a("roli", 2, 2, 7 * i)
        a("xor", 12, 3, 2)
        if layers[-1].kind == "modexp":
            a("movi", 11, 1)
            a("mulmod", 12, 12, 11, 9)
            a("eq", 7, 6, 12)
            a("and", 7, 7, 8)
        else:
            a("eq", 7, 6, 12)
        store(i)
        if nested:
            a.label(f"seg{i}in_end")
            segs.insert(0, (seed, f"seg{i}in"))
        a.label(f"seg{i}_end")
    a.label(f"seg{N_CHUNKS}")
    name_hash(st.seeds[N_STAGES + 1])
    a("movi", 1, CHUNKS)
    a("movi", 2, 8 * N_STAGES)
    a("call", "hbody")
    a("call", "hfin")
    a("movi", 2, 0)
    a("ldq", 6, 2, CHUNKS + 8 * N_STAGES)
    a("eq", 7, 6, 3)
    store(N_CHUNKS)
    a.label(f"seg{N_CHUNKS}_end")
    a.obfuscate = False
    a.label("hextab")
    tab = bytearray([0xFF] * 256)
    for d, ch in enumerate("0123456789abcdef"):
        tab[ord(ch)] = d
        tab[ord(ch.upper())] = d
    a.raw(bytes(tab))
    for i in range(1, N_STAGES + 1):
        for n, layer in enumerate(st.layers[i - 1]):
            layer.data(a, f"s{i}l{n}")
    return segs


VM_SOURCE = '''#!/usr/bin/env python3
"""Licence checker. Usage: python3 vm.py program.hex "USER NAME" KEY"""
import sys
_T = bytes.fromhex("{table}")
_F = "{forms}".split(",")
def _q(m, a, n):
    return int.from_bytes(m[a:a + n], "little")
def main(img, nm, ky):
    m = bytearray(0x10000)
    b = bytes.fromhex("".join(img.split()))
    m[:len(b)] = b
    u = nm.encode()[:64]; k = ky.encode()[:200]
    m[0xE000:0xE000 + len(u)] = u; m[0xDFF8:0xE000] = len(u).to_bytes(8, "little")
    m[0xE100:0xE100 + len(k)] = k; m[0xE0F8:0xE100] = len(k).to_bytes(8, "little")
    R = [0] * 16; S = []; O = []; p = 0; Z = (1 << 64) - 1; n = 0
    while n < 20000000:
        n += 1
        o = _T[m[p]]; p += 1
        if o == 255:
            raise SystemExit("bad opcode")
        f = _F[o]; v = []
        for c in f:
            if c == "r":
                v.append(m[p] & 15); p += 1
            else:
                w = {{"q": 8, "b": 1, "w": 2, "d": 4}}[c]; v.append(_q(m, p, w)); p += w
        if o == 0: break
        elif o == 1: R[v[0]] = v[1]
        elif o == 2: R[v[0]] = R[v[1]]
        elif o == 3: R[v[0]] = (R[v[1]] + R[v[2]]) & Z
        elif o == 4: R[v[0]] = (R[v[1]] - R[v[2]]) & Z
        elif o == 5: R[v[0]] = R[v[1]] ^ R[v[2]]
        elif o == 6: R[v[0]] = R[v[1]] & R[v[2]]
        elif o == 7: R[v[0]] = R[v[1]] | R[v[2]]
        elif o == 8: R[v[0]] = (R[v[1]] * R[v[2]]) & Z
        elif o == 9: R[v[0]] = (R[v[1]] << v[2]) & Z
        elif o == 10: R[v[0]] = R[v[1]] >> v[2]
        elif o == 11: s = v[2] & 63; R[v[0]] = ((R[v[1]] << s) | (R[v[1]] >> (64 - s))) & Z
        elif o == 12: R[v[0]] = m[(R[v[1]] + v[2]) & 0xFFFF]
        elif o == 13: m[(R[v[0]] + v[1]) & 0xFFFF] = R[v[2]] & 255
        elif o == 14: a = (R[v[1]] + v[2]) & 0xFFFF; R[v[0]] = _q(m, a, 8)
        elif o == 15: a = (R[v[0]] + v[1]) & 0xFFFF; m[a:a + 8] = R[v[2]].to_bytes(8, "little")
        elif o == 16: p = v[0]
        elif o == 17:
            if R[v[0]] == 0: p = v[1]
        elif o == 18:
            if R[v[0]] != 0: p = v[1]
        elif o == 19: S.append(p); p = v[0]
        elif o == 20: p = S.pop()
        elif o == 21: O.append(chr(R[v[0]] & 255))
        elif o == 22: R[v[0]] = int(R[v[1]] < R[v[2]])
        elif o == 23: R[v[0]] = int(R[v[1]] == R[v[2]])
        elif o == 24: d = v[2] - (1 << 32) if v[2] >> 31 else v[2]; R[v[0]] = (R[v[1]] + d) & Z
        elif o == 25: R[v[0]] = (R[v[1]] * R[v[2]]) % R[v[3]] if R[v[3]] else 0
    sys.stdout.write("".join(O))
if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as fh:
        main(fh.read(), sys.argv[2], sys.argv[3])
'''


def lcg_crypt(mem: bytearray, start: int, end: int, seed: int) -> None:
    state = seed
    for addr in range(start, end):
        state = (state * 6364136223846793005 + 1442695040888963407) & M64
        mem[addr] ^= state >> 56


def run_vm(source: str, image: str, name: str, key: str) -> str:
    import contextlib
    import io

    scope: dict = {"__name__": "vm"}
    exec(compile(source, "vm.py", "exec"), scope)  # noqa: S102 - our own generated interpreter
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        scope["main"](image, name, key)
    return buf.getvalue()


def key_text(chunks: list[int]) -> str:
    return "-".join(f"{c:016X}" for c in chunks)


def build(out: Path) -> None:
    rng = random.Random(SEED)
    perm = list(range(256))
    rng.shuffle(perm)
    perm = perm[: len(OPS)]
    st = Stages(rng)
    a = Asm(rng, perm)
    segs = emit_program(a, st, rng)
    mem, labels = a.assemble()
    assert a.end < 0xDF00, hex(a.end)
    for seed, seg in segs:
        lcg_crypt(mem, labels[seg], labels[seg + "_end"], seed)
    code = bytes(mem[: a.end])
    image = "\n".join(code[i:i + 32].hex() for i in range(0, len(code), 32)) + "\n"
    table = bytearray([255] * 256)
    for logical, byte in enumerate(perm):
        table[byte] = logical
    source = VM_SOURCE.format(table=table.hex(), forms=",".join(FORMS[op] for op in OPS))
    keys = []
    for name in NAMES:
        chunks = st.key_for(name.encode())
        key = key_text(chunks)
        got = run_vm(source, image, name, key)
        assert got.endswith("ACCEPTED\n"), (name, got)
        for stage in range(N_CHUNKS if name == NAMES[0] else 0):  # a corrupted chunk fails
            bad = list(chunks)
            bad[stage] ^= 1 << rng.randrange(61)
            lines = run_vm(source, image, name, key_text(bad)).split()
            assert lines[stage] == f"S{stage + 1}:0" and lines[-1] == "REJECTED", (stage, lines)
        keys.append(f"{name}\t{key}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "vm.py").write_text(source)
    (out / "program.hex").write_text(image)
    (out / "names.txt").write_text("\n".join(NAMES) + "\n")
    (out / "keys.txt").write_text("\n".join(keys) + "\n")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
