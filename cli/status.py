"""`horizon status`: what the deployment is doing now, in plain words or JSON
(core/services/monitoring.py; docs/operations.md, "Monitor")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli.common import console, get_settings, require_known_schema, safe_url, unreachable_database

if TYPE_CHECKING:
    from core.services.monitoring import Backlog, SystemStatus

app = typer.Typer()
# As `horizon doctor`: the database could not be asked at all.
UNREACHABLE_EXIT = 2


def _age(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _backlog(backlog: Backlog, since: str) -> str:
    oldest = f" (oldest {since} {_age(backlog.oldest_age_s)} ago)" if backlog.count else ""
    return f"{backlog.count}{oldest}"


def _lines(status: SystemStatus) -> list[tuple[str, bool]]:
    """(line, whether it calls for attention) for each number of the snapshot."""
    runs = ", ".join(f"{n} {s}" for s, n in status.runs.items())
    queues = ", ".join(
        f"{q.name} {q.messages if q.messages is not None else 'n/a'}" + (f" ({q.note})" if q.note else "")
        for q in status.queues
    )
    reserved = "" if status.reserved_messages is None else f"; held by workers: {status.reserved_messages}"
    return [
        (f"runs: {runs}", False),
        (f"batches running: {status.batches_running}", False),
        (f"queued runs: {_backlog(status.queued_runs, 'created')}", False),
        (
            f"queued runs whose message is older than {status.requeue_after_s:g} s: "
            f"{status.overdue_queued_runs}",
            status.overdue_queued_runs > 0,
        ),
        (
            f"running runs without a heartbeat for {status.stale_after_s:g} s: "
            f"{_backlog(status.stale_running_runs, 'heartbeat')}",
            status.stale_running_runs.count > 0,
        ),
        (
            f"baselining attempts waiting for scoring: {_backlog(status.scoring_waiting, 'submitted')}",
            (status.scoring_waiting.oldest_age_s or 0.0) > status.requeue_after_s,
        ),
        (
            f"analyses queued: {_backlog(status.analyses_queued, 'queued')}, "
            f"running: {status.analyses_running}",
            (status.analyses_queued.oldest_age_s or 0.0) > status.requeue_after_s,
        ),
        (f"broker: {status.broker}", status.broker.startswith("error")),
        (f"queue messages: {queues}{reserved}", False),
    ]


@app.command("status")
def status_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the snapshot as JSON instead of words."),
) -> None:
    """What the deployment is doing now: runs by status, the backlog and its age, runs whose worker
    stopped, work waiting on beat or a worker, and each broker queue's depth. Changes nothing."""
    from sqlalchemy.exc import OperationalError

    from core.db import session_scope
    from core.services.monitoring import system_status

    settings = get_settings()
    require_known_schema(settings)  # an unmigrated or newer schema: one line, exit 1
    try:
        with session_scope(settings) as session:
            snapshot = system_status(session, settings)
    except OperationalError as exc:
        typer.echo(f"error: {unreachable_database(settings, exc)}", err=True)
        raise typer.Exit(UNREACHABLE_EXIT) from None
    if as_json:
        typer.echo(snapshot.model_dump_json(indent=2))
        return
    console.print(f"{safe_url(settings)} ({snapshot.mode})", highlight=False, markup=False, soft_wrap=True)
    for line, attention in _lines(snapshot):
        # Plain text: queue notes and broker errors are never read as markup.
        console.print(
            line, style="yellow" if attention else None, highlight=False, markup=False, soft_wrap=True
        )
