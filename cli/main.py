"""The `horizon` command line: serve, workers, migrations, tokens, and the analysis commands."""

from __future__ import annotations

from pathlib import Path

import typer

from cli import (
    analysis,
    backup,
    calibration,
    common,
    doctor,
    exchange,
    forecasting,
    images,
    quickstart,
    runs,
    shapes,
    status,
    tasks,
    transcripts,
)
from cli.common import console, get_settings, num, safe_url

app = typer.Typer(
    help="Horizon: measure how long a task, in human time, an AI agent can complete.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


@app.command()
def migrate(revision: str = typer.Option("head", help="Alembic revision to upgrade to.")) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from core.migrate import upgrade

    settings = get_settings()
    upgrade(settings, revision)
    console.print(f"database at revision {revision}: {safe_url(settings)}")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default 8000)."),
    no_migrate: bool = typer.Option(
        False, "--no-migrate", help="Do not migrate: refuse a database behind this code's schema instead."
    ),
) -> None:
    """Run the API and dashboard; in embedded mode also the job queue and periodic jobs."""
    common.serve(host, port, migrate=not no_migrate)


@app.command()
def worker(
    queues: str = typer.Option(
        "default,runs",
        help="Comma-separated queues to consume. Analyses have their own queue: run a separate "
        "`horizon worker --queues analysis --concurrency 1` so a long fit never holds a run's slot.",
    ),
    gpu: bool = typer.Option(False, "--gpu", help="Consume the gpu queue (managed inference servers)."),
    concurrency: int = typer.Option(
        None,
        min=1,
        help="Jobs at once (default HORIZON_WORKER_CONCURRENCY, else sized to the host: up to 32 "
        "threads, or 2 processes for prefork).",
    ),
    pool: str = typer.Option(
        None,
        help="threads (many runs in one process), prefork (a process per job) or auto: prefork for "
        "the analysis queue alone, else threads (default HORIZON_WORKER_POOL, auto).",
    ),
    name: str = typer.Option(None, help="Worker node name."),
    include: str = typer.Option(None, help="Extra modules with jobs to import (comma-separated)."),
    loglevel: str = typer.Option("INFO"),
) -> None:
    """Run a Celery worker on Redis (needs REDIS_URL)."""
    settings = get_settings()
    if settings.embedded_queue:
        console.print("[red]REDIS_URL is not set:[/red] `horizon serve` runs jobs in-process instead.")
        raise typer.Exit(2)
    common.require_known_schema(settings)  # workers never migrate: `horizon migrate` comes first
    from cli.worker_pool import celery_worker_argv, raise_open_files_limit
    from workers.celery_app import app as celery_app
    from workers.sandbox import SandboxUnavailable, get_backend

    if gpu:
        queues = "gpu"
    names = {q.strip() for q in queues.split(",")}
    if "analysis" in names and names & {"runs", "gpu"}:
        console.print(
            "[yellow]warning: this worker takes analyses and runs alike: a long analysis holds a slot "
            "runs wait for. Prefer a separate `horizon worker --queues analysis`.[/yellow]"
        )
    if "runs" in queues or "gpu" in queues:
        try:
            get_backend(settings.sandbox_backend, settings.docker_host).check_available()
        except SandboxUnavailable as exc:
            # Say it plainly at start: every run this worker takes would end as an infra error.
            console.print(
                f"[yellow]warning: {exc}[/yellow]\nruns taken by this worker will be retried "
                "elsewhere and end as infra_error if no worker can reach a sandbox backend"
            )
    try:
        argv = celery_worker_argv(settings, queues, pool=pool, concurrency=concurrency, loglevel=loglevel)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    raise_open_files_limit()
    if name:
        argv += ["-n", name]
    if include:
        argv += ["--include", include]
    from workers.gpu_announce import GpuAnnouncer

    announcer: GpuAnnouncer | None = None
    if "gpu" in names:
        # Batches of GPU tasks are refused unless a worker like this one is seen (docs/operations.md).
        announcer = GpuAnnouncer(settings)
        announcer.start()
        from workers.inference_server import sweep_idle_servers

        # Servers a SIGKILLed worker left behind stop now if idle, not at this worker's first run.
        sweep_idle_servers(settings)
    try:
        celery_app.worker_main(argv)
    finally:
        if announcer is not None:
            announcer.stop()


