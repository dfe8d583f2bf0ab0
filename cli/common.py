"""What several `horizon` commands share: the console, serving the app, fitting and printing.

`cli.main` and `cli.quickstart` both serve and fit; keeping it here (and not in `cli.main`, which
composes the commands) means no command module imports another.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from sqlalchemy.exc import OperationalError

    from core.schemas import AnalysisRequest
    from core.settings import Settings

console = Console()


def get_settings() -> Settings:
    """The process's settings. core.settings (pydantic) is imported here, on first use: the
    analysis commands never need it, and importing it costs a large share of their start-up."""
    from core.settings import get_settings as load_settings

    return load_settings()


# SQLSTATEs PostgreSQL answers when a table or a column is missing; SQLite says it in words.
_MISSING_SCHEMA_STATES = ("42P01", "42703")
_MISSING_SCHEMA_SQLITE = ("no such table", "no such column")


def unmigrated_database_message(exc: BaseException) -> str | None:
    """One line telling to run `horizon migrate` when `exc` (or its cause) is the database saying a
    table or column is missing; None for anything else. Only looks at an error already raised, so
    commands pay no extra database query for it."""
    if "sqlalchemy" not in sys.modules:  # nothing touched a database: not a schema error
        return None
    from sqlalchemy.exc import DBAPIError

    seen: BaseException | None = exc
    while seen is not None and not isinstance(seen, DBAPIError):
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return None
    state = getattr(seen.orig, "sqlstate", None)
    detail = str(seen.orig).strip().splitlines()[0] if str(seen.orig).strip() else ""
    if state not in _MISSING_SCHEMA_STATES and not detail.startswith(_MISSING_SCHEMA_SQLITE):
        return None
    return f"the database {safe_url(get_settings())} is not migrated ({detail}): run `horizon migrate` first"


def schema_mismatch_message(exc: BaseException) -> str | None:
    """The one line of a core.migrate.SchemaMismatch (a schema newer than this code, a bad
    HORIZON_MIGRATIONS_DIR) raised by a command that migrates itself; None for anything else."""
    if "core.migrate" not in sys.modules:  # nothing migrated: it cannot be one
        return None
    from core.migrate import SchemaMismatch

    return exc.message if isinstance(exc, SchemaMismatch) else None


def require_known_schema(settings: Settings, *, migrate: bool = False) -> None:
    """Apply core.migrate.check_schema at a long-running command's start: a database at a revision
    this code does not know, or behind it where the command may not migrate, gets one line on
    stderr and exit 1, and the command starts nothing."""
    from sqlalchemy.exc import OperationalError

    from core.migrate import SchemaMismatch, check_schema

    try:
        check_schema(settings, migrate=migrate)
    except SchemaMismatch as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except OperationalError:
        if migrate:
            raise
        # Workers and beat ride out a database outage (their jobs retry until it answers), so an
        # unreachable database at start is not a reason to refuse: the check is skipped, and
        # said so. The server migrates, so it needs the database and fails as before.
        typer.echo("warning: the database did not answer; its schema revision was not checked", err=True)


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr with times, at `level`."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic names each of its autogenerate plugins at INFO when first imported: noise here.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def safe_url(settings: Settings) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(settings.effective_database_url).render_as_string(hide_password=True)


def unreachable_database(settings: Settings, exc: OperationalError) -> str:
    """One line for an OperationalError `exc`: the database (no password) and the first line of
    its driver's error."""
    said = str(exc.orig).strip()
    detail = said.splitlines()[0] if said else type(exc.orig).__name__
    return f"the database {safe_url(settings)} did not answer ({detail})"


def _periodic(interval_s: float, fn: Callable[[], object], stop: threading.Event) -> None:
    while not stop.wait(interval_s):
        try:
            fn()
        except Exception:
            logging.getLogger("horizon.periodic").exception("periodic job failed")


