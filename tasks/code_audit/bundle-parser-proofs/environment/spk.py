"""spk.py: reader for SPK bundles (sprite kits: metadata, a string table, palettes, images,
shared blobs and nested sub-bundles), ported line by line from the vendor's C library onto the
manual heap in heap.py.

Layout (all integers little-endian):

    header   16 bytes: magic "SPK1", version u8 (1), flags u8, chunk count u16,
             total length u32 (the whole file), CRC-32 of the first 12 header bytes u32
    chunks   each: type (4 ASCII bytes), payload length u32, payload, CRC-32 u32 of type+payload

Chunk payloads:

    META  count u8; count times: key length u8, key, value length u16, value
    STRS  count u16; count offsets u16 (into the blob); the blob: NUL-terminated strings
    PALT  entry count u8 (0 means 256); entries of 3 bytes (r, g, b)
    PIXL  width u16, height u16, bytes per pixel u8 (1, 2 or 4), compression u8
          (0 raw, 1 run-length, 2 LZ), name string index u16, then the pixel data.
          Run-length: a control byte c < 128 copies the next c + 1 bytes; c >= 128 repeats the
          next byte c - 126 times. LZ: a tag t < 128 copies the next t + 1 bytes; t >= 128 is a
          match of (t & 127) + 3 bytes from dist u16 bytes back in the output. Data that ends
          early leaves the rest of the image black. With a palette and one byte per pixel,
          each pixel is an index into the palette.
    BLOB  id u8, flags u8 (bit 0: transient, released at the end of its chunk list), CRC-32
          u32 of the data, data
    LINK  blob id u8, offset u16, length u16: a slice of an earlier blob, kept as a note
    INDX  entries, each: entry length u16 (including these two bytes), entry bytes
    NEST  a chunk list (no header), parsed as a sub-bundle

load_bundle(data) returns a Bundle or raises FormatError for malformed input.
"""

import zlib

import heap

MAGIC = b"SPK1"
MAX_DEPTH = 8
META_VALUE_CAP = 128
MAX_PIXELS = 1 << 20


class FormatError(Exception):
    pass


class Bundle:
    def __init__(self):
        self.meta = {}
        self.strings = []
        self.images = []
        self.notes = []
        self.index_entries = 0


class Context:
    def __init__(self, h, buf, size):
        self.h = h
        self.buf = buf
        self.size = size
        self.bundle = Bundle()
        self.strtab = 0
        self.str_count = 0
        self.palette = 0
        self.pal_count = 0
        self.blobs = {}
        self.transient = []
        self.owned = []


def _need(cond, message):
    if not cond:
        raise FormatError(message)


def load_bundle(data):
    h = heap.Heap()
    _need(len(data) >= 16, "file too short")
    buf = h.malloc(len(data))
    h.write(buf, bytes(data))
    ctx = Context(h, buf, len(data))
    try:
        count = parse_header(ctx)
        end = parse_chunks(ctx, buf + 16, len(data) - 16, 0)
        _need(end == buf + len(data), "trailing bytes after the last chunk")
        _need(len(ctx.bundle.images) + len(ctx.bundle.notes) <= count * 64 + 64, "too many items")
        for image in ctx.bundle.images:
            image["digest"] = image_digest(ctx, image)
        return ctx.bundle
    finally:
        cleanup(ctx)


def parse_header(ctx):
    h = ctx.h
    _need(h.read(ctx.buf, 4) == MAGIC, "bad magic")
    _need(h.load8(ctx.buf + 4) == 1, "unsupported version")
    count = h.load16(ctx.buf + 6)
    total = h.load32(ctx.buf + 8)
    _need(total == ctx.size, "length field does not match the file")
    _need(zlib.crc32(h.read(ctx.buf, 12)) == h.load32(ctx.buf + 12), "header checksum mismatch")
    return count


