"""Regenerates this task's data: python3 generate.py OUTDIR writes licchk.py, license.img and
example.txt (for environment/) and licchk.py, license.img, params.json and cases.json (for
scorer/). Deterministic (fixed seed). Needs vm_template.py next to it.

The licence check, compiled for the VM. A serial is 25 characters of a secret 32-letter
alphabet in five dash-separated groups: 125 bits = L (32) | R (32) | class (8) | day (16) |
check (32) | a fixed 5-bit pad, most significant first. Two hashes of the user name (h1
forwards, h2 backwards); eight round keys from h1; eight rounds of
    (L, R) <- (R, S(L + ((rol(R, A3) ^ k_i) + (R >> B))))
with S a secret byte permutation applied to each byte of the word, must give (h2, h1 ^ C3);
and the check word must equal  rol(mix(h2 ^ (class << 16 | day)) + L, A4) ^ R  on the original
L and R. A keygen must invert the rounds and compute the check. The image hides the code:
opcode numbers are permuted (the VM's table), code bytes are XORed with an address-keyed stream,
register bytes carry random high nibbles, junk bytes follow every unconditional jump, return and
halt, and the round function is stored encrypted (an LCG stream) and unpacked at run time.
"""

import json
import random
import string
import sys
from pathlib import Path

SEED = 7_331_2026
HERE = Path(__file__).resolve().parent
M32 = 0xFFFFFFFF
USER, SERIAL, KEYS, SBOX, REV, DASHES, BUF = 0xE000, 0xE100, 0x5000, 0x4800, 0x4900, 0x4A00, 0x5100
STAGE2, PACKED, LCG_A, LCG_C = 0x3000, 0x6000, 0x41C64E6D, 12345
DIGITS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
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


def make_params(rng: random.Random) -> dict:
    sbox = list(range(256))
    rng.shuffle(sbox)
    odd = lambda: rng.randrange(1 << 31, 1 << 32) | 1  # noqa: E731
    return {
        "C0": rng.getrandbits(32),
        "A1": rng.randint(3, 13),
        "P1": odd(),
        "C1": rng.getrandbits(32),
        "D0": rng.getrandbits(32),
        "P2": odd(),
        "S2": rng.randint(9, 17),
        "A2": rng.randint(5, 27),
        "KC": rng.getrandbits(32),
        "A3": rng.randint(3, 29),
        "B": rng.randint(5, 11),
        "C3": rng.getrandbits(32),
        "P3": odd(),
        "A4": rng.randint(3, 29),
        "PAD": rng.randrange(32),
        "X0": rng.getrandbits(32),
        "alphabet": "".join(rng.sample(DIGITS, 32)),
        "sbox": sbox,
    }


def be_load(dst: int, offset: int, count: int) -> list[tuple]:
    """r<dst> <- count bytes at BUF+offset, big-endian (uses r11)."""
    code: list[tuple] = [("movi", dst, 0), ("movi", 3, 0)]
    for k in range(count):
        code += [("ldb", 11, 3, BUF + offset + k), ("shl", dst, dst, 8), ("or", dst, dst, 11)]
    return code