def _resume_embedded_work(settings: Settings) -> None:
    """The in-process queue forgets everything when the process stops; the rows do not. Re-send
    the work they describe (duplicates are harmless: runs are claimed by a guarded update)."""
    from core.db import session_scope
    from core.services.analyses import resend_analyses
    from core.services.baselining import resend_scoring_attempts
    from core.services.import_jobs import resend_import_jobs
    from core.services.runs import requeue_lost_runs
    from core.states import ACTIVE_ANALYSIS_STATUSES

    with session_scope(settings) as session:
        # Every queued run, sent to the queue its model needs (the gpu one for managed models).
        run_ids = requeue_lost_runs(session, settings, broker_lost=True)
        analysis_ids = resend_analyses(session, ACTIVE_ANALYSIS_STATUSES)
        import_ids = resend_import_jobs(session)
        attempt_ids = resend_scoring_attempts(session, settings, broker_lost=True)
    if run_ids or analysis_ids or import_ids or attempt_ids:
        console.print(
            f"resuming {len(run_ids)} queued runs, {len(analysis_ids)} analyses, "
            f"{len(import_ids)} task imports and {len(attempt_ids)} baselining scorings"
        )


def serve(host: str | None, port: int | None, *, migrate: bool = True) -> None:
    """Run the API and dashboard; in embedded mode also the job queue and periodic jobs."""
    import uvicorn

    from api.app import create_app
    from core.auth import ensure_admin_token

    configure_logging()
    settings = get_settings()
    # Behind head: migrated here unless --no-migrate; a revision newer than this code: refused.
    require_known_schema(settings, migrate=migrate)
    import workers.jobs as jobs  # registers the jobs for the in-process queue
    from core.services.transcript_storage import MAINTENANCE_INTERVAL_S
    from workers.gpu_announce import GpuAnnouncer
    from workers.live_baselining import DockerLiveSandboxes
    from workers.requeue import resend_overdue_scorings

    stop = threading.Event()
    announcer: GpuAnnouncer | None = None
    if settings.embedded_queue:
        _resume_embedded_work(settings)
        threading.Thread(
            target=_periodic, args=(settings.reap_interval_s, jobs.reap_stale_runs, stop), daemon=True
        ).start()
        threading.Thread(target=_periodic, args=(60.0, jobs.pause_idle_attempts, stop), daemon=True).start()
        scorings = partial(resend_overdue_scorings, settings)
        threading.Thread(
            target=_periodic, args=(settings.reap_interval_s, scorings, stop), daemon=True
        ).start()
        threading.Thread(
            target=_periodic, args=(MAINTENANCE_INTERVAL_S, jobs.maintain_transcripts, stop), daemon=True
        ).start()
        # This process is the only worker, the gpu queue's too: it announces its own GPUs.
        announcer = GpuAnnouncer(settings)
        announcer.start()
    # Baselining sandboxes run on this server's Docker daemon: it holds their terminals' WebSockets.
    # Without a daemon here (Compose gives the socket to workers only) the pages say so instead.
    live: DockerLiveSandboxes | None = DockerLiveSandboxes(settings) if docker_answers(settings) else None
    if live is None:
        console.print(
            "browser baselining is off: no Docker daemon answers here (docs/operations.md, Docker Compose)"
        )
    else:
        live.start()
    token = ensure_admin_token(settings)
    mode = "embedded (SQLite, in-process queue)" if settings.embedded_queue else "distributed"
    console.print(f"[bold]Horizon[/bold] {mode}; database {safe_url(settings)}")
    if token:
        console.print(f"admin token (also in {settings.data_dir / 'admin-token'}): {token}")
    h, p = host or settings.api_host, port or settings.api_port
    console.print(f"API docs: http://{h}:{p}/docs")
    if h not in ("127.0.0.1", "localhost", "::1"):
        # Other machines reach the server by a name the Host check must know (else 400).
        console.print(f"answering only to the host names in HORIZON_ALLOWED_HOSTS: {settings.allowed_hosts}")
    try:
        # No `server: uvicorn` banner: it only tells an attacker what to look up.
        uvicorn.run(create_app(settings, live), host=h, port=p, log_level="info", server_header=False)
    finally:
        if live is not None:
            live.stop()
        stop.set()
        if announcer is not None:
            announcer.stop()


