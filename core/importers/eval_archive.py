"""The parts of an Inspect `.eval` log that the importer reads, unpacked within bounds.

An `.eval` log is a zip archive: `header.json` (the eval's spec, plan and results),
`summaries.json` (one short record per sample: id, epoch, scores, metadata, error), a `_journal/`
of the same while the eval runs, and `samples/` with every sample's whole transcript. Importing
needs everything but `samples/`, which is also where nearly all the bytes are.

inspect_ai inflates a member with no bound on its size (one `zlib.decompress` call), so an
uploaded archive whose header inflates a thousandfold would take the server's memory.
`unpack_eval_log` therefore inflates the needed members itself, chunk by chunk, stopping at the
bounds below, checks each one's CRC, and writes them uncompressed into a new archive: the only
file inspect_ai is given. The sample transcripts are never inflated at all.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from core.importers.common import ImportProblem

SAMPLES_DIR = "samples/"
# Members read besides the samples: a header, summaries, reductions and one journal file per
# sample while an eval runs; inflated, they hold a few kilobytes per sample.
MAX_MEMBERS = 200_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024
# The zip methods inspect_ai writes: stored, deflate, and zstandard (its default).
STORED, DEFLATED, ZSTD = 0, 8, 93
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_MAGIC = b"PK\x03\x04"


def is_zip(path: Path) -> bool:
    """Whether the file starts like a zip archive (an `.eval` log), whatever its name."""
    with path.open("rb") as handle:
        return handle.read(4) == _LOCAL_MAGIC


def unpack_eval_log(src: Path, dest: Path) -> None:
    """Write to `dest` an uncompressed archive of the members of `src` that are not sample
    transcripts, each inflated within the bounds; raise ImportProblem for a damaged archive or
    one past them. Nothing of `src` is trusted: sizes, offsets and checksums are all checked."""
    try:
        with zipfile.ZipFile(src) as archive, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as out:
            entries = [e for e in archive.infolist() if not e.filename.startswith(SAMPLES_DIR)]
            if len(entries) > MAX_MEMBERS:
                raise ImportProblem(f"the log has more than {MAX_MEMBERS:,} members besides its samples")
            total = 0
            names: set[str] = set()
            for entry in entries:
                if entry.is_dir():
                    continue
                if entry.filename in names:  # which copy would inspect_ai read? Neither.
                    raise ImportProblem(f"member {entry.filename[:200]!r} appears twice in the log")
                names.add(entry.filename)
                data = _inflate(archive.fp, entry, min(MAX_MEMBER_BYTES, MAX_UNPACKED_BYTES - total))
                total += len(data)
                out.writestr(entry.filename, data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, struct.error) as exc:
        raise ImportProblem(f"the .eval log is not a readable zip archive ({exc})") from None


def _inflate(fp: IO[bytes] | None, entry: zipfile.ZipInfo, limit: int) -> bytes:
    name = entry.filename[:200]
    if fp is None:
        raise zipfile.BadZipFile("the archive is closed")
    if entry.file_size > limit:
        raise ImportProblem(_too_large(name))
    fp.seek(entry.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
        raise zipfile.BadZipFile(f"member {name!r} has no local header")
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
    fp.seek(entry.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    raw = _read_exactly(fp, entry.compress_size, name)
    if entry.compress_type == STORED:
        chunks: Iterator[bytes] = iter((raw,))
    elif entry.compress_type == DEFLATED:
        chunks = _deflate_chunks(raw, name)
    elif entry.compress_type == ZSTD:
        chunks = _zstd_chunks(raw)
    else:
        method = entry.compress_type
        raise ImportProblem(f"member {name!r} uses zip method {method}; Inspect writes only 0, 8 and 93")
    # The declared size is within the bounds; a stream that inflates past it lies and is cut off.
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > entry.file_size:
            raise zipfile.BadZipFile(f"member {name!r} inflates past its declared size")
    if len(data) != entry.file_size or zlib.crc32(data) != entry.CRC:
        raise zipfile.BadZipFile(f"member {name!r} does not match its size or checksum")
    return bytes(data)


def _read_exactly(fp: IO[bytes], size: int, name: str) -> bytes:
    raw = fp.read(size)
    if len(raw) != size:
        raise zipfile.BadZipFile(f"member {name!r} is cut short")
    return raw


def _deflate_chunks(raw: bytes, name: str) -> Iterator[bytes]:
    # At most CHUNK bytes out per call: the caller stops as soon as the total passes its bound.
    inflater = zlib.decompressobj(-15)
    try:
        yield inflater.decompress(raw, CHUNK)
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, CHUNK)
        yield inflater.flush()
    except zlib.error as exc:
        raise zipfile.BadZipFile(f"member {name!r} is not valid deflate data ({exc})") from None


def _zstd_chunks(raw: bytes) -> Iterator[bytes]:
    import zstandard  # inspect_ai's own dependency, used here only for its logs

    try:
        with zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True) as reader:
            while chunk := reader.read(CHUNK):
                yield chunk
    except zstandard.ZstdError as exc:
        raise zipfile.BadZipFile(f"not valid zstandard data ({exc})") from None


def _too_large(name: str) -> str:
    per_member, in_all = MAX_MEMBER_BYTES // 2**20, MAX_UNPACKED_BYTES // 2**20
    return (
        f"member {name!r} of the log inflates past the bound: besides the sample transcripts a log "
        f"may hold at most {per_member} MiB per member and {in_all} MiB in all"
    )