@app.command()
def beat(loglevel: str = typer.Option("INFO")) -> None:
    """Run the periodic scheduler (stale-run reaper) on Redis."""
    settings = get_settings()
    if settings.embedded_queue:
        console.print("[red]REDIS_URL is not set:[/red] `horizon serve` runs periodic jobs itself.")
        raise typer.Exit(2)
    common.require_known_schema(settings)
    from workers.celery_app import app as celery_app

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    celery_app.start(["beat", "-l", loglevel, "-s", str(settings.data_dir / "celerybeat-schedule")])


@token_app.command("create")
def token_create(
    name: str = typer.Option(..., help="Who or what uses the token."),
    role: str = typer.Option("submitter", help="viewer, submitter or admin."),
) -> None:
    """Create a token and print it (only its hash is stored)."""
    from core.auth import create_token
    from core.db import session_scope
    from core.errors import HorizonError

    try:
        with session_scope() as session:
            row, secret = create_token(session, name, role)
    except HorizonError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"token {row.id} ({role}) for {name}:")
    typer.echo(secret)  # plain, on its own line: no markup or wrapping, so it can be piped


@token_app.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    from core.auth import list_tokens
    from core.db import session_scope

    with session_scope() as session:
        for row in list_tokens(session):
            state = "revoked" if row.revoked_at else "active"
            console.print(f"{row.id}\t{row.role}\t{state}\t{row.name}")


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke a token by id."""
    from core.auth import revoke_token
    from core.db import session_scope

    with session_scope() as session:
        revoke_token(session, token_id)
    console.print(f"token {token_id} revoked")


@app.command("import-runs")
def import_runs_cmd(
    runs: Path = typer.Argument(..., help="METR-format runs file (JSONL or CSV)."),
    release_dates: Path = typer.Option(None, help="YAML of agent release dates."),
    source: str = typer.Option(None, help="Name of the source (default: the file name)."),
) -> None:
    """Load external runs into the database as agents, tasks with human times and completed runs.

    Idempotent: importing the same file again adds nothing.
    """
    from analysis.errors import AnalysisInputError
    from analysis.runs_io import read_release_dates, read_runs_frame
    from core.db import session_scope
    from core.migrate import upgrade
    from core.services.imports import import_runs

    upgrade(get_settings())
    try:
        frame = read_runs_frame(runs)
        dates = read_release_dates(release_dates) if release_dates else {}
        with session_scope() as session:
            summary = import_runs(session, frame, source or runs.name, dates)
    except AnalysisInputError as exc:
        console.print(f"[red]nothing imported:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(
        f"{summary.source}: {summary.runs_added} runs added, {summary.runs_already_present} already present, "
        f"{summary.agents_added} agents and {summary.tasks_added} tasks created, "
        f"{summary.human_rows_skipped} human baseline rows skipped"
    )


@app.command()
def fit(
    preset: str | None = typer.Option(
        None,
        "--preset",
        help="calibrated or metr, as in `horizon analyze` (the options below override single settings). "
        "Default: the API's, which are the calibrated preset's (regularization 1e-5, families+tasks "
        "bootstrap, degenerate replicates counted, doubling-time CI from the slope, fast solver).",
    ),
    regularization: float | None = typer.Option(
        None,
        help="L2 regularization (METR's paper: 0.1; 1e-5 since 2026-03). Default: the preset's, else 1e-5.",
    ),
    weighting: str = typer.Option("invsqrt", help="invsqrt or equal."),
    bootstrap: int = typer.Option(1000, help="Bootstrap replicates."),
    solver: str | None = typer.Option(None, help="fast (exact) or sklearn (METR compatible)."),
    bootstrap_levels: str | None = typer.Option(
        None, "--bootstrap-levels", help="families_tasks (calibrated) or families_tasks_runs (METR's)."
    ),
    degenerate_replicates: str | None = typer.Option(
        None, "--degenerate-replicates", help="count (at their limit) or drop (METR's)."
    ),
    doubling_ci: str | None = typer.Option(
        None, "--doubling-ci", help="slope (inverted slope interval) or positive_doublings (METR's)."
    ),
    include_unhealthy: bool = typer.Option(False, help="Include tasks that failed their health check."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the result JSON here."),
) -> None:
    """Fit horizons and the trend over the database's completed runs now, and store the result."""
    from pydantic import ValidationError

    from analysis.report import PRESETS
    from core.schemas import AnalysisRequest

    if preset is not None and preset not in PRESETS:
        console.print(f"[red]--preset must be one of {', '.join(PRESETS)}, got {preset!r}[/red]")
        raise typer.Exit(2)
    given = {
        "regularization": regularization,
        "solver": solver,
        "bootstrap_levels": bootstrap_levels,
        "degenerate_replicates": degenerate_replicates,
        "doubling_ci": doubling_ci,
    }
    chosen = {**PRESETS.get(preset or "", {}), **{k: v for k, v in given.items() if v is not None}}
    try:
        request = AnalysisRequest(
            weighting=weighting,
            bootstrap=bootstrap,
            include_unhealthy_tasks=include_unhealthy,
            **chosen,
        )
    except ValidationError as exc:
        console.print(f"[red]{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}[/red]")
        raise typer.Exit(2) from exc
    common.fit_and_print(request, json_out)