def stage1(p: dict, packed_len: int) -> list[tuple]:
    """main, unpacking, parsing, hashes and key schedule; ('label', name) or (mnemonic, ...)."""
    return [
        ("label", "main"),
        ("movi", 3, 29),
        ("jeq", 2, 3, "len_ok"),
        ("jmp", "fail"),
        ("label", "len_ok"),
        ("call", "unpack"),
        ("call", "parse"),
        ("jz", 6, "fail"),
        *be_load(4, 0, 4),
        *be_load(5, 4, 4),
        ("call", "hash1"),
        ("call", "hash2"),
        ("call", "keys"),
        ("call", "cipher"),
        ("jeq", 4, 8, "half"),
        ("jmp", "fail"),
        ("label", "half"),
        ("movi", 9, p["C3"]),
        ("xor", 9, 7, 9),
        ("jeq", 5, 9, "fields"),
        ("jmp", "fail"),
        ("label", "fields"),
        *be_load(6, 8, 1),
        *be_load(10, 9, 2),
        ("shl", 6, 6, 16),
        ("or", 6, 6, 10),
        ("xor", 9, 8, 6),
        ("movi", 12, p["P3"]),
        ("mul", 9, 9, 12),
        ("shr", 12, 9, 15),
        ("xor", 9, 9, 12),
        *be_load(4, 0, 4),
        ("add", 9, 9, 4),
        ("rol", 9, 9, p["A4"]),
        *be_load(5, 4, 4),
        ("xor", 9, 9, 5),
        *be_load(13, 11, 4),
        ("jeq", 9, 13, "good"),
        ("jmp", "fail"),
        ("label", "good"),
        ("movi", 0, 1 << 24),
        ("or", 0, 0, 6),
        ("halt", 0),
        ("label", "fail"),
        ("movi", 0, 0),
        ("halt", 0),
        # unpack: STAGE2[i] = PACKED[i] ^ (x >> 24), x = x * LCG_A + LCG_C
        ("label", "unpack"),
        ("movi", 10, 0),
        ("movi", 13, p["X0"]),
        ("movi", 14, LCG_A),
        ("label", "u_loop"),
        ("ldb", 11, 10, PACKED),
        ("shr", 12, 13, 24),
        ("xor", 11, 11, 12),
        ("stb", 11, 10, STAGE2),
        ("mul", 13, 13, 14),
        ("addi", 13, 13, LCG_C),
        ("addi", 10, 10, 1),
        ("movi", 12, packed_len),
        ("jltu", 10, 12, "u_loop"),
        ("ret",),
        # parse: 29 characters -> 15 bytes at BUF through a 5-bit accumulator; r6 = 0 when bad
        ("label", "parse"),
        ("movi", 6, 1),
        ("movi", 10, 0),
        ("movi", 13, 0),
        ("movi", 14, 0),
        ("movi", 15, 0),
        ("label", "p_loop"),
        ("ldb", 11, 10, SERIAL),
        ("ldb", 12, 10, DASHES),
        ("jz", 12, "p_char"),
        ("movi", 12, 45),
        ("jeq", 11, 12, "p_next"),
        ("jmp", "p_bad"),
        ("label", "p_char"),
        ("ldb", 11, 11, REV),
        ("movi", 12, 32),
        ("jltu", 11, 12, "p_val"),
        ("jmp", "p_bad"),
        ("label", "p_val"),
        ("shl", 13, 13, 5),
        ("or", 13, 13, 11),
        ("addi", 14, 14, 5),
        ("movi", 12, 8),
        ("jltu", 14, 12, "p_next"),
        ("addi", 14, 14, -8 & M32),
        ("shrv", 11, 13, 14),
        ("movi", 12, 0xFF),
        ("and", 11, 11, 12),
        ("stb", 11, 15, BUF),
        ("addi", 15, 15, 1),
        ("label", "p_next"),
        ("addi", 10, 10, 1),
        ("movi", 12, 29),
        ("jltu", 10, 12, "p_loop"),
        ("movi", 12, 31),
        ("and", 11, 13, 12),
        ("movi", 12, p["PAD"]),
        ("jeq", 11, 12, "p_ok"),
        ("label", "p_bad"),
        ("movi", 6, 0),
        ("label", "p_ok"),
        ("ret",),
        # hash1 -> r7: h = rol(h ^ b, A1) * P1 + C1 over the name, forwards
        ("label", "hash1"),
        ("movi", 7, p["C0"]),
        ("movi", 10, 0),
        ("label", "h1_loop"),
        ("jltu", 10, 1, "h1_body"),
        ("ret",),
        ("label", "h1_body"),
        ("ldb", 11, 10, USER),
        ("xor", 7, 7, 11),
        ("rol", 7, 7, p["A1"]),
        ("movi", 12, p["P1"]),
        ("mul", 7, 7, 12),
        ("addi", 7, 7, p["C1"]),
        ("addi", 10, 10, 1),
        ("jmp", "h1_loop"),
        # hash2 -> r8: h = (h + b) * P2; h ^= h >> S2 over the name, backwards
        ("label", "hash2"),
        ("movi", 8, p["D0"]),
        ("mov", 10, 1),
        ("label", "h2_loop"),
        ("jnz", 10, "h2_body"),
        ("ret",),
        ("label", "h2_body"),
        ("addi", 10, 10, M32),
        ("ldb", 11, 10, USER),
        ("add", 8, 8, 11),
        ("movi", 12, p["P2"]),
        ("mul", 8, 8, 12),
        ("shr", 11, 8, p["S2"]),
        ("xor", 8, 8, 11),
        ("jmp", "h2_loop"),
        # keys: k = (rol(k, A2) ^ KC) + i, from k = h1, stored at KEYS + 4i
        ("label", "keys"),
        ("mov", 13, 7),
        ("movi", 10, 0),
        ("movi", 12, p["KC"]),
        ("label", "k_loop"),
        ("rol", 13, 13, p["A2"]),
        ("xor", 13, 13, 12),
        ("add", 13, 13, 10),
        ("shl", 14, 10, 2),
        ("stw", 13, 14, KEYS),
        ("addi", 10, 10, 1),
        ("movi", 11, 8),
        ("jltu", 10, 11, "k_loop"),
        ("ret",),
    ]


