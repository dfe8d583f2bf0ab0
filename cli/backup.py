"""`horizon backup` and `horizon restore`: the whole database, transcripts included, to one file
and back (core/backup.py; docs/operations.md, "Back up and restore")."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from cli.common import get_settings, safe_url

console = Console()
error_console = Console(stderr=True)
app = typer.Typer()
REFUSED_EXIT = 2


@app.command("backup")
def backup_cmd(
    out: Path = typer.Argument(..., help="The backup file to write (a tar file; replaced if it exists)."),
) -> None:
    """Write a consistent copy of the database (SQLite's online backup, or pg_dump) to one file,
    with its schema revision and this Horizon's version. Safe while the server and workers run."""
    from core.backup import BackupError, backup

    settings = get_settings()
    try:
        manifest = backup(settings.effective_database_url, out, settings.transcript_archive_root)
    except BackupError as exc:
        error_console.print(f"[bold red]no backup written:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(REFUSED_EXIT) from exc
    console.print(
        f"backed up {safe_url(settings)} to {out}: {manifest.payload_bytes / 1e6:.1f} MB"
        f" and {manifest.archive_files} archived transcripts ({manifest.archive_bytes / 1e6:.1f} MB),"
        " schema revision "
        f"{manifest.revision}, Horizon {manifest.horizon_version} ({manifest.tool})",
        highlight=False,
        soft_wrap=True,
    )


@app.command("restore")
def restore_cmd(
    backup_file: Path = typer.Argument(..., help="A file written by `horizon backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace a target database that holds data (everything in it is lost)."
    ),
) -> None:
    """Restore a backup into the configured database, in one transaction, then migrate it to this
    version's schema. Refuses a damaged file, a newer schema, and a database holding data (unless
    --force). Stop the server, workers and beat first."""
    from core.backup import BackupError, restore

    settings = get_settings()
    try:
        result = restore(
            settings.effective_database_url,
            backup_file,
            force=force,
            archive_dir=settings.transcript_archive_root,
        )
    except BackupError as exc:
        error_console.print(f"[bold red]nothing restored:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(REFUSED_EXIT) from exc
    manifest = result.manifest
    migrated = f"; migrated to {result.migrated_to}" if result.migrated_to else ""
    console.print(
        f"restored {backup_file} (written {manifest.created_at} by Horizon {manifest.horizon_version}, "
        f"schema revision {manifest.revision}) into {safe_url(settings)}{migrated}",
        highlight=False,
        soft_wrap=True,
    )
