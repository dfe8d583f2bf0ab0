#!/usr/bin/env python3
"""Extracts a KPK archive given as hex text: python3 unpak.py ARCHIVE.hex OUTDIR."""

import sys
import zlib
from pathlib import Path


def leb128(blob: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = blob[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def lz(packed: bytes, size: int) -> bytes:
    out = bytearray()
    pos = 0
    while len(out) < size:
        flags = packed[pos]
        pos += 1
        for bit in range(8):
            if len(out) >= size:
                break
            if flags & (0x80 >> bit):
                out.append(packed[pos])
                pos += 1
            else:
                word = int.from_bytes(packed[pos : pos + 2], "little")
                pos += 2
                dist, length = (word & 0x7FF) + 1, (word >> 11) + 3
                for _ in range(length):
                    out.append(out[-dist])
    return bytes(out)


def rle(packed: bytes, size: int) -> bytes:
    out = bytearray()
    pos = 0
    while len(out) < size:
        c = packed[pos]
        if c < 0x80:
            out += packed[pos + 1 : pos + 2 + c]
            pos += c + 2
        else:
            out += bytes([packed[pos + 1]]) * (c - 0x80 + 3)
            pos += 2
    return bytes(out)


def extract(blob: bytes, outdir: Path) -> None:
    assert blob[:4] == b"KPK\x02", "not a KPK archive"
    count = int.from_bytes(blob[4:6], "little")
    pos = int.from_bytes(blob[6:10], "little")
    for _ in range(count):
        name = blob[pos + 1 : pos + 1 + blob[pos]].decode()
        pos += 1 + blob[pos]
        method, scrambled = blob[pos], blob[pos + 1]
        size, pos = leb128(blob, pos + 2)
        packed_size, pos = leb128(blob, pos)
        offset = int.from_bytes(blob[pos : pos + 4], "little")
        crc = int.from_bytes(blob[pos + 4 : pos + 8], "little")
        pos += 8
        packed = blob[offset : offset + packed_size]
        if scrambled:
            k, m = blob[pos], blob[pos + 1]
            pos += 2
            packed = bytes(b ^ ((k + i * m) & 0xFF) for i, b in enumerate(packed))
        content = [lambda: packed, lambda: lz(packed, size), lambda: rle(packed, size)][method]()
        if zlib.crc32(content) != crc:
            print(f"warning: CRC mismatch for {name}", file=sys.stderr)
        target = outdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


if __name__ == "__main__":
    extract(bytes.fromhex("".join(Path(sys.argv[1]).read_text().split())), Path(sys.argv[2]))