@app.command("import-horizons")
def import_horizons(
    horizons: Path = typer.Argument(
        ..., help="CSV with agent (or model), p50, optional release_date and CIs."
    ),
    label: str = typer.Option(
        ..., help="How the overlay is named on the dashboard, e.g. 'METR (published)'."
    ),
    release_dates: Path | None = typer.Option(None, help="YAML release dates (override the CSV's)."),
    bootstrap_samples: Path | None = typer.Option(None, help="CSV of replicate p50s ({agent}_p50 columns)."),
    window: str | None = typer.Option(
        None, help="Trend window AFTER:BEFORE (dates), e.g. 2019-01-01:2025-02-25."
    ),
) -> None:
    """Store published or outside per-agent horizons as an overlay for the dashboard's trend chart.

    CI columns are read when present (`p50q0.025`/`p50q0.975` as in METR's files, or
    `p50_ci_low`/`p50_ci_high`). The overlay is never mixed into this system's own fits.
    """
    from analysis.errors import AnalysisInputError
    from core.db import session_scope
    from core.migrate import upgrade
    from core.services.overlays import import_published_horizons

    upgrade(get_settings())
    try:
        with session_scope() as session:
            row = import_published_horizons(
                session,
                horizons,
                label,
                release_dates=release_dates,
                bootstrap_samples=bootstrap_samples,
                window=window,
            )
            stored, result = row.id, row.result or {}
    except AnalysisInputError as exc:
        console.print(f"[red]nothing stored:[/red] {exc}")
        raise typer.Exit(2) from exc
    doubling = num((result.get("trend") or {}).get("doubling_days"))
    n_agents = len(result.get("agents") or [])
    console.print(f"stored overlay {stored} '{label}': {n_agents} agents; doubling time {doubling} days")


# Every command is a function decorated on its module's Typer; here they are put together: a
# Typer added without a name contributes its commands, one with a name becomes a command group.
for module_app in (
    runs.app,
    quickstart.app,
    analysis.app,
    calibration.app,
    forecasting.app,
    shapes.app,
    exchange.app,
    backup.app,
    doctor.app,
    status.app,
):
    app.add_typer(module_app)
app.add_typer(token_app, name="token")
app.add_typer(tasks.tasks_app, name="tasks")
app.add_typer(transcripts.transcripts_app, name="transcripts")
app.add_typer(images.images_app, name="images")


def main() -> None:
    """Entry point of the `horizon` command: a database that was never migrated, or one migrated by
    a newer Horizon, gets one line saying so (exit 1), not a traceback."""
    try:
        app()
    except Exception as exc:
        message = common.unmigrated_database_message(exc) or common.schema_mismatch_message(exc)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