def parse_chunks(ctx, start, length, depth):
    """Parse a chunk list; returns the address just past its last chunk."""
    h = ctx.h
    pos, end = start, start + length
    mark = len(ctx.transient)
    while pos < end:
        _need(end - pos >= 8, "truncated chunk header")
        kind = h.read(pos, 4)
        size = h.load32(pos + 4)
        _need(size <= end - pos - 12, "chunk overruns its list")
        stored = h.load32(pos + 8 + size)
        _need(zlib.crc32(h.read(pos, 8 + size)[:4] + h.read(pos + 8, size)) == stored, "chunk checksum mismatch")
        payload = pos + 8
        if kind == b"META":
            parse_meta(ctx, payload, size)
        elif kind == b"STRS":
            parse_strings(ctx, payload, size)
        elif kind == b"PALT":
            parse_palette(ctx, payload, size)
        elif kind == b"PIXL":
            parse_pixels(ctx, payload, size)
        elif kind == b"BLOB":
            parse_blob(ctx, payload, size)
        elif kind == b"LINK":
            parse_link(ctx, payload, size)
        elif kind == b"INDX":
            parse_index(ctx, payload, size)
        elif kind == b"NEST":
            parse_nest(ctx, payload, size, depth)
        else:
            raise FormatError("unknown chunk type")
        pos += 12 + size
    release_transients(ctx, mark)
    return pos


def parse_nest(ctx, payload, size, depth):
    _need(size >= 0, "negative size")
    parse_chunks(ctx, payload, size, depth + 1)


def parse_meta(ctx, p, n):
    h = ctx.h
    end = p + n
    _need(n >= 1, "empty META")
    count = h.load8(p)
    p += 1
    table = ctx.h.malloc(count * 8 + 4)
    ctx.owned.append(table)
    for i in range(count):
        _need(end - p >= 1, "truncated META key")
        klen = h.load8(p)
        _need(end - p >= 1 + klen + 2, "truncated META key")
        key = h.read(p + 1, klen)
        p += 1 + klen
        vlen = h.load16(p)
        p += 2
        _need(end - p >= vlen, "truncated META value")
        _need(vlen <= META_VALUE_CAP, "META value too long")
        value = h.malloc(META_VALUE_CAP)
        ctx.owned.append(value)
        h.memcpy(value, p, vlen)
        p += vlen
        h.store32(table + 8 * i, len(ctx.bundle.meta))
        h.store32(table + 8 * i + 4, value)
        ctx.bundle.meta[key.decode("latin-1")] = h.read(value, vlen).decode("latin-1")
    h.store32(table + 8 * count, 0xFFFFFFFF)
    h.store32(table + 8 * count + 4, 0)


def parse_strings(ctx, p, n):
    h = ctx.h
    _need(ctx.strtab == 0, "more than one STRS chunk")
    _need(n >= 2, "empty STRS")
    count = h.load16(p)
    _need(n >= 2 + 2 * count, "truncated STRS offsets")
    blob = p + 2 + 2 * count
    blob_len = n - 2 - 2 * count
    table = h.calloc(max(1, count) * 4)
    ctx.owned.append(table)
    for i in range(count):
        off = h.load16(p + 2 + 2 * i)
        _need(off < blob_len, "string offset outside the blob")
        length = 0
        while off + length < blob_len and h.load8(blob + off + length) != 0:
            length += 1
        _need(off + length < blob_len, "unterminated string")
        text = h.malloc(length if length else 1)
        ctx.owned.append(text)
        h.memcpy(text, blob + off, length)
        h.store8(text + length, 0)
        h.store32(table + 4 * i, text)
        ctx.bundle.strings.append(h.read(text, length).decode("latin-1"))
    ctx.strtab, ctx.str_count = table, count


def lookup_string(ctx, index):
    _need(index <= ctx.str_count, "string index out of range")
    text = ctx.h.load32(ctx.strtab + 4 * index)
    length = 0
    while ctx.h.load8(text + length) != 0:
        length += 1
    return ctx.h.read(text, length).decode("latin-1")


def parse_palette(ctx, p, n):
    h = ctx.h
    _need(n >= 1, "empty PALT")
    count = h.load8(p) or 256
    _need(n >= 4, "truncated palette")
    pal = h.malloc(3 * count)
    ctx.owned.append(pal)
    h.memcpy(pal, p + 1, 3 * count)
    ctx.palette, ctx.pal_count = pal, count


def apply_palette(ctx, out, pixels):
    """Expand one-byte palette indices to RGB; returns the new buffer (3 bytes per pixel)."""
    h = ctx.h
    rgb = h.malloc(3 * pixels)
    ctx.owned.append(rgb)
    for i in range(pixels):
        index = h.load8(out + i)
        _need(index < ctx.pal_count, "palette index out of range")
        h.memcpy(rgb + 3 * i, ctx.palette + 3 * index, 3)
    return rgb


