"""Regenerates this task's data: python3 generate.py OUTDIR writes sampleN.hex with sampleN.json
(the files each sample archive holds) and target.hex (for environment/), and hidden1.hex,
hidden2.hex, target.hex and expected.json (for scorer/). Deterministic (fixed seed).

The format ("KPK" archives), which the agent must work out from the samples:
  header   b"KPK\\x02", u16 LE entry count, u32 LE offset of the entry table (after the data)
  entry    u8 name length, name (UTF-8, may contain '/'), u8 method, u8 scramble flag,
           LEB128 original size, LEB128 packed size, u32 LE data offset, u32 LE CRC-32 of the
           original, then, when scrambled, u8 K and u8 M
  method 0 stored; 1 LZ: flag byte read MSB first, 1 = literal byte, 0 = u16 LE reference with
           distance-1 in the low 11 bits and length-3 in the high 5; 2 run-length: control
           c < 0x80 copies c+1 literal bytes, c >= 0x80 repeats the next byte c-0x80+3 times
  scramble packed byte i is XORed with (K + i*M) mod 256, applied after packing
"""

import hashlib
import json
import random
import sys
import zlib
from pathlib import Path

SEED = 90_2026
WORDS = (
    "the of and to in is was for on that with as by at from it an be this which or are have "
    "not had but were they all one has their been its more when who will would there can if "
    "about into only other new some could time these two may then first any like now such "
    "valve pump sensor reading board relay motor pressure north channel signal supply batch "
    "record status report station offset buffer packet frame field sample index window"
).split()


