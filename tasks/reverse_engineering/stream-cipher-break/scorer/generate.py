"""Regenerates this task's data: python3 generate.py OUTDIR writes vault.py, vault.img, memo.txt.vlt
and ledger.csv.vlt (for environment/) and vault.py, vault.img, key.txt and
params.json (for scorer/). Deterministic (fixed seed). Needs vm_template.py next to it.

The cipher, compiled for the VM (obfuscated as in vm-keygen: permuted opcodes, address-keyed
code bytes, random register nibbles, junk after jumps): a 64-bit key fills three Galois LFSRs
of 20, 21 and 23 bits (key bits 0-19, 20-40, 41-63, little-endian); each state is XORed with
(rol(nonce, R_i) * K_i) masked to its length (a zero state becomes 1); all three are clocked
WARM times; then each keystream bit is the Geffe combination x3 ^ (x1 & (x2 ^ x3)) of the three
output bits, eight per byte, least significant bit first. Each of x2 and x3 agrees with the
keystream three times in four, so a correlation attack finds their states separately (2^21 and
2^23 candidates instead of 2^64), and x1 follows from the positions where x2 and x3 differ.
No plaintext is given: the sealed files are ASCII text, so bit 7 of every ciphertext byte is a
keystream bit, which is plenty (a file of n bytes gives n known bits).
"""

import json
import random
import sys
from pathlib import Path

SEED = 2_718_2026
HERE = Path(__file__).resolve().parent
M32 = 0xFFFFFFFF
KEY, NONCE, DATA = 0xE000, 0xE008, 0x8000
LENGTHS = (20, 21, 23)
# handler number and operand kinds: r register, i imm32, b imm8, w imm16, a label
FORMATS = {
    "halt": (0, "r"),
    "movi": (1, "ri"),
    "mov": (2, "rr"),
    "add": (3, "rrr"),
    "sub": (4, "rrr"),
    "xor": (5, "rrr"),
    "and": (6, "rrr"),
    "or": (7, "rrr"),
    "mul": (8, "rrr"),
    "rol": (9, "rrb"),
    "shr": (10, "rrb"),
    "shl": (11, "rrb"),
    "ldb": (12, "rrw"),
    "stb": (13, "rrw"),
    "ldw": (14, "rrw"),
    "stw": (15, "rrw"),
    "jmp": (16, "a"),
    "jz": (17, "ra"),
    "jnz": (18, "ra"),
    "jltu": (19, "rra"),
    "call": (20, "a"),
    "ret": (21, ""),
    "addi": (22, "rri"),
    "jeq": (23, "rra"),
    "shrv": (24, "rrr"),
}
SIZES = {"r": 1, "i": 4, "b": 1, "w": 2, "a": 2}


def rol(a: int, n: int) -> int:
    return (a << n | a >> (32 - n)) & M32 if n else a


def observable(taps: int, length: int) -> bool:
    """True when the first 2*length output bits determine the state (distinct keys differ)."""
    rows = []
    for j in range(length):
        s, bits = 1 << j, 0
        for t in range(2 * length):
            bits |= (s & 1) << t
            s = (s >> 1) ^ (taps if s & 1 else 0)
        rows.append(bits)
    rank = 0
    for bit in range(2 * length):
        pivot = next((r for r in rows if r >> bit & 1), None)
        if pivot is None:
            continue
        rows = [r ^ pivot if r >> bit & 1 and r is not pivot else r for r in rows if r is not pivot]
        rank += 1
    return rank == length


def make_params(rng: random.Random) -> dict:
    taps = []
    for length in LENGTHS:
        while True:
            t = rng.getrandbits(length) | 1 << (length - 1)
            if bin(t).count("1") >= 5 and observable(t, length):
                taps.append(t)
                break
    return {
        "taps": taps,
        "rot": [rng.randint(1, 31) for _ in LENGTHS],
        "mul": [rng.getrandbits(32) | 1 for _ in LENGTHS],
        "warm": rng.randint(64, 200),
    }