def stage2(p: dict) -> list[tuple]:
    """The eight rounds on (r4, r5), stored encrypted and unpacked to STAGE2 at run time."""
    sub_bytes: list[tuple] = []
    for shift in (0, 8, 16, 24):  # r4 <- S applied to each byte of r4 (uses r11, r12, r13)
        sub_bytes += [
            ("shr", 11, 4, shift),
            ("movi", 12, 0xFF),
            ("and", 11, 11, 12),
            ("ldb", 11, 11, SBOX),
            ("shl", 11, 11, shift),
            ("or", 13, 13, 11),
        ]
    return [
        ("label", "cipher"),
        ("movi", 10, 0),
        ("label", "c_loop"),
        ("shl", 14, 10, 2),
        ("ldw", 15, 14, KEYS),
        ("rol", 11, 5, p["A3"]),
        ("xor", 11, 11, 15),
        ("shr", 12, 5, p["B"]),
        ("add", 11, 11, 12),
        ("add", 4, 4, 11),
        ("call", "subw"),
        ("mov", 11, 4),
        ("mov", 4, 5),
        ("mov", 5, 11),
        ("addi", 10, 10, 1),
        ("movi", 11, 8),
        ("jltu", 10, 11, "c_loop"),
        ("ret",),
        ("label", "subw"),
        ("movi", 13, 0),
        *sub_bytes,
        ("mov", 4, 13),
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


def lcg_crypt(data: bytes, x: int) -> bytes:
    out = bytearray()
    for b in data:
        out.append(b ^ (x >> 24))
        x = (x * LCG_A + LCG_C) & M32
    return bytes(out)


def hashes(p: dict, user: bytes) -> tuple[int, int]:
    h1 = p["C0"]
    for b in user:
        h1 = (rol(h1 ^ b, p["A1"]) * p["P1"] + p["C1"]) & M32
    h2 = p["D0"]
    for b in reversed(user):
        h2 = ((h2 + b) * p["P2"]) & M32
        h2 ^= h2 >> p["S2"]
    return h1, h2


def round_keys(p: dict, h1: int) -> list[int]:
    keys, k = [], h1
    for i in range(8):
        k = ((rol(k, p["A2"]) ^ p["KC"]) + i) & M32
        keys.append(k)
    return keys


def check_word(p: dict, h2: int, cls: int, day: int, left: int, right: int) -> int:
    c = ((h2 ^ (cls << 16 | day)) * p["P3"]) & M32
    c ^= c >> 15
    return rol((c + left) & M32, p["A4"]) ^ right


def keygen(p: dict, user: bytes, cls: int, day: int) -> str:
    """A serial for (user, class, day): the rounds run backwards from (h2, h1 ^ C3)."""
    inverse = [0] * 256
    for i, s in enumerate(p["sbox"]):
        inverse[s] = i
    h1, h2 = hashes(p, user)
    left, right = h2, h1 ^ p["C3"]
    for k in reversed(round_keys(p, h1)):
        prev_right = left
        mixed = int.from_bytes(bytes(inverse[b] for b in right.to_bytes(4, "little")), "little")
        t = ((rol(prev_right, p["A3"]) ^ k) + (prev_right >> p["B"])) & M32
        left, right = (mixed - t) & M32, prev_right
    bits = left << 88 | right << 56 | cls << 48 | day << 32 | check_word(p, h2, cls, day, left, right)
    bits = bits << 5 | p["PAD"]
    chars = "".join(p["alphabet"][bits >> (5 * (24 - i)) & 31] for i in range(25))
    return "-".join(chars[i : i + 5] for i in range(0, 25, 5))


def image(rng: random.Random, p: dict) -> tuple[str, str]:
    handlers = list(range(len(FORMATS)))
    codes = rng.sample(range(256), len(handlers))
    opcode_of = dict(zip(handlers, codes, strict=True))
    table = bytearray([0xFF] * 256)
    for h, c in opcode_of.items():
        table[c] = h
    ka, kb = rng.randrange(1, 256, 2), rng.randrange(256)
    code2, labels2 = assemble(rng, stage2(p), opcode_of, STAGE2, {})
    code1, labels1 = assemble(rng, stage1(p, len(code2)), opcode_of, 0, labels2)
    rev = bytearray([0xFF] * 256)
    for value, ch in enumerate(p["alphabet"]):
        rev[ord(ch)] = value
    dashes = bytes(int(i % 6 == 5) for i in range(29))
    segments = [
        (0, fetch_crypt(code1, 0, ka, kb)),
        (PACKED, lcg_crypt(fetch_crypt(code2, STAGE2, ka, kb), p["X0"])),
        (SBOX, bytes(p["sbox"])),
        (REV, bytes(rev)),
        (DASHES, dashes),
    ]
    blob = bytearray(b"LVM1" + labels1["main"].to_bytes(2, "little") + bytes([ka, kb, len(segments)]))
    for address, data in segments:
        blob += address.to_bytes(2, "little") + len(data).to_bytes(2, "little") + data
    vm = (HERE / "vm_template.py").read_text().replace("@@TABLE@@", table.hex())
    return vm, "".join(blob[i : i + 32].hex() + "\n" for i in range(0, len(blob), 32))


def user_name(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + " ._-"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 24))).strip() or "x_x"


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    p = make_params(rng)
    vm, img = image(rng, p)
    (out / "licchk.py").write_text(vm)
    (out / "license.img").write_text(img)
    example = ("Ada Lovelace", 3, 20_000)
    (out / "example.txt").write_text(f"{example[0]}\n{keygen(p, example[0].encode(), *example[1:])}\n")
    (out / "params.json").write_text(json.dumps(p) + "\n")
    names = ["a", "Q", "Zz", "pad me", "0" * 64] + [user_name(rng) for _ in range(20)]
    cases = [
        [n, rng.choice([0, 255, rng.randrange(256)]), rng.choice([0, 65535, rng.randrange(65536)])]
        for n in names
    ]
    (out / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
