"""Backups of the whole database and restores of them (`horizon backup`, `horizon restore`).

A backup is a plain tar file of two members: `manifest.json` (the format, the kind of database,
its schema revision, the Horizon version that wrote it, when, and the size and SHA-256 of the
copy) and the copy itself: `horizon.sqlite3`, made with SQLite's online backup API (consistent
while the server writes), or `horizon.dump`, a custom-format `pg_dump` archive (one snapshot).
Either can be taken out with `tar` and used with SQLite's or PostgreSQL's own tools. After them
come the blobs of the filesystem transcript archive (`core.transcript_archive`), each as
`transcripts/<key>`, copied after the database (so every blob the copy points to is there); the
manifest counts them. A restore puts them back into the archive folder.

A restore checks the whole file before it touches the target (the manifest, the copy's size and
hash, a schema revision this code knows, the copy's own integrity), refuses a target that holds
data unless forced, then writes the target in one transaction: a failure leaves it as it was.
A backup of an older schema is migrated to this code's head afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

from core.transcript_archive import ArchiveError, FilesystemStore, check_key

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_PAYLOAD = "horizon.sqlite3"
POSTGRES_PAYLOAD = "horizon.dump"
# Where the transcript archive's blobs go in a backup file.
ARCHIVE_PREFIX = "transcripts/"
# Tables a freshly migrated database already fills: their rows do not make a target "non-empty".
SEEDED_TABLES = frozenset({"alembic_version", "deployment"})
_CHUNK = 1024 * 1024
_TOOL_TIMEOUT_S = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the operator."""


