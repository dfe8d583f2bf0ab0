"""`horizon run` (one task now, transcript streamed) and `horizon batch` (schedule and follow)."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.common import get_settings
from core.states import FINAL_RUN_STATUSES, RunStatus

console = Console()
app = typer.Typer()


def print_event(event: dict[str, Any]) -> None:
    """One transcript event as a readable line or block."""
    kind = event.get("kind", "?")
    t = event.get("t", 0.0)
    head = f"[dim]{t:8.2f}s[/dim] [bold]{kind}[/bold]"
    skip = {"kind", "t", "seq"}
    body = {k: v for k, v in event.items() if k not in skip}
    text_keys = [k for k in ("content", "command", "stdout", "stderr", "output", "answer") if body.get(k)]
    rest = {k: v for k, v in body.items() if k not in text_keys}
    console.print(f"{head} {json.dumps(rest, default=str)[:300] if rest else ''}", highlight=False)
    for key in text_keys:
        value = str(body[key])
        console.print(f"    [cyan]{key}[/cyan]: " + value[:2000].replace("\n", "\n      "), highlight=False)


@app.command("run")
def run_one(
    agent: str = typer.Option(..., help="Agent name or id."),
    task: str = typer.Option(..., help="Task id."),
) -> None:
    """Run one agent on one task now, in this process, streaming the transcript."""
    from core.db import session_scope
    from core.errors import HorizonError
    from core.migrate import upgrade
    from core.queue import forget_pending_jobs
    from core.schemas import BatchCreate
    from core.services.batches import create_batch
    from core.services.runs import get_run, list_runs, run_out
    from workers.gpu_announce import this_worker
    from workers.run_executor import execute_claimed_run

    settings = get_settings()
    upgrade(settings)
    try:
        with session_scope(settings) as session:
            ref: int | str = int(agent) if agent.isdigit() else agent
            batch = create_batch(
                session,
                BatchCreate(name=f"run {agent} on {task}", agents=[ref], tasks=[task]),
                runs_on=[this_worker(settings)],  # run here: this host's GPUs are the ones that count
            )
            (run,), _ = list_runs(session, batch_id=batch.id, limit=1)
            run_id = run.id
            forget_pending_jobs(session)  # executed here, not on a queue
    except HorizonError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"run {run_id}: {agent} on {task}")
    status = execute_claimed_run(run_id, settings, listener=print_event)
    with session_scope(settings) as session:
        out = run_out(get_run(session, run_id))
    console.print(
        f"[bold]{out.status}[/bold] stop={out.stop_reason} score={out.score_cont} "
        f"binarized={out.score_binarized} tokens={out.tokens_in}+{out.tokens_out} "
        f"cost=${out.cost_usd:.4f}" + (f"\nerror: {out.error}" if out.error else "")
    )
    if status is None and out.status != RunStatus.COMPLETED:
        raise typer.Exit(1)


@app.command("transcript")
def transcript_cmd(
    run_id: int = typer.Argument(..., help="Run id."),
    as_json: bool = typer.Option(False, "--json", help="Print the raw events as JSON."),
) -> None:
    """Print a run's transcript: model messages, tool calls, command outputs, timings, tokens."""
    from core.db import session_scope
    from core.errors import HorizonError
    from core.ownership import SYSTEM
    from core.services.transcripts import transcript_page

    # Page by page (as the API serves it), so a transcript of any length streams.
    events: list[dict[str, Any]] = []
    offset: int | None = 0
    try:
        while offset is not None:
            with session_scope() as session:
                # The operator reads the database anyway: the whole transcript, answers included.
                page = transcript_page(session, run_id, offset, reader=SYSTEM)
            if offset == 0 and not as_json:
                if not page.total:
                    console.print(f"run {run_id} has no transcript yet")
                    return
                console.print(f"run {run_id}, attempt {page.attempt}: {page.total} events")
            for event in page.events:
                if as_json:
                    events.append(event)
                else:
                    print_event(event)
            offset = page.next_offset
    except HorizonError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        # Plain stdout: rich would highlight and wrap the JSON a program reads.
        typer.echo(json.dumps({"run_id": run_id, "attempt": page.attempt, "events": events}, indent=2))


@app.command("batch")
def batch_cmd(
    agents: str = typer.Option(..., help="Comma-separated agent names or ids."),
    tasks: str = typer.Option(None, help="Comma-separated task ids."),
    tags: str = typer.Option(None, help="Comma-separated tags: tasks having any of them."),
    repeats: int = typer.Option(1, help="Runs per agent and task."),
    name: str = typer.Option("", help="A name for the batch."),
    follow: bool = typer.Option(True, help="Follow progress until the batch is done."),
) -> None:
    """Schedule agents x tasks x repeats and follow the batch with a progress bar."""
    from pydantic import ValidationError

    from core.db import session_scope
    from core.errors import HorizonError
    from core.migrate import upgrade
    from core.schemas import BatchCreate
    from core.services.batches import batch_out, create_batch, get_batch

    settings = get_settings()
    upgrade(settings)
    if settings.embedded_queue:
        import workers.jobs  # noqa: F401  # embedded: this process runs the jobs
        from workers.gpu_announce import GpuAnnouncer

        GpuAnnouncer(settings).announce_once()  # and takes the gpu queue: its GPUs count

    def split(value: str | None) -> list[str] | None:
        return [v.strip() for v in value.split(",") if v.strip()] if value else None

    try:
        data = BatchCreate(
            name=name,
            agents=[int(a) if a.isdigit() else a for a in split(agents) or []],
            tasks=split(tasks),
            tags=split(tags),
            repeats=repeats,
        )
        with session_scope(settings) as session:
            batch_id = create_batch(session, data, created_by="cli").id
    except ValidationError as exc:
        console.print(f"[red]{'; '.join(str(e['msg']) for e in exc.errors())}[/red]")
        raise typer.Exit(2) from exc
    except HorizonError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"batch {batch_id} scheduled")
    if not follow and not settings.embedded_queue:
        return
    columns = (
        TextColumn("batch {task.fields[batch]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("runs", total=None, batch=batch_id, counts="")
        while True:
            with session_scope(settings) as session:
                out = batch_out(session, get_batch(session, batch_id))
            finished = sum(v for k, v in out.counts.items() if k in FINAL_RUN_STATUSES)
            counts = " ".join(f"{k}={v}" for k, v in sorted(out.counts.items()))
            progress.update(bar, total=out.total, completed=finished, counts=counts)
            if out.done:
                break
            time.sleep(1)
    console.print(f"batch {batch_id} done: {counts}")
