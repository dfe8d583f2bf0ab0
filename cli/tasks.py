"""`horizon tasks ...`: validate, load and health-check task folders; import other formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import get_settings

console = Console()
tasks_app = typer.Typer(
    help="Validate, load and check task folders; import other formats.", no_args_is_help=True
)
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "tasks"


@tasks_app.command("validate")
def validate(root: Path = typer.Argument(DEFAULT_ROOT, help="A task tree (tasks/<family>/<task>/).")) -> None:
    """Check every task folder and name every problem (file and field)."""
    from core.taskfolder import discover_task_folders, format_problems, validate_tree

    problems = validate_tree(root)
    if problems:
        console.print(format_problems(problems), highlight=False, soft_wrap=True)
        console.print(f"[red]{len(problems)} problem(s)[/red]")
        raise typer.Exit(1)
    console.print(f"{len(discover_task_folders(root))} task folders are valid")


@tasks_app.command("sync")
def sync(root: Path = typer.Argument(DEFAULT_ROOT, help="A task tree (tasks/<family>/<task>/).")) -> None:
    """Load task folders into the database; a changed task gets a new version, old ones stay."""
    from core.db import session_scope
    from core.migrate import upgrade
    from core.services.task_sync import sync_tree
    from core.taskfolder import TaskFolderError, format_problems

    upgrade(get_settings())
    try:
        with session_scope() as session:
            report = sync_tree(session, root)
    except TaskFolderError as exc:
        console.print(format_problems(exc.problems), highlight=False, soft_wrap=True)
        console.print("[red]nothing loaded: fix the problems above[/red]")
        raise typer.Exit(1) from exc
    console.print(
        f"{len(report.created)} created, {len(report.new_versions)} new versions, "
        f"{len(report.unchanged)} unchanged, {report.baselines_added} baselines added"
    )


@tasks_app.command("check")
def check(
    task: list[str] = typer.Option(None, help="Only these task ids (repeatable)."),
    oracle_repeats: int = typer.Option(3, help="Oracle runs per task (flakiness)."),
) -> None:
    """Run oracle (must score 1) and null (must score 0) on each task's current version in Docker,
    and record the outcome; unhealthy tasks are left out of fits by default."""
    from core.db import session_scope
    from core.migrate import upgrade
    from core.services.tasks import checkable_task_ids
    from workers.task_checks import check_tasks

    upgrade(get_settings())
    with session_scope() as session:
        ids = list(task) if task else checkable_task_ids(session)
    table = Table(title="Task health")
    for column in ("task", "version", "healthy", "flaky", "oracle", "null", "problems"):
        table.add_column(column)
    results = check_tasks(
        ids, oracle_repeats=oracle_repeats, on_result=lambda r: console.print(f"checked {r.task_id}")
    )
    for r in results:
        table.add_row(
            r.task_id,
            str(r.version),
            "yes" if r.healthy else "[yellow]not checked[/yellow]" if r.refused else "[red]no[/red]",
            "yes" if r.flaky else "",
            " ".join("-" if s is None else f"{s:g}" for s in r.oracle_scores),
            "-" if r.null_score is None else f"{r.null_score:g}",
            "; ".join(r.problems)[:200],
        )
    console.print(table)
    if not all(r.healthy for r in results):
        raise typer.Exit(1)


import_app = typer.Typer(
    help="Import Harbor / Terminal-Bench tasks or METR task families as task folders.", no_args_is_help=True
)
tasks_app.add_typer(import_app, name="import")


def _print_outcomes(outcomes: list[Any]) -> None:
    refused = 0
    for outcome in outcomes:
        if outcome.path is None:
            refused += 1
            console.print(
                f"[red]refused[/red] {outcome.source}: {outcome.reason}", highlight=False, soft_wrap=True
            )
            continue
        colour = "yellow" if outcome.changes else "green"
        console.print(
            f"[{colour}]{outcome.status}[/{colour}] {outcome.source} -> {outcome.path}", highlight=False
        )
        for change in outcome.changes:
            console.print(f"    - {change}", highlight=False, soft_wrap=True)
    console.print(f"{len(outcomes) - refused} imported, {refused} refused")
    if refused:
        raise typer.Exit(1)


@import_app.command("harbor")
def import_harbor(
    src: list[Path] = typer.Argument(..., help="Harbor task folders, or folders of them."),
    dest: Path = typer.Option(..., help="The task tree to write into (<dest>/<family>/<task>/)."),
    family: str | None = typer.Option(None, help="Family of every task (default: task.toml's category)."),
    minutes: float | None = typer.Option(
        None,
        help="Human minutes for tasks whose task.toml has no expert_time_estimate_min "
        "(without it they get no human time and fits leave them out).",
    ),
    rebase: bool = typer.Option(
        False, help="Rebuild tasks whose base image is not allowed on horizon-base instead of refusing them."
    ),
    reward_key: str = typer.Option("reward", help="The reward in reward.json that is the score."),
) -> None:
    """Import Harbor / Terminal-Bench tasks; prints per task imported, imported with changes, or
    refused with the reason. A task that fails writes nothing."""
    from core.importers.batch import import_sources
    from core.importers.common import ImportProblem

    try:
        outcomes = import_sources(
            "harbor", src, dest, family=family, minutes=minutes, rebase=rebase, reward_key=reward_key
        )
    except ImportProblem as exc:
        console.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    _print_outcomes(outcomes)


@import_app.command("metr")
def import_metr(
    src: list[Path] = typer.Argument(
        ..., help="METR task family folders (<name>/<name>.py), or folders of them."
    ),
    dest: Path = typer.Option(..., help="The task tree to write into (<dest>/<family>/<task>/)."),
    minutes: float | None = typer.Option(
        None, help="Human minutes for tasks whose manifest has none (without it they get no human time)."
    ),
) -> None:
    """Import METR Task Standard families (runs each family's Python to list its tasks: import only
    families you trust); prints per task imported, imported with changes, or refused."""
    from core.importers.batch import import_sources
    from core.importers.common import ImportProblem

    try:
        outcomes = import_sources("metr", src, dest, default_minutes=minutes)
    except ImportProblem as exc:
        console.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    _print_outcomes(outcomes)
