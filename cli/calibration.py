"""`horizon calibrate`: how often the intervals cover the truth on the user's own suite.

Reads a runs file and release dates like `horizon analyze`, then lets `analysis.calibration`
simulate studies with the user's tasks and agents like theirs, and prints the empirical coverage of
the p50, p80 and doubling-time intervals (docs/method.md section 9).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from analysis.calibration import MAX_SIMULATIONS, calibrate
from analysis.report import PRESETS, preset_params
from analysis.runs_io import read_release_dates, read_runs
from analysis.weights import WEIGHTINGS
from cli.analysis import LEVELS_HELP, PRESET_HELP, _choice, _input_errors, _overrides, _write_json
from cli.tables import console

app = typer.Typer()


@app.command("calibrate")
def calibrate_command(
    runs: Path = typer.Argument(..., help="Your runs file (JSON Lines or CSV): its tasks and agents."),
    release_dates: Path = typer.Option(..., "--release-dates", help="YAML mapping agent -> release date."),
    preset: str = typer.Option("calibrated", "--preset", help=PRESET_HELP),
    regularization: float = typer.Option(None, help="L2 penalty on the slope. Default: the preset's."),
    weighting: str = typer.Option("invsqrt", help="Run weights: invsqrt or equal."),
    bootstrap_levels: str = typer.Option(None, "--bootstrap-levels", help=LEVELS_HELP),
    degenerate_replicates: str = typer.Option(None, "--degenerate-replicates", help="count or drop."),
    doubling_ci: str = typer.Option(None, "--doubling-ci", help="slope or positive_doublings."),
    solver: str = typer.Option(None, help="fast or sklearn. Default: the preset's."),
    bootstrap: int = typer.Option(200, "--bootstrap", help="Bootstrap replicates per simulated study."),
    simulations: int = typer.Option(200, help=f"Simulated studies (1 to {MAX_SIMULATIONS})."),
    repeats: int = typer.Option(None, help="Runs per agent and task (default: your median)."),
    family_sd: float = typer.Option(0.5, help="SD of per-family difficulty offsets (logit scale)."),
    task_sd: float = typer.Option(0.5, help="SD of per-task difficulty offsets (logit scale)."),
    window: str = typer.Option(None, "--window", help="Trend window, as for `horizon analyze`."),
    confidence: float = typer.Option(0.95, help="Confidence level of the intervals."),
    seed: int = typer.Option(0, help="Seed of the simulation."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON report here."),
) -> None:
    """Simulate studies like yours and print how often the p50, p80 and doubling-time CIs cover the truth."""
    from analysis.trend import parse_window

    with _input_errors():
        params = preset_params(
            _choice(preset, tuple(PRESETS), "--preset"),
            **_overrides(regularization, solver, bootstrap_levels, degenerate_replicates, doubling_ci),
            weighting=_choice(weighting, WEIGHTINGS, "--weighting"),
            n_bootstrap=bootstrap,
            window=parse_window(window),
            confidence=confidence,
            missing_release_dates="exclude",
        )
        params.validate()
        table = read_runs(runs)
        dates = read_release_dates(release_dates)
        with console.status(f"Simulating {simulations} studies"):
            report = calibrate(
                table, dates, params, simulations, np.random.default_rng(seed), repeats, family_sd, task_sd
            )
        print_calibration(report)
        _write_json(report, json_out)


def _coverage(entry: dict[str, Any]) -> str:
    if entry["coverage"] is None:
        return "-"
    return f"{entry['coverage']:.1%} ± {entry['standard_error']:.1%} (n={entry['n']})"


def print_calibration(report: dict[str, Any]) -> None:
    """The coverage table (one row per simulated agent) and the pooled coverage lines."""
    suite = report["suite"]
    table = Table(
        title=(
            f"Coverage of {report['confidence']:.0%} intervals: {report['n_simulations']} simulated "
            f"studies on {suite['n_tasks']} tasks in {suite['n_families']} families, "
            f"{report['repeats']} runs each"
        )
    )
    for header in ("agent", "true p50", "p50 coverage", "true p80", "p80 coverage"):
        table.add_column(header, justify="left" if header == "agent" else "right")
    for name, row in report["agents"].items():
        table.add_row(
            name,
            f"{row['true_p50']:.3g}",
            _coverage(row["p50"]),
            f"{row['true_p80']:.3g}",
            _coverage(row["p80"]),
        )
    console.print(table)
    coverage = report["coverage"]
    console.print(f"p50 (all agents): {_coverage(coverage['p50'])}", soft_wrap=True)
    console.print(f"p80 (all agents): {_coverage(coverage['p80'])}", soft_wrap=True)
    doubling = coverage["doubling_days"]
    if doubling["true_doubling_days"] is None:
        console.print("Doubling time: fewer than two dated frontier agents, not checked.", soft_wrap=True)
    else:
        console.print(
            f"Doubling time (true {doubling['true_doubling_days']:.1f} days): {_coverage(doubling)}",
            soft_wrap=True,
        )
    for agent, reason in report["skipped_agents"].items():
        console.print(f"Not simulated: {agent} ({reason})", soft_wrap=True)
