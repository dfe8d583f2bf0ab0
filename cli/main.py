"""The `horizon` command line: serve, workers, migrations, tokens, and the analysis commands."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import typer
from rich.console import Console

from core.settings import Settings, get_settings

app = typer.Typer(
    help="Horizon: measure how long a task, in human time, an AI agent can complete.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
console = Console()


def _configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def migrate(revision: str = typer.Option("head", help="Alembic revision to upgrade to.")) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from core.migrate import upgrade

    settings = get_settings()
    upgrade(settings, revision)
    console.print(f"database at revision {revision}: {_safe_url(settings)}")


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.effective_database_url).render_as_string(hide_password=True)


def _periodic(interval_s: float, fn: object, stop: threading.Event) -> None:
    while not stop.wait(interval_s):
        try:
            fn()  # type: ignore[operator]
        except Exception:
            logging.getLogger("horizon.periodic").exception("periodic job failed")


def _ensure_admin_token(settings: Settings) -> str | None:
    """On a fresh embedded install, create an admin token and keep it in the data dir (0600)."""
    from sqlalchemy import func, select

    from core.auth import create_token
    from core.db import session_scope
    from core.models import ApiToken

    path = settings.data_dir / "admin-token"
    with session_scope(settings) as session:
        if session.scalar(select(func.count()).select_from(ApiToken)):
            return path.read_text().strip() if path.exists() else None
        _, secret = create_token(session, "first admin (created by horizon serve)", "admin")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(secret + "\n")
    return secret


def _resume_embedded_work(settings: Settings) -> None:
    """The in-process queue forgets everything when the process stops; the rows do not. Re-send
    the work they describe (duplicates are harmless: runs are claimed by a guarded update)."""
    from sqlalchemy import select

    from core.db import session_scope
    from core.models import RUN_QUEUED, AnalysisResult, Run
    from core.queue import QUEUE_ANALYSIS, QUEUE_RUNS, enqueue_after_commit

    with session_scope(settings) as session:
        run_ids = list(session.scalars(select(Run.id).where(Run.status == RUN_QUEUED).order_by(Run.id)))
        analysis_ids = list(
            session.scalars(select(AnalysisResult.id).where(AnalysisResult.status.in_(("queued", "running"))))
        )
        for run_id in run_ids:
            enqueue_after_commit(session, "runs.execute", run_id, queue=QUEUE_RUNS)
        for analysis_id in analysis_ids:
            enqueue_after_commit(session, "analysis.fit", analysis_id, queue=QUEUE_ANALYSIS)
    if run_ids or analysis_ids:
        console.print(f"resuming {len(run_ids)} queued runs and {len(analysis_ids)} analyses")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default 8000)."),
    no_migrate: bool = typer.Option(False, "--no-migrate", help="Skip migrating the database first."),
) -> None:
    """Run the API and dashboard; in embedded mode also the job queue and periodic jobs."""
    import uvicorn

    from api.app import create_app
    from core.migrate import upgrade

    _configure_logging()
    settings = get_settings()
    if not no_migrate:
        upgrade(settings)
    import workers.jobs as jobs  # registers the jobs for the in-process queue

    stop = threading.Event()
    if settings.embedded_queue:
        _resume_embedded_work(settings)
        threading.Thread(
            target=_periodic, args=(settings.reap_interval_s, jobs.reap_stale_runs, stop), daemon=True
        ).start()
        threading.Thread(target=_periodic, args=(60.0, jobs.pause_idle_attempts, stop), daemon=True).start()
    token = _ensure_admin_token(settings)
    mode = "embedded (SQLite, in-process queue)" if settings.embedded_queue else "distributed"
    console.print(f"[bold]Horizon[/bold] {mode}; database {_safe_url(settings)}")
    if token:
        console.print(f"admin token (also in {settings.data_dir / 'admin-token'}): {token}")
    h, p = host or settings.api_host, port or settings.api_port
    console.print(f"API docs: http://{h}:{p}/docs")
    if h not in ("127.0.0.1", "localhost", "::1"):
        # Other machines reach the server by a name the Host check must know (else 400).
        console.print(f"answering only to the host names in HORIZON_ALLOWED_HOSTS: {settings.allowed_hosts}")
    try:
        # No `server: uvicorn` banner: it only tells an attacker what to look up.
        uvicorn.run(create_app(settings), host=h, port=p, log_level="info", server_header=False)
    finally:
        stop.set()


@app.command()
def worker(
    queues: str = typer.Option(
        "default,runs",
        help="Comma-separated queues to consume. Analyses have their own queue: run a separate "
        "`horizon worker --queues analysis --concurrency 1` so a long fit never holds a run's slot.",
    ),
    gpu: bool = typer.Option(False, "--gpu", help="Consume the gpu queue (managed inference servers)."),
    concurrency: int = typer.Option(None, help="Parallel jobs (default HORIZON_WORKER_CONCURRENCY)."),
    name: str = typer.Option(None, help="Worker node name."),
    include: str = typer.Option(None, help="Extra modules with jobs to import (comma-separated)."),
    loglevel: str = typer.Option("INFO"),
) -> None:
    """Run a Celery worker on Redis (needs REDIS_URL)."""
    settings = get_settings()
    if settings.embedded_queue:
        console.print("[red]REDIS_URL is not set:[/red] `horizon serve` runs jobs in-process instead.")
        raise typer.Exit(2)
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
            _ = get_backend(settings.sandbox_backend, settings.docker_host).client  # type: ignore[attr-defined]
        except SandboxUnavailable as exc:
            # Say it plainly at start: every run this worker takes would end as an infra error.
            console.print(
                f"[yellow]warning: {exc}[/yellow]\nruns taken by this worker will be retried "
                "elsewhere and end as infra_error if no worker can reach a sandbox backend"
            )
    argv = ["worker", "-Q", queues, "-c", str(concurrency or settings.worker_concurrency), "-l", loglevel]
    if name:
        argv += ["-n", name]
    if include:
        argv += ["--include", include]
    celery_app.worker_main(argv)


@app.command()
def beat(loglevel: str = typer.Option("INFO")) -> None:
    """Run the periodic scheduler (stale-run reaper) on Redis."""
    settings = get_settings()
    if settings.embedded_queue:
        console.print("[red]REDIS_URL is not set:[/red] `horizon serve` runs periodic jobs itself.")
        raise typer.Exit(2)
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
    print(secret)


@token_app.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    from sqlalchemy import select

    from core.db import session_scope
    from core.models import ApiToken

    with session_scope() as session:
        for row in session.scalars(select(ApiToken).order_by(ApiToken.id)):
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
    regularization: float = typer.Option(0.1, help="L2 regularization (METR: 0.1; 1e-5 since 2026-03)."),
    weighting: str = typer.Option("invsqrt", help="invsqrt or equal."),
    bootstrap: int = typer.Option(1000, help="Bootstrap replicates."),
    solver: str = typer.Option("fast", help="fast (exact) or sklearn (METR compatible)."),
    include_unhealthy: bool = typer.Option(False, help="Include tasks that failed their health check."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the result JSON here."),
) -> None:
    """Fit horizons and the trend over the database's completed runs now, and store the result."""
    import json

    from pydantic import ValidationError

    from core.db import session_scope
    from core.migrate import upgrade
    from core.models import AnalysisResult
    from core.services.analyses import AnalysisRequest, request_analysis
    from workers.analysis_job import run_fit

    upgrade(get_settings())
    try:
        request = AnalysisRequest(
            regularization=regularization,
            weighting=weighting,
            bootstrap=bootstrap,
            solver=solver,
            include_unhealthy_tasks=include_unhealthy,
        )
    except ValidationError as exc:
        console.print(f"[red]{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}[/red]")
        raise typer.Exit(2) from exc
    with session_scope() as session:
        row = request_analysis(session, request, reason="horizon fit")
        analysis_id = row.id
        session.info.pop("horizon_jobs", None)  # run here, not on a queue
    with console.status(f"fitting analysis {analysis_id} ({bootstrap} bootstrap replicates)..."):
        status = run_fit(analysis_id)
    with session_scope() as session:
        stored = session.get(AnalysisResult, analysis_id)
        assert stored is not None
        if status != "done" or stored.result is None:
            console.print(f"[red]analysis {analysis_id} failed:[/red] {stored.error}")
            raise typer.Exit(1)
        result = stored.result
    _print_fit(result)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2))
        console.print(f"wrote {json_out}")


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
    import pandas as pd

    from analysis.errors import AnalysisInputError
    from analysis.report import run_trend
    from analysis.runs_io import read_bootstrap_samples, read_horizons, read_release_dates
    from analysis.trend import parse_window
    from core.db import session_scope
    from core.migrate import upgrade
    from core.models import AnalysisResult, utcnow

    upgrade(get_settings())
    try:
        p50, dates = read_horizons(horizons)
        if release_dates is not None:
            dates.update(read_release_dates(release_dates))
        samples = read_bootstrap_samples(bootstrap_samples) if bootstrap_samples is not None else None
        trend = run_trend(p50, dates, parse_window(window), samples=samples, allow_missing_dates=True)
    except AnalysisInputError as exc:
        console.print(f"[red]nothing stored:[/red] {exc}")
        raise typer.Exit(2) from exc
    frame = pd.read_csv(horizons)
    name_column = "agent" if "agent" in frame.columns else "model"
    ci_columns = next(
        (
            pair
            for pair in (("p50q0.025", "p50q0.975"), ("p50_ci_low", "p50_ci_high"))
            if set(pair) <= set(frame.columns)
        ),
        None,
    )
    cis = {}
    if ci_columns is not None:
        for _, row in frame.iterrows():
            cis[str(row[name_column])] = [float(row[ci_columns[0]]), float(row[ci_columns[1]])]
    frontier = set(trend.get("agents") or [])
    agents = [
        {
            "agent": agent,
            "p50": value,
            "p50_ci": cis.get(agent, [None, None]),
            "release_date": dates[agent].isoformat() if agent in dates else None,
            "frontier": agent in frontier,
        }
        for agent, value in p50.items()
    ]
    with session_scope() as session:
        row = AnalysisResult(
            status="done",
            params={"source": "published", "label": label, "file": horizons.name},
            result={"params": {"source": "published", "label": label}, "agents": agents, "trend": trend},
            n_runs=0,
            finished_at=utcnow(),
        )
        session.add(row)
        session.flush()
        stored = row.id
    doubling = _num(trend.get("doubling_days"))
    console.print(f"stored overlay {stored} '{label}': {len(agents)} agents; doubling time {doubling} days")


