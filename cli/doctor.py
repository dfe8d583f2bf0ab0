"""`horizon doctor`: check that no stored derived value has drifted from its sources, and repair
what has (core/services/doctor.py; docs/operations.md, "Checking derived data")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import typer

from cli.common import console, get_settings, require_known_schema, safe_url, unreachable_database

if TYPE_CHECKING:
    from core.services.doctor_report import CheckOut, DoctorOut

app = typer.Typer()
DRIFT_EXIT = 1
# Apart from drift: the database could not be checked at all.
UNREACHABLE_EXIT = 2


def _values(values: Mapping[str, object]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())


def _line(check: CheckOut) -> str:
    fixed = f"; {check.repaired} repaired" if check.repaired else ""
    return f"{check.drifted} of {check.checked} checked: {check.description}{fixed}"


def _print(report: DoctorOut) -> None:
    for check in report.checks:
        colour = "green" if not check.drifted else ("yellow" if not check.repairable else "red")
        console.print(f"[{colour}]{check.kind}[/]: {_line(check)}", highlight=False, soft_wrap=True)
        for example in check.examples:
            derived = f" -> derived {_values(example.derived)}" if example.derived else ""
            # Ids and values come from rows: printed as they are, never read as markup.
            line = f"    {example.id}: stored {_values(example.stored)}{derived}"
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        if check.drifted and check.note:
            console.print(f"    ({check.note})", highlight=False, markup=False, soft_wrap=True)
    if report.drifted:
        differ = "value differs" if report.drifted == 1 else "values differ"
        console.print(
            f"{report.drifted} stored {differ} from their sources"
            + ("" if report.repair else ": run `horizon doctor --repair` to derive them again"),
            highlight=False,
            markup=False,
        )
    else:
        console.print("no stored value differs from its sources", highlight=False)
    if report.waiting:
        items = "item is" if report.waiting == 1 else "items are"
        console.print(f"{report.waiting} {items} waiting on other machinery (see the notes above)")


@app.command("doctor")
def doctor_cmd(
    repair: bool = typer.Option(
        False, "--repair", help="Derive drifted values again from their sources (one transaction per kind)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of words."),
) -> None:
    """Derive every cached value again (human times, run spend, current versions, running attempts)
    and compare it with the stored one; count queued or running work whose message may be lost and
    a stale analysis. Exit 1 when a stored value differs and --repair was not given."""
    from sqlalchemy.exc import OperationalError

    from core.services.doctor import doctor

    settings = get_settings()
    require_known_schema(settings)  # an unmigrated or newer schema: one line, exit 1
    try:
        report = doctor(settings, repair=repair)
    except OperationalError as exc:
        typer.echo(f"error: {unreachable_database(settings, exc)}; nothing checked", err=True)
        raise typer.Exit(UNREACHABLE_EXIT) from None
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        console.print(f"checked {safe_url(settings)}", highlight=False, soft_wrap=True)
        _print(report)
    if report.drifted:
        raise typer.Exit(DRIFT_EXIT)
