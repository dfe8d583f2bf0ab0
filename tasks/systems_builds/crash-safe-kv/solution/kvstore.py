"""A log-structured key-value store (reference solution of the crash-safe-kv task).

Layout: numbered segment files `NNNNNNNN.seg`, replayed in number order on open. Every call that
writes appends one framed record (length, CRC-32, payload) and fsyncs before returning, so a batch
is atomic: a torn or garbled record fails its CRC and recovery cuts the segment there. Values stay
on disk; the in-memory index maps a key to (segment, offset, length). Compaction copies the live
values into fresh segments numbered above every existing one, fsyncs them, then deletes the old
segments oldest first: at every moment, replaying what is on disk gives the current state.
"""

from __future__ import annotations

import bisect
import os
import struct
import zlib
from collections.abc import Iterator

SEGMENT_LIMIT = 512 * 1024
FRAME = struct.Struct("<II")  # payload length, CRC-32 of the payload
ENTRY = struct.Struct("<BHI")  # kind (1 put, 2 delete), key length, value length
PUT, DELETE = 1, 2


class _Segment:
    """An open segment file; the descriptor closes when nothing (store or snapshot) uses it."""

    def __init__(self, path: str, number: int) -> None:
        self.path, self.number = path, number
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self.fd, length, offset)

    def __del__(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


Location = tuple[_Segment, int, int]


class _View:
    def __init__(self, index: dict[bytes, Location]) -> None:
        self._index = index
        self._keys: list[bytes] | None = None

    def get(self, key: bytes) -> bytes | None:
        loc = self._index.get(key)
        return None if loc is None else loc[0].read(loc[1], loc[2])

    def scan(self, start: bytes | None = None, end: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        if self._keys is None:
            self._keys = sorted(self._index)
        keys = self._keys
        lo = 0 if start is None else bisect.bisect_left(keys, start)
        hi = len(keys) if end is None else bisect.bisect_left(keys, end)
        for key in keys[lo:hi]:
            seg, off, length = self._index[key]
            yield key, seg.read(off, length)


class Snapshot(_View):
    def release(self) -> None:
        self._index = {}
        self._keys = []


class Store(_View):
    def __init__(self, path: str) -> None:
        os.makedirs(path, exist_ok=True)
        self.path = path
        super().__init__({})
        for name in os.listdir(path):
            if not name.endswith(".seg"):
                os.remove(os.path.join(path, name))  # leftovers of an interrupted write
        numbers = sorted(int(n[:-4]) for n in os.listdir(path))
        self.segments = [self._open(n) for n in numbers]
        for seg in self.segments:
            self._replay(seg)
        self.active = self.segments[-1] if self.segments else self._new_segment()
        self.size = os.fstat(self.active.fd).st_size

    # -- files -------------------------------------------------------------------------------
    def _open(self, number: int) -> _Segment:
        return _Segment(os.path.join(self.path, f"{number:08d}.seg"), number)

    def _new_segment(self) -> _Segment:
        number = self.segments[-1].number + 1 if self.segments else 0
        seg = self._open(number)
        self.segments.append(seg)
        self._sync_dir()
        return seg

    def _sync_dir(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _replay(self, seg: _Segment) -> None:
        """Apply every valid record of a segment; cut it at the first torn or garbled one."""
        size = os.fstat(seg.fd).st_size
        offset = 0
        while offset + FRAME.size <= size:
            length, crc = FRAME.unpack(seg.read(offset, FRAME.size))
            if length == 0 or offset + FRAME.size + length > size:
                break
            payload = seg.read(offset + FRAME.size, length)
            if zlib.crc32(payload) != crc:
                break
            self._apply(seg, offset + FRAME.size, payload)
            offset += FRAME.size + length
        if offset < size:
            os.ftruncate(seg.fd, offset)
            os.fsync(seg.fd)

    def _apply(self, seg: _Segment, base: int, payload: bytes) -> None:
        pos = 0
        while pos < len(payload):
            kind, klen, vlen = ENTRY.unpack_from(payload, pos)
            pos += ENTRY.size
            key = payload[pos:pos + klen]
            pos += klen
            if kind == PUT:
                self._index[key] = (seg, base + pos, vlen)
                pos += vlen
            else:
                self._index.pop(key, None)
        self._keys = None

    # -- writes ------------------------------------------------------------------------------
    def _append(self, ops: list[tuple[bytes, bytes | None]], sync: bool = True) -> None:
        parts = []
        for key, value in ops:
            if value is None:
                parts += [ENTRY.pack(DELETE, len(key), 0), key]
            else:
                parts += [ENTRY.pack(PUT, len(key), len(value)), key, value]
        payload = b"".join(parts)
        record = FRAME.pack(len(payload), zlib.crc32(payload)) + payload
        if self.size and self.size + len(record) > SEGMENT_LIMIT:
            self.active = self._new_segment()
            self.size = 0
        os.pwrite(self.active.fd, record, self.size)
        if sync:
            os.fsync(self.active.fd)
        self._apply(self.active, self.size + FRAME.size, payload)
        self.size += len(record)

    def put(self, key: bytes, value: bytes) -> None:
        self._append([(key, value)])

    def delete(self, key: bytes) -> None:
        self._append([(key, None)])

    def write_batch(self, ops: list[tuple[bytes, bytes | None]]) -> None:
        if ops:
            self._append(list(ops))

    # -- snapshots and compaction ------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        return Snapshot(dict(self._index))

    def compact(self) -> None:
        old = self.segments
        self.segments = list(old)
        self.active = self._new_segment()
        self.size = 0
        for key in sorted(self._index):
            seg, off, length = self._index[key]
            self._append([(key, seg.read(off, length))], sync=False)
        kept = [s for s in self.segments if s not in old]
        for seg in kept:  # the copies are durable before any original goes
            os.fsync(seg.fd)
        for seg in old:  # oldest first: what remains always replays to the current state
            os.remove(seg.path)
        self.segments = kept
        self._sync_dir()
        self.active = self._new_segment()
        self.size = 0

    def close(self) -> None:
        self._index = {}
        self.segments = []