def leb128(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def lz_pack(data: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    i = 0
    flags_at, bit, flags = -1, 8, 0
    while i < len(data):
        if bit == 8:
            if flags_at >= 0:
                out[flags_at] = flags
            flags_at, bit, flags = len(out), 0, 0
            out.append(0)
        best_len, best_dist = 0, 0
        for j in reversed(heads.get(data[i : i + 3], [])[-24:]):
            if i - j > 2048:
                break
            n = 0
            while n < 34 and i + n < len(data) and data[j + n] == data[i + n]:
                n += 1
            if n > best_len:
                best_len, best_dist = n, i - j
        if best_len >= 3:
            out += ((best_len - 3) << 11 | (best_dist - 1)).to_bytes(2, "little")
            step = best_len
        else:
            flags |= 0x80 >> bit
            out.append(data[i])
            step = 1
        for k in range(i, i + step):
            heads.setdefault(data[k : k + 3], []).append(k)
        i += step
        bit += 1
    if flags_at >= 0:
        out[flags_at] = flags
    return bytes(out)


def rle_pack(data: bytes) -> bytes:
    out = bytearray()
    i, lit = 0, bytearray()
    while i <= len(data):
        run = 1
        while i < len(data) and i + run < len(data) and data[i + run] == data[i] and run < 130:
            run += 1
        if i == len(data) or run >= 3:
            for k in range(0, len(lit), 128):
                chunk = lit[k : k + 128]
                out += bytes([len(chunk) - 1]) + chunk
            lit = bytearray()
            if i == len(data):
                break
            out += bytes([0x80 + run - 3, data[i]])
            i += run
        else:
            lit.append(data[i])
            i += 1
    return bytes(out)


def build(rng: random.Random, files: list[tuple[str, bytes, int, bool]]) -> bytes:
    data = bytearray(b"KPK\x02" + len(files).to_bytes(2, "little") + bytes(4))
    table = bytearray()
    for name, content, method, scramble in files:
        packed = [content, lz_pack(content), rle_pack(content)][method]
        record = bytes([len(name.encode())]) + name.encode() + bytes([method, int(scramble)])
        record += leb128(len(content)) + leb128(len(packed)) + len(data).to_bytes(4, "little")
        record += zlib.crc32(content).to_bytes(4, "little")
        if scramble:
            k, m = rng.randrange(256), rng.randrange(1, 256)
            packed = bytes(b ^ ((k + i * m) & 0xFF) for i, b in enumerate(packed))
            record += bytes([k, m])
        data += packed
        table += record
    data[6:10] = len(data).to_bytes(4, "little")
    return bytes(data + table)


def prose(rng: random.Random, words: int) -> bytes:
    lines, line = [], []
    for _ in range(words):
        line.append(rng.choice(WORDS))
        if len(line) > rng.randint(7, 14):
            lines.append(" ".join(line).capitalize() + ".")
            line = []
    return ("\n".join(lines) + "\n").encode()


def table_text(rng: random.Random, rows: int) -> bytes:
    out = ["id,station,reading,status"]
    for i in range(rows):
        out.append(
            f"{i},{rng.choice(WORDS)}-{rng.randint(1, 9)},{rng.uniform(0, 99):.2f},{rng.choice(['OK', 'OK', 'FAIL'])}"
        )
    return ("\n".join(out) + "\n").encode()


def banner(rng: random.Random, lines: int) -> bytes:
    out = []
    for _ in range(lines):
        ch = rng.choice("=-*#.")
        out.append(
            ch * rng.randint(3, 200) + " " + rng.choice(WORDS).upper() + " " + ch * rng.randint(0, 140)
        )
    return ("\n".join(out) + "\n").encode()


def binary(rng: random.Random, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        kind = rng.random()
        if kind < 0.3:
            out += bytes([rng.randrange(256)]) * rng.randint(3, 300)
        elif kind < 0.6 and len(out) > 40:
            start = rng.randrange(max(0, len(out) - 2000), len(out) - 3)
            out += out[start : start + rng.randint(3, 60)]
        else:
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    return bytes(out[:size])


def text_of(rng: random.Random) -> bytes:
    return rng.choice(
        [
            lambda: prose(rng, rng.randint(150, 900)),
            lambda: table_text(rng, rng.randint(20, 120)),
            lambda: banner(rng, rng.randint(5, 40)),
        ]
    )()


def archive_files(
    rng: random.Random, prefix: str, count: int, allow_binary: bool
) -> list[tuple[str, bytes, int, bool]]:
    dirs = ["", "docs/", "logs/", "cfg/", "data/raw/"]
    files = []
    for k in range(count):
        name = f"{rng.choice(dirs)}{prefix}{k}_{rng.choice(WORDS)}.{rng.choice(['txt', 'csv', 'log'])}"
        content = (
            binary(rng, rng.randint(200, 5000)) if allow_binary and rng.random() < 0.35 else text_of(rng)
        )
        files.append((name, content, rng.choice([0, 1, 1, 2]), rng.random() < 0.4))
    return files


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    # The samples between them show every method with and without scrambling.
    combos = [(m, s) for m in (0, 1, 2) for s in (False, True)]
    for n in range(1, 6):
        files = archive_files(rng, f"s{n}_", rng.randint(3, 5), allow_binary=False)
        if n == 1:
            files += [(f"cover_{m}_{int(s)}.txt", text_of(rng), m, s) for m, s in combos]
        (out / f"sample{n}.hex").write_text(hexdump(build(rng, files)))
        listing = {name: content.decode() for name, content, _, _ in files}
        (out / f"sample{n}.json").write_text(json.dumps(listing, indent=1) + "\n")
    expected = {}
    for stem, count in (("target", 14), ("hidden1", 10), ("hidden2", 10)):
        files = archive_files(rng, f"{stem[0]}", count, allow_binary=True)
        files += [
            (f"{stem}/empty.bin", b"", rng.choice([0, 1, 2]), True),
            (f"{stem}/max.bin", binary(rng, 9000), 1, True),
        ]
        (out / f"{stem}.hex").write_text(hexdump(build(rng, files)))
        expected[stem] = {name: hashlib.sha256(content).hexdigest() for name, content, _, _ in files}
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


def hexdump(blob: bytes) -> str:
    return "".join(blob[i : i + 32].hex() + "\n" for i in range(0, len(blob), 32))


if __name__ == "__main__":
    main()