def _print_fit(result: dict) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    table = Table(title="Horizons (minutes of human time)")
    for column in ("agent", "release", "runs", "p50", "p50 95% CI", "p80", "frontier"):
        table.add_column(column)
    for a in sorted(result["agents"], key=lambda a: (a.get("release_date") or "", a["agent"])):
        lo, hi = a.get("p50_ci") or (None, None)
        # An agent that passes everything has no finite horizon: it lies beyond the longest task.
        p50 = "beyond every task" if a.get("fit_status") == "all_successes" else _num(a.get("p50"))
        table.add_row(
            a["agent"],
            str(a.get("release_date") or "-"),
            str(a.get("n_runs")),
            p50,
            f"[{_num(lo)}, {_num(hi)}]",
            _num(a.get("p80")),
            "yes" if a.get("frontier") else "",
        )
    console.print(table)
    trend = result.get("trend") or {}
    if trend.get("doubling_days") is not None:
        lo, hi = trend.get("doubling_days_ci") or (None, None)
        console.print(f"doubling time: {_num(trend['doubling_days'])} days, 95% CI [{_num(lo)}, {_num(hi)}]")


def _num(value: object) -> str:
    return "-" if value is None else f"{float(value):.3g}"  # type: ignore[arg-type]


def _register_optional_commands() -> None:
    from cli import quickstart, runs
    from cli.tasks import tasks_app

    runs.register(app)
    quickstart.register(app)
    app.add_typer(tasks_app, name="tasks")
    from cli.analysis import register

    register(app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
