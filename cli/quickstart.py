"""`horizon quickstart`: the main job on the embedded default, start to finish.

Migrates the embedded database, loads the bundled task suite, runs the `oracle` and `null` agents
on every bundled task in Docker sandboxes when a daemon is reachable (and says plainly what it
skipped when not), fits horizons over what the database holds, and serves the API and dashboard.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from cli.common import console, fit_and_print, get_settings
from cli.common import serve as serve_app

app = typer.Typer()
TASKS_ROOT = Path(__file__).resolve().parent.parent / "tasks"


def _docker_problem() -> str | None:
    """None when sandboxes can run here, else why not."""
    settings = get_settings()
    try:
        from workers.sandbox import SandboxError, get_backend

        backend = get_backend(settings.sandbox_backend, settings.docker_host)
        backend.check_available()
        with console.status("building the sandbox base image (first time: a few minutes)..."):
            backend.ensure_base_image()
    except SandboxError as exc:
        return str(exc)
    return None


@app.command()
def quickstart(
    serve: bool = typer.Option(True, help="Serve the API and dashboard at the end."),
    port: int | None = typer.Option(None, help="Port for the server (default 8000)."),
) -> None:
    """Load the bundled tasks, run sandboxed oracle/null checks, fit horizons, serve."""
    from sqlalchemy import select

    from core.db import session_scope
    from core.migrate import upgrade
    from core.models import Agent, Task
    from core.schemas import AgentCreate, BatchCreate
    from core.services.batches import batch_out, create_batch, get_batch
    from core.services.catalog import create_agent
    from core.services.task_sync import sync_tree

    settings = get_settings()
    upgrade(settings)
    console.print(f"[bold]1. database[/bold]: {settings.effective_database_url}")
    with session_scope(settings) as session:
        report = sync_tree(session, TASKS_ROOT)
        n_tasks = len(list(session.scalars(select(Task.id))))
    console.print(
        f"[bold]2. tasks[/bold]: {len(report.created)} loaded, {len(report.new_versions)} updated, "
        f"{len(report.unchanged)} unchanged ({n_tasks} in the database)"
    )
    with session_scope(settings) as session:
        for name, scaffold in (("oracle", "oracle"), ("null", "null")):
            if session.scalar(select(Agent).where(Agent.name == name)) is None:
                create_agent(session, AgentCreate(name=name, scaffold=scaffold))

    problem = _docker_problem()
    if problem is not None:
        console.print(
            f"[bold]3. sandboxed runs[/bold]: [yellow]skipped[/yellow]: {problem}\n"
            "   Start a daemon (scripts/start_dockerd.sh on Debian) and run this again to execute "
            "the oracle and null agents on every bundled task."
        )
    else:
        import workers.jobs  # noqa: F401  # the in-process queue runs the jobs in this process

        bundled = sorted(report.created + report.new_versions + report.unchanged)
        with session_scope(settings) as session:
            batch_id = create_batch(
                session,
                BatchCreate(
                    name="quickstart: oracle and null on the bundled tasks",
                    agents=["oracle", "null"],
                    tasks=bundled,
                ),
                created_by="quickstart",
            ).id
        console.print(f"[bold]3. sandboxed runs[/bold]: batch {batch_id} (oracle must score 1, null 0)")
        while True:
            with session_scope(settings) as session:
                out = batch_out(session, get_batch(session, batch_id))
            counts = " ".join(f"{k}={v}" for k, v in sorted(out.counts.items()))
            console.print(f"   {counts}", highlight=False)
            if out.done:
                break
            time.sleep(5)

    from core.schemas import AnalysisRequest

    console.print("[bold]4. horizons[/bold] over every completed run in the database:")
    try:
        fit_and_print(AnalysisRequest(bootstrap=200))
    except typer.Exit:
        console.print("   (no fit yet: it needs completed runs on tasks with a human time)")
    if serve:
        console.print("[bold]5. serving[/bold] the API and dashboard")
        serve_app(host=None, port=port, migrate=False)