def keystream(p: dict, key: bytes, nonce: bytes, nbytes: int) -> bytes:
    k, n = int.from_bytes(key, "little"), int.from_bytes(nonce, "little")
    states, shift = [], 0
    for i, length in enumerate(LENGTHS):
        mask = (1 << length) - 1
        s = (k >> shift & mask) ^ ((rol(n, p["rot"][i]) * p["mul"][i]) & M32 & mask)
        states.append(s or 1)
        shift += length

    def clock() -> list[int]:
        out = []
        for i in range(3):
            o = states[i] & 1
            states[i] = (states[i] >> 1) ^ (p["taps"][i] if o else 0)
            out.append(o)
        return out

    for _ in range(p["warm"]):
        clock()
    stream = bytearray()
    for _ in range(nbytes):
        byte = 0
        for bit in range(8):
            x1, x2, x3 = clock()
            byte |= (x3 ^ (x1 & (x2 ^ x3))) << bit
        stream.append(byte)
    return bytes(stream)


def program(p: dict) -> list[tuple]:
    """The cipher in assembly: ('label', name) or (mnemonic, operands...)."""
    masks = [(1 << n) - 1 for n in LENGTHS]
    mix = []
    for i, reg in enumerate((7, 8, 9)):
        mix += [
            ("rol", 11, 6, p["rot"][i]),
            ("movi", 12, p["mul"][i]),
            ("mul", 11, 11, 12),
            ("movi", 12, masks[i]),
            ("and", 11, 11, 12),
            ("xor", reg, reg, 11),
            ("jnz", reg, f"nz{i}"),
            ("movi", reg, 1),
            ("label", f"nz{i}"),
        ]
    clock = []
    for i, (state, out) in enumerate(((7, 2), (8, 3), (9, 11))):
        clock += [
            ("movi", 12, 1),
            ("and", out, state, 12),
            ("shr", state, state, 1),
            ("jz", out, f"c{i}"),
            ("movi", 12, p["taps"][i]),
            ("xor", state, state, 12),
            ("label", f"c{i}"),
        ]
    return [
        ("label", "main"),
        ("movi", 3, 0),
        ("ldw", 4, 3, KEY),
        ("ldw", 5, 3, KEY + 4),
        ("ldw", 6, 3, NONCE),
        ("movi", 12, masks[0]),
        ("and", 7, 4, 12),
        ("shr", 11, 4, 20),
        ("shl", 13, 5, 12),
        ("or", 11, 11, 13),
        ("movi", 12, masks[1]),
        ("and", 8, 11, 12),
        ("shr", 11, 5, 9),
        ("movi", 12, masks[2]),
        ("and", 9, 11, 12),
        *mix,
        ("movi", 10, p["warm"]),
        ("label", "warm"),
        ("call", "clock"),
        ("addi", 10, 10, M32),
        ("jnz", 10, "warm"),
        ("movi", 10, 0),
        ("label", "d_loop"),
        ("jltu", 10, 1, "d_body"),
        ("halt", 0),
        ("label", "d_body"),
        ("movi", 14, 0),
        ("movi", 15, 0),
        ("label", "b_loop"),
        ("call", "clock"),
        ("shr", 14, 14, 1),
        ("shl", 0, 0, 7),
        ("or", 14, 14, 0),
        ("addi", 15, 15, 1),
        ("movi", 12, 8),
        ("jltu", 15, 12, "b_loop"),
        ("ldb", 11, 10, DATA),
        ("xor", 11, 11, 14),
        ("stb", 11, 10, DATA),
        ("addi", 10, 10, 1),
        ("jmp", "d_loop"),
        ("label", "clock"),
        *clock,
        ("xor", 13, 3, 11),
        ("and", 13, 13, 2),
        ("xor", 0, 13, 11),
        ("ret",),
    ]


