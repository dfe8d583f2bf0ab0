"""`horizon transcripts prune|archive`: the retention policy and the transcript archive by hand
(core/services/transcript_storage.py; docs/operations.md, "Transcript storage")."""

from __future__ import annotations

import typer

from cli.common import console, get_settings

transcripts_app = typer.Typer(help="Transcript storage: retention and the archive.", no_args_is_help=True)


@transcripts_app.command("prune")
def prune_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be removed; remove nothing."),
) -> None:
    """Remove the transcripts HORIZON_TRANSCRIPT_RETENTION_DAYS no longer keeps (attempts that are
    not their run's last, or every ended attempt with HORIZON_TRANSCRIPT_RETENTION_ALL). Scores,
    tokens and costs stay. Beat (or the embedded server) does this every hour too."""
    from core.services.transcript_storage import PRUNE_BATCH, prune_transcripts

    settings = get_settings()
    if settings.transcript_retention_days is None:
        console.print("no retention policy: HORIZON_TRANSCRIPT_RETENTION_DAYS is not set; nothing removed")
        return
    attempts = events = blobs = size = 0
    while True:
        report = prune_transcripts(settings, dry_run=dry_run)
        attempts, events = attempts + report.attempts, events + report.events
        blobs, size = blobs + report.blobs, size + report.blob_bytes
        # A dry run sees the same first batch each time; a real pass moves on to the next.
        if dry_run or report.attempts < PRUNE_BATCH:
            break
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"{verb} the transcripts of {attempts} attempts ({events} events; {blobs} archived blobs, "
        f"{size / 1e6:.1f} MB) older than {settings.transcript_retention_days:g} days",
        highlight=False,
    )


@transcripts_app.command("archive")
def archive_cmd() -> None:
    """Move the events of every ended attempt still in the database into the transcript archive
    (as workers do when an attempt ends with HORIZON_TRANSCRIPT_ARCHIVE on)."""
    from core.services.transcript_storage import PRUNE_BATCH, archive_pending

    settings = get_settings()
    moved = 0
    while True:
        done = archive_pending(settings)
        moved += done
        if done < PRUNE_BATCH:
            break
    console.print(f"archived the transcripts of {moved} attempts into {settings.transcript_archive_root}")