def docker_answers(settings: Settings) -> bool:
    """Whether this process reaches a Docker daemon (the one its sandboxes would use)."""
    from workers.sandbox.base import SandboxUnavailable
    from workers.sandbox.docker.client import docker_client

    try:
        docker_client(settings.docker_host, timeout=5).close()
    except SandboxUnavailable:
        return False
    return True


def fit_and_print(request: AnalysisRequest, json_out: Path | None = None) -> None:
    """Store an analysis of the database's completed runs, fit it here (not on a queue), print
    the horizons and the trend; exit 1 when it cannot be fitted."""
    from core.db import session_scope
    from core.migrate import upgrade
    from core.queue import forget_pending_jobs
    from core.services.analyses import get_analysis, request_analysis
    from core.states import AnalysisStatus
    from workers.analysis_job import run_fit

    upgrade(get_settings())
    with session_scope() as session:
        analysis_id = request_analysis(session, request, reason="horizon fit").id
        forget_pending_jobs(session)  # fitted right here
    with console.status(f"fitting analysis {analysis_id} ({request.bootstrap} bootstrap replicates)..."):
        status = run_fit(analysis_id)
    with session_scope() as session:
        stored = get_analysis(session, analysis_id)
        if status != AnalysisStatus.DONE or stored.result is None:
            console.print(f"[red]analysis {analysis_id} failed:[/red] {stored.error}")
            raise typer.Exit(1)
        result = stored.result
    print_fit(result)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2))
        console.print(f"wrote {json_out}")


def print_fit(result: dict[str, Any]) -> None:
    """Print an analysis result's horizons as a table, one agent per line."""
    from cli.analysis import print_flag_summary
    from cli.sections import print_sections

    table = Table(title="Horizons (minutes of human time)")
    for column in ("agent", "release", "runs", "p50", "p50 95% CI", "p80", "frontier"):
        table.add_column(column)
    table.add_column("flags", overflow="fold")  # codes are read whole, never cut
    for a in sorted(result["agents"], key=lambda a: (a.get("release_date") or "", a["agent"])):
        lo, hi = a.get("p50_ci") or (None, None)
        # An agent that passes everything has no finite horizon: it lies beyond the longest task.
        p50 = "beyond every task" if a.get("fit_status") == "all_successes" else num(a.get("p50"))
        table.add_row(
            a["agent"],
            str(a.get("release_date") or "-"),
            str(a.get("n_runs")),
            p50,
            f"[{num(lo)}, {num(hi)}]",
            num(a.get("p80")),
            "yes" if a.get("frontier") else "",
            ", ".join(a.get("flags") or []),
        )
    console.print(table)
    trend = result.get("trend") or {}
    if trend.get("doubling_days") is not None:
        lo, hi = trend.get("doubling_days_ci") or (None, None)
        # The slope's interval reached 0: no finite upper bound (docs/method.md section 8).
        upper = "unbounded" if hi is None and trend.get("doubling_days_ci_unbounded") else num(hi)
        console.print(f"doubling time: {num(trend['doubling_days'])} days, 95% CI [{num(lo)}, {upper}]")
    if trend.get("flags"):
        console.print(f"trend flags: {', '.join(trend['flags'])}", soft_wrap=True)
    print_flag_summary(result.get("flags") or {})
    for agent, reason in (result.get("excluded_agents") or {}).items():
        console.print(f"not fitted: {agent} ({reason})", soft_wrap=True)
    print_sections(result)


def num(value: Any) -> str:
    """A number in three significant digits, or "-"."""
    return "-" if value is None else f"{float(value):.3g}"