def parse_pixels(ctx, p, n):
    h = ctx.h
    _need(n >= 8, "truncated PIXL header")
    width, height = h.load16(p), h.load16(p + 2)
    bpp, comp = h.load8(p + 4), h.load8(p + 5)
    name = lookup_string(ctx, h.load16(p + 6))
    _need(bpp in (1, 2, 4), "bad bytes per pixel")
    _need(width > 0 and height > 0, "empty image")
    size = (width * height * bpp) & 0xFFFF  # the legacy allocator takes a 16-bit size
    out = h.malloc(size)
    ctx.owned.append(out)
    data, dlen = p + 8, n - 8
    if comp == 0:
        need = width * height * bpp
        _need(dlen >= need, "truncated raw pixels")
        h.memcpy(out, data, need)
    elif comp == 1:
        decode_rle(ctx, data, dlen, out, size)
    elif comp == 2:
        decode_lz(ctx, data, dlen, out, size)
    else:
        raise FormatError("unknown compression")
    stored, length = out, size
    if bpp == 1 and ctx.palette:
        stored, length = apply_palette(ctx, out, size), 3 * size
    ctx.bundle.images.append({"name": name, "width": width, "height": height, "addr": stored, "length": length})


def decode_rle(ctx, src, n, out, cap):
    h = ctx.h
    s, o, end = src, 0, src + n
    while s < end and o < cap:
        c = h.load8(s)
        s += 1
        if c < 128:
            run = c + 1
            _need(end - s >= run, "truncated literal run")
            _need(o + run <= cap, "literal run overflows the image")
            h.memcpy(out + o, s, run)
            s += run
        else:
            run = c - 126
            _need(end - s >= 1, "truncated repeat")
            _need(o + run <= cap, "repeat overflows the image")
            h.memset(out + o, h.load8(s), run)
            s += 1
        o += run


def decode_lz(ctx, src, n, out, cap):
    h = ctx.h
    s, o, end = src, 0, src + n
    while s < end and o < cap:
        t = h.load8(s)
        s += 1
        if t < 128:
            run = t + 1
            _need(end - s >= run and o + run <= cap, "literal overflows")
            h.memcpy(out + o, s, run)
            s += run
        else:
            run = (t & 127) + 3
            _need(end - s >= 2, "truncated match")
            dist = h.load16(s)
            s += 2
            _need(dist >= 1 and o + run <= cap, "bad match")
            for k in range(run):  # byte by byte: matches may overlap their own output
                h.store8(out + o + k, h.load8(out + o + k - dist))
        o += run


def parse_blob(ctx, p, n):
    h = ctx.h
    _need(n >= 6, "truncated BLOB")
    blob_id, flags = h.load8(p), h.load8(p + 1)
    _need(blob_id not in ctx.blobs, "duplicate blob id")
    stored = h.load32(p + 2)
    data = h.malloc(max(1, n - 6))
    h.memcpy(data, p + 6, n - 6)
    ctx.owned.append(data)
    if zlib.crc32(h.read(data, n - 6)) != stored:
        h.free(data)
        raise FormatError("blob checksum mismatch")
    ctx.blobs[blob_id] = (data, n - 6)
    if flags & 1:
        ctx.transient.append(blob_id)


def release_transients(ctx, mark):
    """Free the transient blobs created since `mark` (the end of their chunk list)."""
    while len(ctx.transient) > mark:
        blob_id = ctx.transient.pop()
        data, _ = ctx.blobs[blob_id]
        ctx.owned.remove(data)
        ctx.h.free(data)
        del ctx.blobs[blob_id]


def parse_link(ctx, p, n):
    h = ctx.h
    _need(n == 5, "bad LINK size")
    blob_id, offset, length = h.load8(p), h.load16(p + 1), h.load16(p + 3)
    _need(blob_id in ctx.blobs, "link to an unknown blob")
    data, size = ctx.blobs[blob_id]
    _need(offset <= size, "link outside its blob")
    ctx.bundle.notes.append(h.read(data + offset, length).decode("latin-1"))


def parse_index(ctx, p, n):
    h = ctx.h
    pos, end = p, p + n
    while pos < end:
        _need(end - pos >= 2, "truncated index entry")
        elen = h.load16(pos)
        _need(2 <= elen <= end - pos, "bad index entry length")
        pos += elen
        ctx.bundle.index_entries += 1


def image_digest(ctx, image):
    return zlib.crc32(ctx.h.read(image["addr"], image["length"]))


def cleanup(ctx):
    for addr in ctx.owned:
        ctx.h.free(addr)
    ctx.h.free(ctx.buf)