def assemble(
    rng: random.Random, asm: list[tuple], opcode_of: dict[int, int], origin: int, known: dict[str, int]
) -> tuple[bytes, dict[str, int]]:
    def emit(labels: dict[str, int]) -> bytearray:
        out = bytearray()
        for ins in asm:
            if ins[0] == "label":
                labels[ins[1]] = origin + len(out)
                continue
            handler, kinds = FORMATS[ins[0]]
            out.append(opcode_of[handler])
            for kind, arg in zip(kinds, ins[1:], strict=True):
                if kind == "r":
                    out.append(arg | rng.randrange(16) << 4)
                elif kind == "a":
                    out += labels.get(arg, known.get(arg, 0)).to_bytes(2, "little")
                else:
                    out += (arg & ((1 << 8 * SIZES[kind]) - 1)).to_bytes(SIZES[kind], "little")
            if ins[0] in ("jmp", "ret", "halt"):
                out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))  # junk
        return out

    # Two passes with the same random junk: the first finds the label addresses.
    state = rng.getstate()
    labels: dict[str, int] = {}
    emit(labels)
    rng.setstate(state)
    final = dict(labels)
    code = emit(final)
    assert final == labels
    return bytes(code), labels


def fetch_crypt(code: bytes, origin: int, ka: int, kb: int) -> bytes:
    return bytes(b ^ (((origin + i) * ka + kb) & 0xFF) ^ ((origin + i) >> 8) for i, b in enumerate(code))


def image(rng: random.Random, p: dict) -> tuple[str, str]:
    handlers = list(range(len(FORMATS)))
    opcode_of = dict(zip(handlers, rng.sample(range(256), len(handlers)), strict=True))
    table = bytearray([0xFF] * 256)
    for h, c in opcode_of.items():
        table[c] = h
    ka, kb = rng.randrange(1, 256, 2), rng.randrange(256)
    code, labels = assemble(rng, program(p), opcode_of, 0, {})
    blob = b"VLT0" + labels["main"].to_bytes(2, "little") + bytes([ka, kb, 1])
    blob += (0).to_bytes(2, "little") + len(code).to_bytes(2, "little") + fetch_crypt(code, 0, ka, kb)
    vm = (HERE / "vm_template.py").read_text().replace("@@TABLE@@", table.hex())
    return vm, hexlines(blob)


def hexlines(blob: bytes) -> str:
    return "".join(blob[i : i + 32].hex() + "\n" for i in range(0, len(blob), 32))


def seal(p: dict, key: bytes, nonce: bytes, data: bytes) -> str:
    body = bytes(a ^ b for a, b in zip(data, keystream(p, key, nonce, len(data)), strict=True))
    return hexlines(b"VLT1" + nonce + len(data).to_bytes(4, "little") + body)


def memo(rng: random.Random) -> bytes:
    words = (
        "the board asked that every vault be rotated before the audit and that old keys be "
        "destroyed once the new ones are in place so the ledger stays sealed between visits "
        "by the auditors who arrive on the first monday of each quarter"
    ).split()
    lines = ["MEMO: key rotation", "To: all branch managers", ""]
    for _ in range(28):
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).capitalize() + ".")
    return ("\n".join(lines) + "\n").encode()


def ledger(rng: random.Random) -> bytes:
    rows = ["date,account,amount,memo"]
    for i in range(60):
        rows.append(
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},ACC-{rng.randint(1000, 9999)},"
            f"{rng.uniform(-5000, 90000):.2f},entry {i}"
        )
    return ("\n".join(rows) + "\n").encode()


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    p = make_params(rng)
    vm, img = image(rng, p)
    key = rng.randbytes(8)
    (out / "vault.py").write_text(vm)
    (out / "vault.img").write_text(img)
    (out / "memo.txt.vlt").write_text(seal(p, key, rng.randbytes(4), memo(rng)))
    (out / "ledger.csv.vlt").write_text(seal(p, key, rng.randbytes(4), ledger(rng)))
    (out / "key.txt").write_text(key.hex() + "\n")
    (out / "params.json").write_text(json.dumps(p) + "\n")


if __name__ == "__main__":
    main()
