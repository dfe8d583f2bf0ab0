"""`horizon trend-shape` and `horizon families` (docs/method.md sections 11 and 12).

Same conventions as `cli.analysis`: files in, a rich table out, `--json` for the report; bad input
prints one message and exits 2 with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from analysis.errors import AnalysisInputError
from analysis.family_horizons import family_horizons
from analysis.published import read_published_horizons
from analysis.runs_io import read_runs
from analysis.trend import parse_window
from analysis.trend_shape import trend_shape_json
from cli.analysis import WINDOW_HELP, _choice, _input_errors, _write_json
from cli.forecasting import HORIZONS_HELP, METRICS
from cli.sections import print_trend_shape
from cli.tables import _fmt, console

app = typer.Typer()


@app.command("trend-shape")
def trend_shape_command(
    horizons: Path = typer.Argument(..., help=HORIZONS_HELP),
    window: str = typer.Option(None, "--window", help=WINDOW_HELP),
    metric: str = typer.Option("p50", help="p50 or p80."),
    null_replicates: int = typer.Option(
        2000, "--null-replicates", help="Parametric bootstrap draws (1-20000)."
    ),
    power_replicates: int = typer.Option(
        500, "--power-replicates", help="Data sets per power point (1-20000)."
    ),
    confidence: float = typer.Option(0.95, help="1 - the test's level; also the forecasts' level."),
    seed: int = typer.Option(0, help="Seed of the simulations."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON here."),
) -> None:
    """Exponential or curved? A test calibrated by parametric bootstrap, its power, both forecasts."""
    with _input_errors():
        data = read_published_horizons(horizons)
        values = data.metric(_choice(metric, METRICS, "--metric"))
        report = trend_shape_json(
            values,
            data.release_dates,
            parse_window(window),
            confidence=confidence,
            n_null=null_replicates,
            n_power=power_replicates,
            seed=seed,
        )
        print_trend_shape(report)
        _write_json(report, json_out)


@app.command("families")
def families_command(
    runs: Path = typer.Argument(..., help="Runs file: JSON Lines (METR's format) or CSV."),
    agent: list[str] = typer.Option(None, "--agent", help="Only this agent (repeatable)."),
    success_rate: float = typer.Option(0.5, "--success-rate", help="Horizon at this success rate."),
    confidence: float = typer.Option(0.95, help="Level of the intervals."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON here."),
) -> None:
    """Per-family horizons, partially pooled toward each agent's own (empirical Bayes)."""
    with _input_errors():
        table = read_runs(runs)
        if agent:
            unknown = sorted(set(agent) - set(table.agents))
            if unknown:
                raise AnalysisInputError(f"unknown agent(s) for --agent: {', '.join(unknown)}")
            table = table.select(np.isin(table.agent, agent))
        report = family_horizons(table, success_rate, confidence)
        print_families(report)
        _write_json(report, json_out)


def print_families(report: dict[str, Any]) -> None:
    """One table per agent: pooled horizon and interval per family, beside the unpooled one."""
    for result in report["agents"]:
        if not result["families"]:
            console.print(f"{result['agent']}: {result['note']}")
            continue
        table = Table(
            title=f"{result['agent']}: horizon {_fmt(result['horizon'])} min; families spread "
            f"{_fmt(result['tau_doublings'])} doublings"
        )
        for column in ("family", "tasks", "runs", "success", "pooled (min)", "CI", "unpooled (min)"):
            table.add_column(column)
        for f in result["families"]:
            table.add_row(
                f["family"],
                str(f["n_tasks"]),
                str(f["n_runs"]),
                _fmt(f["success_rate"]),
                _fmt(f["pooled"]),
                f"[{_fmt(f['ci'][0])}, {_fmt(f['ci'][1])}]",
                _fmt(f["raw"]),
            )
        console.print(table)
