"""`horizon import-inspect` (Inspect eval logs in) and `horizon export-runs` (METR's runs format out)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import typer
from rich.console import Console

from cli.common import get_settings

console = Console()
error_console = Console(stderr=True)
app = typer.Typer()
INPUT_ERROR_EXIT = 2


@app.command("import-inspect")
def import_inspect(
    logs: list[Path] = typer.Argument(..., help="Inspect eval logs (.eval or .json)."),
    mapping: Path | None = typer.Option(
        None, help="CSV: sample_id, task_id, task_family, human_minutes, human_source (docs/method.md)."
    ),
    threshold: float = typer.Option(
        1.0, help="A score at or above this is a success (METR: 1 for 0/1 scores)."
    ),
    scorer: str | None = typer.Option(None, help="The scorer to use when a log has several."),
    agent: str | None = typer.Option(None, help="Agent name (default: '<model> (<solver>)' from the log)."),
    release_date: str | None = typer.Option(
        None, help="The agent's release date (YYYY-MM-DD), for the trend."
    ),
    source: str | None = typer.Option(
        None, help="Source name runs are marked with (default inspect:<task>)."
    ),
) -> None:
    """Store Inspect logs' scored samples as completed runs of an external agent.

    Every log is read and checked first, then all are stored in one transaction: a refusal stores
    nothing. Idempotent: a log imported again adds nothing.
    """
    from analysis.errors import AnalysisInputError
    from analysis.runs_io import parse_date
    from core.db import session_scope
    from core.importers.common import ImportProblem
    from core.importers.inspect_log import read_inspect_log
    from core.importers.sample_map import parse_sample_map
    from core.migrate import upgrade
    from core.services.inspect_import import InspectImportOptions, import_inspect_log

    settings = get_settings()
    current = mapping
    try:
        when = parse_date(release_date, "--release-date") if release_date else None
        options = InspectImportOptions(threshold=threshold, agent=agent, release_date=when, source=source)
        samples = parse_sample_map(mapping.read_bytes()) if mapping else {}
        read = []
        for path in logs:
            current = path
            read.append(read_inspect_log(path, max_bytes=settings.max_upload_bytes, scorer=scorer))
        current = None
        upgrade(settings)
        with session_scope(settings) as session:
            summaries = [import_inspect_log(session, log, samples, options) for log in read]
    except (ImportProblem, AnalysisInputError, OSError) as exc:
        where = f"{current}: " if current else ""
        error_console.print(f"[bold red]nothing imported:[/] {where}{exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(INPUT_ERROR_EXIT) from exc
    for path, summary in zip(logs, summaries, strict=True):
        console.print(
            f"{path.name}: {summary.runs_added} runs added, {summary.runs_already_present} already present "
            f"(agent {summary.agent!r}{' created' if summary.agent_added else ''}, scorer "
            f"{summary.scorer!r}, threshold {summary.threshold:g}); {summary.tasks_added} tasks created, "
            f"{summary.human_times_added} human times recorded; {summary.samples_errored} errored and "
            f"{summary.samples_unscored} unscored samples skipped",
            highlight=False,
            soft_wrap=True,
        )
        if summary.tasks_without_human_time:
            listed = ", ".join(summary.tasks_without_human_time_listed)
            more = summary.tasks_without_human_time - len(summary.tasks_without_human_time_listed)
            console.print(
                f"[yellow]note:[/] {summary.tasks_without_human_time} tasks have no human time ({listed}"
                f"{f' and {more} more' if more > 0 else ''}): their {summary.runs_without_human_time} runs "
                "are stored, but fits leave them out until a human time is recorded (a mapping file's "
                "human_minutes on a new import, or a baseline or estimate for the task)",
                highlight=False,
                soft_wrap=True,
            )


@app.command("export-runs")
def export_runs(
    agent: list[str] = typer.Option(None, "--agent", help="Only this agent's runs (repeatable)."),
    out: Path | None = typer.Option(None, "--out", help="Write here (default: standard output)."),
    include_unhealthy: bool = typer.Option(
        False, help="Include task versions that failed their health check."
    ),
) -> None:
    """Write the runs a fit would use in METR's runs format (JSON Lines), with METR's weights."""
    from core.db import session_scope
    from core.migrate import upgrade
    from core.services.run_export import ExportScope, export_jsonl, plan_export

    settings = get_settings()
    upgrade(settings)
    scope = ExportScope(agents=tuple(agent or ()), include_unhealthy=include_unhealthy)
    with session_scope(settings) as session:
        lines = export_jsonl(session, plan_export(session, scope))
        if out is None:
            for line in lines:
                sys.stdout.write(line)
            return
        count = _write_atomically(out, lines)
    console.print(f"wrote {count} runs to {out}", highlight=False, soft_wrap=True)


def _write_atomically(path: Path, lines: Iterable[str]) -> int:
    """Write the lines to a temporary file beside `path`, then rename it: a failure leaves no
    half-written file. Returns the number of lines."""
    count = 0
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.resolve().parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            for line in lines:
                handle.write(line)
                count += 1
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count
