"""`horizon compare`, `horizon forecast` and `horizon backtest` (docs/method.md sections 6 and 7).

Same conventions as `cli.analysis`: files in, a rich table out, `--json` for the report; bad input
prints one message and exits 2 with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from analysis.bootstrap import BOOTSTRAP_LEVELS
from analysis.compare import compare_agents
from analysis.errors import AnalysisInputError
from analysis.forecast import WORK_TARGETS, backtest_json, check_targets, forecast_json
from analysis.published import read_published_horizons
from analysis.report import PRESETS, AnalysisParams
from analysis.runs_io import read_runs
from analysis.trend import parse_window
from analysis.weights import WEIGHTINGS
from cli.analysis import (
    WINDOW_HELP,
    _choice,
    _input_errors,
    _progress_bar,
    _write_json,
    print_forecast,
)
from cli.tables import _ci, _fmt, console

app = typer.Typer()
HORIZONS_HELP = "Horizons: a CSV (agent, p50, optional p80, release_date) or METR's headline results YAML."
METRICS = ("p50", "p80")


@app.command("compare")
def compare_command(
    runs: Path = typer.Argument(..., help="Runs file: JSON Lines (METR's format) or CSV."),
    agent_a: str = typer.Argument(..., help="Agent A (the ratio is A / B)."),
    agent_b: str = typer.Argument(..., help="Agent B."),
    regularization: float = typer.Option(
        PRESETS["calibrated"]["regularization"], help="L2 penalty on the slope (METR's paper: 0.1)."
    ),
    weighting: str = typer.Option("invsqrt", help="Run weights on the shared tasks: invsqrt or equal."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Joint bootstrap replicates (>= 1)."),
    levels: str = typer.Option(
        "families",
        help=f"Resampling levels: {', '.join(BOOTSTRAP_LEVELS)} (families: calibrated for ratios).",
    ),
    seed: int = typer.Option(42, help="Base seed: replicate i uses numpy default_rng(seed + i)."),
    confidence: float = typer.Option(0.95, help="Confidence level of the ratio's interval."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON report here."),
) -> None:
    """Paired comparison on shared tasks: ratio of p50s and p80s (A / B), its CI, and P(A > B)."""
    with _input_errors():
        params = AnalysisParams(
            regularization=regularization,
            weighting=_choice(weighting, WEIGHTINGS, "--weighting"),  # type: ignore[arg-type]
            n_bootstrap=bootstrap,
            seed=seed,
            confidence=confidence,
        )
        chosen = _choice(levels, BOOTSTRAP_LEVELS, "--levels")
        table = read_runs(runs)
        with _progress_bar("Bootstrap", bootstrap) as progress:
            result = compare_agents(table, agent_a, agent_b, params, progress, chosen)  # type: ignore[arg-type]
        report = result.to_json()
        report["levels"] = chosen
        print_comparison(report)
        _write_json(report, json_out)


def print_comparison(report: dict[str, Any]) -> None:
    """The comparison's table: one row per success rate."""
    a, b = report["agent_a"], report["agent_b"]
    table = Table(
        title=(
            f"{a} vs {b}: {report['shared_tasks']} shared tasks in {report['shared_families']} families, "
            f"{report['bootstrap']} joint replicates"
        )
    )
    for header in (
        "horizon",
        "A min",
        "B min",
        "A / B",
        f"{report['confidence']:.0%} CI",
        "P(A > B)",
        "undefined",
    ):
        table.add_column(header, justify="left" if header == "horizon" else "right")
    for key, e in report["estimates"].items():
        table.add_row(
            key,
            _fmt(e["horizon_a"]),
            _fmt(e["horizon_b"]),
            _fmt(e["ratio"]),
            _ci(e["ratio_ci"]) + (" *" if e["excludes_one"] else ""),
            _fmt(e["prob_a_longer"]),
            str(e["n_undefined_replicates"]),
        )
    console.print(table)
    console.print("* the interval excludes 1: the horizons differ at this level.", soft_wrap=True)
    left = {k: v for k, v in report["tasks_left_out"].items() if v}
    if left:
        console.print(f"Tasks left out (not run by both): {left}", soft_wrap=True)


@app.command("forecast")
def forecast_command(
    horizons: Path = typer.Argument(..., help=HORIZONS_HELP),
    window: str = typer.Option(None, "--window", help=WINDOW_HELP),
    metric: str = typer.Option("p50", help="p50 or p80."),
    target_hours: list[float] = typer.Option(
        None, "--target-hours", help="Target horizon in hours (repeatable; default 8, 40 and 167)."
    ),
    confidence: float = typer.Option(0.95, help="Level of the predictive intervals."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON here."),
) -> None:
    """When the frontier's horizon reaches a work-day, week and month, with predictive intervals."""
    with _input_errors():
        _check_confidence(confidence)
        targets = check_targets(target_hours) if target_hours else list(WORK_TARGETS)
        data = read_published_horizons(horizons)
        values = data.metric(_choice(metric, METRICS, "--metric"))
        report = forecast_json(values, data.release_dates, parse_window(window), confidence, targets, metric)
        print_forecast(report)
        _write_json(report, json_out)


@app.command("backtest")
def backtest_command(
    horizons: Path = typer.Argument(..., help=HORIZONS_HELP),
    fit_window: str = typer.Option(
        "paper", "--fit-window", help="Fit on this window (needs an end). " + WINDOW_HELP
    ),
    metric: str = typer.Option("p50", help="p50 or p80."),
    confidence: float = typer.Option(0.95, help="Level of the predictive intervals."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON here."),
) -> None:
    """Fit the trend on a window and score its predictions for the later frontier agents."""
    with _input_errors():
        _check_confidence(confidence)
        data = read_published_horizons(horizons)
        values = data.metric(_choice(metric, METRICS, "--metric"))
        report = backtest_json(values, data.release_dates, parse_window(fit_window), confidence, metric)
        print_backtest(report)
        _write_json(report, json_out)


def print_backtest(report: dict[str, Any]) -> None:
    """The backtest's table: one row per scored agent, then the coverage."""
    after, before = report["fit_window"]
    table = Table(
        title=f"Backtest of the {report['metric']} trend fitted on {after or '...'} to {before} "
        f"({len(report['fit_agents'])} frontier agents)"
    )
    for header in (
        "agent",
        "released",
        "observed",
        "predicted",
        "predictive interval",
        "in",
        "doublings off",
    ):
        table.add_column(header, justify="left" if header in ("agent", "released") else "right")
    for s in report["scored"]:
        table.add_row(
            s["agent"],
            s["release_date"],
            _fmt(s["observed"]),
            _fmt(s["predicted"]),
            _ci(s["interval"]),
            "yes" if s["covered"] else "no",
            f"{s['error_doublings']:+.2f}",
        )
    console.print(table)
    if report["n_scored"]:
        console.print(
            f"Coverage of the {report['confidence']:.0%} predictive intervals: {report['coverage']:.0%} of "
            f"{report['n_scored']} (line-only intervals: {report['line_only_coverage']:.0%}); mean error "
            f"{report['mean_error_doublings']:+.2f} doublings.",
            soft_wrap=True,
        )
    else:
        console.print("No later frontier agent to score.", soft_wrap=True)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise AnalysisInputError(f"confidence must lie strictly between 0 and 1, got {confidence}")