@dataclass(frozen=True)
class Manifest:
    """What a backup file says about itself."""

    format: int
    kind: str  # "sqlite" or "postgresql"
    revision: str
    horizon_version: str
    created_at: str
    payload: str
    payload_bytes: int
    payload_sha256: str
    tool: str  # the SQLite library's or pg_dump's version
    # The transcript archive's blobs in the file (backups written before archiving have none).
    archive_files: int = 0
    archive_bytes: int = 0

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        """The manifest in `raw`; BackupError when it is not one this code reads."""
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"backup format {data.get('format')!r} is not one this Horizon reads ({FORMAT})"
                )
            manifest = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the backup's manifest is damaged ({exc})") from None
        if manifest.kind not in ("sqlite", "postgresql") or manifest.payload not in (
            SQLITE_PAYLOAD,
            POSTGRES_PAYLOAD,
        ):
            raise BackupError(f"the backup's manifest names an unknown kind {manifest.kind!r}")
        return manifest


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup's manifest, and the revision the target was migrated to
    afterwards (None when the backup was already at this code's head)."""

    manifest: Manifest
    migrated_to: str | None


def horizon_version() -> str:
    """This installation's version."""
    try:
        return metadata.version("horizon")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup(url: str, out: Path, archive_dir: Path | None = None) -> Manifest:
    """Write a backup of the database at `url`, and of the transcript archive under
    `archive_dir`, to `out` (replaced atomically: a failure leaves no partial file). Returns its
    manifest."""
    target = make_url(url)
    out = out.resolve()
    if out.is_dir():
        raise BackupError(f"{out} is a folder: name the backup file to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Working files beside the backup: a large dump is written once to the same disk.
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".horizon-backup-") as work:
        payload = Path(work) / "payload"
        if target.get_backend_name() == "sqlite":
            revision, tool = _sqlite_backup(_sqlite_path(target), payload)
            kind, name = "sqlite", SQLITE_PAYLOAD
        elif target.get_backend_name() == "postgresql":
            revision, tool = _postgres_backup(target, payload)
            kind, name = "postgresql", POSTGRES_PAYLOAD
        else:
            raise BackupError(f"cannot back up a {target.get_backend_name()} database")
        size, digest = _size_and_hash(payload)
        # Listed after the database copy: a blob is written before the row that points to it.
        store = FilesystemStore(archive_dir) if archive_dir is not None else None
        blobs = [(key, store.path_of(key)) for key in store.keys()] if store is not None else []
        manifest = Manifest(
            format=FORMAT,
            kind=kind,
            revision=revision,
            horizon_version=horizon_version(),
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            payload=name,
            payload_bytes=size,
            payload_sha256=digest,
            tool=tool,
            archive_files=len(blobs),
            archive_bytes=sum(path.stat().st_size for _, path in blobs),
        )
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            raw = json.dumps(asdict(manifest), indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(dt.datetime.now(dt.UTC).timestamp()), 0o600
            archive.addfile(info, io.BytesIO(raw))
            archive.add(payload, arcname=name, recursive=False)
            for key, path in blobs:
                archive.add(path, arcname=ARCHIVE_PREFIX + key, recursive=False)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, out)
    return manifest


def restore(url: str, source: Path, *, force: bool = False, archive_dir: Path | None = None) -> RestoreResult:
    """Restore the backup `source` into the database at `url`, in one transaction, then migrate
    it to head, and its transcript blobs into the archive folder `archive_dir`. Refuses
    (BackupError, target untouched) a damaged file, a schema revision this code does not know, a
    backup of the other kind of database, and a target holding data unless `force`."""
    target = make_url(url)
    kind = target.get_backend_name()
    with tempfile.TemporaryDirectory(prefix=".horizon-restore-", dir=_work_dir(target)) as work:
        manifest, payload = read_backup(source, Path(work))
        if manifest.kind != kind:
            raise BackupError(
                f"{source} is a backup of a {manifest.kind} database; the target is {kind}: restore it "
                "into the same kind of database"
            )
        head = _check_known_revision(url, manifest)
        blobs = _read_archive_blobs(source, Path(work), manifest)
        if kind == "sqlite":
            _sqlite_restore(_sqlite_path(target), payload, manifest, force=force)
        else:
            _postgres_restore(target, payload, manifest, force=force)
        if archive_dir is not None:
            store = FilesystemStore(archive_dir)
            for key, path in blobs:
                store.put(key, path.read_bytes())
    migrated_to = None
    if manifest.revision != head:
        from core.migrate import upgrade

        upgrade(url=url)
        migrated_to = head
    return RestoreResult(manifest, migrated_to)


def read_backup(source: Path, work: Path) -> tuple[Manifest, Path]:
    """Check the backup file `source` whole and copy its database out into `work`; returns the
    manifest and the copy's path. BackupError when it is not a complete Horizon backup."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    payload = work / "payload"
    try:
        with tarfile.open(source, "r:") as archive:
            member = archive.next()
            if member is None or member.name != MANIFEST:
                raise BackupError(f"{source} is not a Horizon backup (it does not start with {MANIFEST})")
            manifest = Manifest.parse(_read_member(archive, member).read())
            while (member := archive.next()) is not None and member.name != manifest.payload:
                pass
            if member is None:
                raise BackupError(f"{source} is truncated: its database copy {manifest.payload} is missing")
            with open(payload, "wb") as out:
                shutil.copyfileobj(_read_member(archive, member), out, _CHUNK)
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise BackupError(
            f"{source} is not a readable Horizon backup, damaged or truncated ({exc})"
        ) from None
    size, digest = _size_and_hash(payload)
    if (size, digest) != (manifest.payload_bytes, manifest.payload_sha256):
        raise BackupError(
            f"{source} is damaged or truncated: its database copy has {size} bytes (SHA-256 {digest[:12]}), "
            f"the manifest says {manifest.payload_bytes} bytes (SHA-256 {manifest.payload_sha256[:12]})"
        )
    return manifest, payload


def _read_archive_blobs(source: Path, work: Path, manifest: Manifest) -> list[tuple[str, Path]]:
    """The transcript blobs of a backup, copied into `work`; BackupError for a member name that is
    not an archive key (`..`, absolute) or a count that is not the manifest's."""
    blobs: list[tuple[str, Path]] = []
    folder = work / "blobs"
    folder.mkdir()
    try:
        with tarfile.open(source, "r:") as archive:
            for member in archive:
                if not member.name.startswith(ARCHIVE_PREFIX):
                    continue
                try:
                    key = check_key(member.name[len(ARCHIVE_PREFIX) :])
                except ArchiveError:
                    raise BackupError(
                        f"{source} holds a transcript blob with a bad name: {member.name!r:.80}"
                    ) from None
                if not member.isfile():
                    raise BackupError(f"{source}: the transcript blob {key} is not a file")
                copy = folder / str(len(blobs))
                with open(copy, "wb") as out:
                    shutil.copyfileobj(_read_member(archive, member), out, _CHUNK)
                blobs.append((key, copy))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{source}: its transcript blobs are damaged or truncated ({exc})") from None
    if len(blobs) != manifest.archive_files:
        raise BackupError(
            f"{source} is damaged or truncated: it holds {len(blobs)} transcript blobs, "
            f"the manifest says {manifest.archive_files}"
        )
    return blobs


def target_rows(url: str) -> dict[str, int]:
    """Rows per table of the database at `url`, the tables a fresh migration fills left out."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _rows(conn)
    finally:
        engine.dispose()


# -- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing on disk to back up or restore")
    return Path(url.database)


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def _sqlite_revision(conn: sqlite3.Connection, what: str) -> str:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} has no schema revision ({exc}): is it migrated?") from None
    if row is None:
        raise BackupError(f"{what} has no schema revision: is it migrated?")
    return str(row[0])


def _sqlite_backup(path: Path, payload: Path) -> tuple[str, str]:
    if not path.is_file():
        raise BackupError(f"no database at {path}: nothing to back up")
    # The online backup API copies a consistent snapshot while the server goes on writing.
    with _sqlite(path) as src, _sqlite(payload) as dst:
        src.backup(dst)
        # One self-contained file (no -wal beside it), usable as it is once taken out.
        dst.execute("PRAGMA journal_mode=DELETE")
        revision = _sqlite_revision(dst, f"the database {path}")
    return revision, f"SQLite {sqlite3.sqlite_version}"


def _sqlite_restore(path: Path, payload: Path, manifest: Manifest, *, force: bool) -> None:
    with _sqlite(payload) as copy:
        try:
            check = copy.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the backup's database copy is damaged ({exc})") from None
        if check is None or check[0] != "ok":
            raise BackupError(f"the backup's database copy is damaged ({check[0] if check else 'no answer'})")
        if _sqlite_revision(copy, "the backup's database copy") != manifest.revision:
            raise BackupError("the backup's database copy is not at the revision its manifest says")
    if path.exists():
        _refuse_if_holding_data(f"sqlite:///{path.as_posix()}", path.as_posix(), force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Copied whole in one step of the backup API: the target is written in one transaction
    # (readers see the old database or the new one) and rolled back if the copy fails.
    with _sqlite(payload) as src, _sqlite(path) as dst:
        src.backup(dst)


# -- PostgreSQL --------------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq takes it, without its password, and the environment with it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _tool(name: str, server_major: int) -> tuple[str, str]:
    """The path and version line of PostgreSQL's `name` on PATH; BackupError when it is missing or
    older than the server."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client tools, "
            f"version {server_major} or newer"
        )
    try:
        line = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{name} ({path}) does not run: {exc}") from None
    found = re.search(r"(\d+)(?:\.\d+)*", line)
    if found is None:
        raise BackupError(f"cannot tell the version of {name} ({path}): it says {line!r}")
    if int(found.group(1)) < server_major:
        raise BackupError(
            f"{name} ({path}) is version {found.group(0)}, older than the server's {server_major}: "
            f"put the client tools of version {server_major} or newer first on PATH"
        )
    return path, line


def _run_tool(args: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=_TOOL_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[0] if lines else f'exit status {done.returncode}'}")
    return done.stdout


def _pg_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def _postgres_backup(url: URL, payload: Path) -> tuple[str, str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            server_major = _server_major(conn)
            before = _pg_revision(conn)
        if before is None:
            raise BackupError("the database has no schema revision: is it migrated?")
        pg_dump, version = _tool("pg_dump", server_major)
        dsn, env = _libpq(url)
        _run_tool([pg_dump, "--format=custom", f"--file={payload}", f"--dbname={dsn}"], env, "pg_dump")
        with engine.connect() as conn:
            after = _pg_revision(conn)
    finally:
        engine.dispose()
    if after != before:
        raise BackupError(f"the schema was migrated ({before} -> {after}) while the backup ran: run it again")
    return before, version


def _postgres_restore(url: URL, payload: Path, manifest: Manifest, *, force: bool) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            server_major = _server_major(conn)
            has_tables = bool(inspect(conn).get_table_names())
            revision = _pg_revision(conn)
        pg_restore, _ = _tool("pg_restore", server_major)
        dsn, env = _libpq(url)
        _run_tool([pg_restore, "--list", str(payload)], env, "reading the backup's dump")
        shown = url.render_as_string(hide_password=True)
        holding = _refuse_if_holding_data(url, shown, force=force) if has_tables else {}
        clean: list[str] = []
        if has_tables and revision == manifest.revision:
            # The same tables as the dump's: pg_restore drops and recreates them in its transaction.
            clean = ["--clean", "--if-exists"]
        elif has_tables and holding:
            raise BackupError(
                f"the target database {shown} holds data at schema revision {revision}, the backup is at "
                f"{manifest.revision}: restore into a new empty database instead"
            )
        elif has_tables:
            # A migrated database without data, at another revision: emptied first (nothing is lost).
            with engine.begin() as conn:
                _drop_schema_objects(conn)
        _run_tool(
            [
                pg_restore,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                *clean,
                f"--dbname={dsn}",
                str(payload),
            ],
            env,
            "pg_restore (nothing was restored)",
        )
    finally:
        engine.dispose()


def _drop_schema_objects(conn: Connection) -> None:
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    found = inspect(conn)
    for view in found.get_view_names(schema):
        conn.execute(text(f'DROP VIEW IF EXISTS "{schema}"."{view}" CASCADE'))
    for table in found.get_table_names(schema):
        conn.execute(text(f'DROP TABLE IF EXISTS "{schema}"."{table}" CASCADE'))
    for sequence in found.get_sequence_names(schema):
        conn.execute(text(f'DROP SEQUENCE IF EXISTS "{schema}"."{sequence}" CASCADE'))


# -- both --------------------------------------------------------------------------------------


def _rows(conn: Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in inspect(conn).get_table_names():
        if table in SEEDED_TABLES:
            continue
        count = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        if count:
            counts[table] = int(count)
    return counts


def _refuse_if_holding_data(url: str | URL, shown: str, *, force: bool) -> dict[str, int]:
    try:
        holding = target_rows(url if isinstance(url, str) else url.render_as_string(hide_password=False))
    except Exception as exc:  # a file that is not a database, a server that refuses: say so
        raise BackupError(f"cannot read the target database {shown}: {exc}") from None
    if holding and not force:
        listed = ", ".join(f"{n} in {t}" for t, n in sorted(holding.items(), key=lambda kv: -kv[1])[:3])
        raise BackupError(
            f"the target database {shown} holds data ({sum(holding.values())} rows: {listed}...): "
            "restore into a new empty database, or pass --force to replace everything in it"
        )
    return holding


def _check_known_revision(url: str, manifest: Manifest) -> str:
    """This code's head revision; BackupError when the backup's revision is not one it knows."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from core.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config(url))
    try:
        known = scripts.get_revision(manifest.revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"the backup is at schema revision {manifest.revision}, which this Horizon ({horizon_version()}) "
            f"does not know: it is newer (written by Horizon {manifest.horizon_version}); restore it with "
            "that version or a later one"
        )
    head = scripts.get_current_head()
    assert head is not None  # the repository has migrations
    return head


def _work_dir(url: URL) -> Path | None:
    """Where a restore's working copy goes: beside an SQLite target, else the system's default."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return None


def _size_and_hash(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError(f"the backup's {member.name} is not a file")
    return handle
