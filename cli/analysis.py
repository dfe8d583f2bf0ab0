"""`horizon analyze`, `horizon trend` and `horizon simulate`: the analysis on the command line.

`app` holds the three commands (`cli.main` adds them). They read files, call the pure
`analysis` package, print a table (rich) and optionally write the JSON report. Bad input
(`AnalysisInputError`) prints one clear message on stderr and exits with code 2 without writing
anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from analysis.bootstrap import BOOTSTRAP_LEVELS, DEGENERATE_REPLICATES
from analysis.errors import AnalysisInputError
from analysis.flags import FLAG_TEXT
from analysis.human_time_uncertainty import parse_noise
from analysis.logistic import SOLVERS
from analysis.report import (
    PRESETS,
    AnalysisParams,
    ProgressCallback,
    add_sections,
    analyze,
    preset_params,
    run_trend,
)
from analysis.report_sections import ESTIMATE_REFITS, FAMILY_AGENTS
from analysis.runs_io import (
    parse_date,
    read_bootstrap_samples,
    read_horizons,
    read_release_dates,
    read_runs,
    read_runs_frame,
)
from analysis.simulate import (
    DEFAULT_SLOPE,
    SimulatedAgent,
    TaskSuite,
    agents_on_trend,
    simulate_studies,
    synthetic_suite,
)
from analysis.trend import DOUBLING_CIS, NAMED_WINDOWS, parse_window
from analysis.weights import WEIGHTINGS
from cli.sections import print_sections
from cli.tables import _ci, _fmt, console

INPUT_ERROR_EXIT = 2
WINDOW_HELP = (
    "Release-date window AFTER:BEFORE (ISO dates, after <= d < before; a side may be empty) "
    f"or one of {', '.join(NAMED_WINDOWS)}. Default 2019-01-01: (METR's)."
)
PRESET_HELP = (
    "calibrated (default: families+tasks bootstrap, degenerate replicates counted, doubling-time CI "
    "from the slope, regularization 1e-5; about 95% coverage) or metr (METR's published method, "
    "digit for digit). The options below override single settings."
)
LEVELS_HELP = (
    "Bootstrap resampling: families_tasks (calibrated) or families_tasks_runs (METR's; over-covers). "
    "Default: the preset's."
)

error_console = Console(stderr=True)
app = typer.Typer()


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn `AnalysisInputError` into a message on stderr and exit code 2."""
    try:
        yield
    except AnalysisInputError as exc:
        error_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=INPUT_ERROR_EXIT) from exc


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise AnalysisInputError(f"{option} must be one of {', '.join(allowed)}, got {value!r}")
    return value


@app.command("analyze")
def analyze_command(
    runs: Path = typer.Argument(..., help="Runs file: JSON Lines (METR's format) or CSV."),
    release_dates: Path = typer.Option(..., "--release-dates", help="YAML mapping agent -> release date."),
    preset: str = typer.Option("calibrated", "--preset", help=PRESET_HELP),
    regularization: float = typer.Option(
        None, help="L2 penalty on the slope (METR's paper: 0.1; 1e-5 since 2026-03). Default: the preset's."
    ),
    weighting: str = typer.Option("invsqrt", help="Run weights: invsqrt (default) or equal."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap replicates (0 for none)."),
    bootstrap_levels: str = typer.Option(None, "--bootstrap-levels", help=LEVELS_HELP),
    degenerate_replicates: str = typer.Option(
        None,
        "--degenerate-replicates",
        help="Replicates with one class only: count (at their limit, 0 or beyond every task) or drop "
        "(METR's). Default: the preset's.",
    ),
    doubling_ci: str = typer.Option(
        None,
        "--doubling-ci",
        help="Doubling-time CI: slope (inverted slope interval) or positive_doublings (METR's). "
        "Default: the preset's.",
    ),
    seed: int = typer.Option(
        42, help="Base seed: replicate i uses numpy default_rng(seed + i); 42 reproduces METR's replicates."
    ),
    solver: str = typer.Option(
        None, help="fast (exact optimum, batched) or sklearn (METR's numbers). Default: the preset's."
    ),
    window: str = typer.Option(None, "--window", help=WINDOW_HELP),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON report here."),
    partial_scoring: bool = typer.Option(False, "--partial-scoring", help="Fit the continuous score."),
    allow_missing_dates: bool = typer.Option(
        False, "--allow-missing-dates", help="Leave agents without a release date out of the trend."
    ),
    confidence: float = typer.Option(0.95, help="Confidence level of the intervals."),
    success_rate: list[float] = typer.Option(
        None, "--success-rate", help="Also report the horizon at this success rate, e.g. 0.9 (repeatable)."
    ),
    human_time_sd: str = typer.Option(
        None,
        "--human-time-sd",
        help="Resample human times in the bootstrap: BASELINE,ESTIMATE spread in doublings, e.g. 0.5,1 "
        "(docs/method.md section 10).",
    ),
    sensitivity: bool = typer.Option(
        False,
        "--without-estimates",
        help="Bootstrap the refit without estimate-only tasks too (CIs; doubles the time). Same as "
        "--estimate-refit bootstrap.",
    ),
    estimate_refit: str = typer.Option(
        "point",
        "--estimate-refit",
        help="Refit without estimate-only tasks: off, point (no bootstrap, the default) or bootstrap.",
    ),
    families: str = typer.Option(
        "frontier", "--families", help="Per-family pooled horizons of: frontier (default), all or off."
    ),
    trend_shape: bool = typer.Option(
        True, "--trend-shape/--no-trend-shape", help="Test exponential against curved growth."
    ),
) -> None:
    """Fit every agent's time horizon (p50, p80 with bootstrap CIs) and the doubling-time trend."""
    with _input_errors():
        params = preset_params(
            _choice(preset, tuple(PRESETS), "--preset"),
            **_overrides(regularization, solver, bootstrap_levels, degenerate_replicates, doubling_ci),
            weighting=_choice(weighting, WEIGHTINGS, "--weighting"),
            n_bootstrap=bootstrap,
            seed=seed,
            window=parse_window(window),
            partial_scoring=partial_scoring,
            confidence=confidence,
            extra_success_rates=tuple(success_rate or ()),
            missing_release_dates="exclude" if allow_missing_dates else "error",
            human_time_noise=None if human_time_sd is None else parse_noise(human_time_sd),
            **_section_settings("bootstrap" if sensitivity else estimate_refit, families, trend_shape),
        )
        params.validate()
        table = read_runs(runs)
        dates = read_release_dates(release_dates)
        with _progress_bar("Bootstrap", bootstrap) as progress:
            result = analyze(table, dates, params, progress)
        with console.status("Trend shape, families, human-time sources"):
            report = add_sections(table, dates, result).to_json()
        _print_agents(report)
        _print_trend(report["trend"])
        print_forecast(report["forecasts"]["p50"])
        print_sections(report)
        _write_json(report, json_out)


def _section_settings(estimate_refit: str, families: str, trend_shape: bool) -> dict[str, Any]:
    """The sections' settings (`report_sections.py`) from the options, checked against their choices."""
    family_choice = _choice(families, (*FAMILY_AGENTS, "off"), "--families")
    return {
        "estimate_refit": _choice(estimate_refit, ESTIMATE_REFITS, "--estimate-refit"),
        "family_horizons": family_choice != "off",
        "family_agents": "all" if family_choice == "all" else "frontier",
        "trend_shape": trend_shape,
    }


def _overrides(
    regularization: float | None,
    solver: str | None,
    bootstrap_levels: str | None,
    degenerate_replicates: str | None,
    doubling_ci: str | None,
) -> dict[str, Any]:
    """The preset settings given on the command line, checked against their choices."""
    chosen: dict[str, Any] = {}
    if regularization is not None:
        chosen["regularization"] = regularization
    for name, value, allowed in (
        ("solver", solver, SOLVERS),
        ("bootstrap_levels", bootstrap_levels, BOOTSTRAP_LEVELS),
        ("degenerate_replicates", degenerate_replicates, DEGENERATE_REPLICATES),
        ("doubling_ci", doubling_ci, DOUBLING_CIS),
    ):
        if value is not None:
            chosen[name] = _choice(value, allowed, "--" + name.replace("_", "-"))
    return chosen


@app.command("trend")
def trend_command(
    horizons: Path = typer.Argument(..., help="CSV with agent (or model), p50 and optionally release_date."),
    release_dates: Path = typer.Option(
        None, "--release-dates", help="YAML release dates (override the CSV's)."
    ),
    bootstrap_samples: Path = typer.Option(
        None, "--bootstrap-samples", help="CSV of replicate p50s, one row per replicate, {agent}_p50 columns."
    ),
    window: str = typer.Option(None, "--window", help=WINDOW_HELP),
    json_out: Path = typer.Option(None, "--json", help="Write the trend JSON here."),
    allow_missing_dates: bool = typer.Option(
        False, "--allow-missing-dates", help="Leave agents without a release date out instead of failing."
    ),
    confidence: float = typer.Option(0.95, help="Confidence level of the doubling-time interval."),
    doubling_ci: str = typer.Option(
        "slope", "--doubling-ci", help="slope (inverted slope interval) or positive_doublings (METR's)."
    ),
) -> None:
    """Fit the doubling-time trend over given per-agent p50s (with a bootstrap CI when samples are given)."""
    with _input_errors():
        if not 0 < confidence < 1:
            raise AnalysisInputError(f"confidence must lie strictly between 0 and 1, got {confidence}")
        p50, dates = read_horizons(horizons)
        if release_dates is not None:
            dates.update(read_release_dates(release_dates))
        samples = read_bootstrap_samples(bootstrap_samples) if bootstrap_samples is not None else None
        method: Any = _choice(doubling_ci, DOUBLING_CIS, "--doubling-ci")
        window_ = parse_window(window)
        report = run_trend(p50, dates, window_, samples, confidence, allow_missing_dates, doubling_ci=method)
        _print_trend(report)
        _write_json(report, json_out)


@app.command("simulate")
def simulate_command(
    p50: list[str] = typer.Option(
        None, "--p50", help="Agent horizon in minutes, NAME=MINUTES or MINUTES (repeat)."
    ),
    doubling_days: float = typer.Option(
        None, "--doubling-days", help="Agents follow this trend (needs dates)."
    ),
    release_dates: Path = typer.Option(None, "--release-dates", help="YAML release dates of the agents."),
    anchor_p50: float = typer.Option(60.0, help="Trend: p50 (minutes) on the anchor date."),
    anchor_date: str = typer.Option(None, help="Trend: anchor date (default the latest release date)."),
    slope: float = typer.Option(DEFAULT_SLOPE, help="True logistic slope per doubling of human time (< 0)."),
    suite: Path = typer.Option(
        None, "--suite", help="Tasks: a runs file or a CSV with human_minutes, task_family."
    ),
    families: int = typer.Option(40, help="Synthetic suite: number of task families."),
    min_tasks: int = typer.Option(1, help="Synthetic suite: fewest tasks per family."),
    max_tasks: int = typer.Option(6, help="Synthetic suite: most tasks per family."),
    repeats: int = typer.Option(8, help="Runs per agent and task."),
    family_sd: float = typer.Option(0.5, help="SD of per-family difficulty offsets (logit scale)."),
    task_sd: float = typer.Option(0.5, help="SD of per-task difficulty offsets (logit scale)."),
    bootstrap: int = typer.Option(200, "--bootstrap", help="Bootstrap replicates per simulated study."),
    simulations: int = typer.Option(1, help="Simulated studies (medians and coverage are reported)."),
    regularization: float = typer.Option(
        PRESETS["calibrated"]["regularization"], help="Regularization of the fits (METR's paper: 0.1)."
    ),
    weighting: str = typer.Option("invsqrt", help="Run weights: invsqrt or equal."),
    solver: str = typer.Option("fast", help="fast or sklearn."),
    seed: int = typer.Option(0, help="Seed of the simulation (suite, outcomes, bootstrap seeds)."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON report here."),
) -> None:
    """Simulate an evaluation of hypothetical agents and report the CI widths it would give."""
    with _input_errors():
        rng = np.random.default_rng(seed)
        params = AnalysisParams(
            regularization=regularization,
            weighting=_choice(weighting, WEIGHTINGS, "--weighting"),  # type: ignore[arg-type]
            solver=_choice(solver, SOLVERS, "--solver"),  # type: ignore[arg-type]
            n_bootstrap=bootstrap,
        )
        params.validate()
        dates = read_release_dates(release_dates) if release_dates is not None else {}
        agents = _simulated_agents(p50 or [], doubling_days, dates, anchor_p50, anchor_date, slope)
        tasks = _task_suite(suite, rng, families, min_tasks, max_tasks)
        with console.status("Simulating"):
            report = simulate_studies(simulations, tasks, agents, repeats, rng, params, family_sd, task_sd)
        _print_simulation(report)
        _write_json(report, json_out)


def _simulated_agents(
    p50_specs: list[str],
    doubling_days: float | None,
    dates: dict[str, date],
    anchor_p50: float,
    anchor_date: str | None,
    slope: float,
) -> list[SimulatedAgent]:
    if not slope < 0:
        raise AnalysisInputError(f"--slope must be negative (success falls with task length), got {slope}")
    if p50_specs and doubling_days is not None:
        raise AnalysisInputError("give either --p50 values or --doubling-days with --release-dates, not both")
    if doubling_days is not None:
        if not dates:
            raise AnalysisInputError("--doubling-days needs --release-dates for the hypothetical agents")
        anchor = parse_date(anchor_date, "--anchor-date") if anchor_date else max(dates.values())
        return agents_on_trend(dates, doubling_days, anchor_p50, anchor, slope)
    if not p50_specs:
        raise AnalysisInputError("give --p50 values (e.g. --p50 a=10 --p50 b=60) or --doubling-days")
    agents = []
    for i, spec in enumerate(p50_specs):
        name, _, value = spec.rpartition("=")
        name = name.strip() or f"agent-{i + 1}"
        try:
            minutes = float(value)
        except ValueError as exc:
            raise AnalysisInputError(f"--p50 {spec!r}: expected NAME=MINUTES or MINUTES") from exc
        if not minutes > 0:
            raise AnalysisInputError(f"--p50 {spec!r}: the horizon must be positive")
        agents.append(SimulatedAgent(name, minutes, slope, dates.get(name)))
    if len({a.name for a in agents}) != len(agents):
        raise AnalysisInputError("--p50 agent names must be distinct")
    return agents


def _task_suite(
    path: Path | None, rng: np.random.Generator, families: int, min_tasks: int, max_tasks: int
) -> TaskSuite:
    if path is None:
        return synthetic_suite(rng, n_families=families, min_tasks=min_tasks, max_tasks=max_tasks)
    frame = read_runs_frame(path)
    return TaskSuite.from_frame(frame, source=str(path.name))


@contextmanager
def _progress_bar(label: str, total: int) -> Iterator[ProgressCallback | None]:
    if total <= 0:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=error_console, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        yield advance


def _print_agents(report: dict[str, Any]) -> None:
    params = report["params"]
    table = Table(
        title=(
            f"Time horizons (regularization {params['regularization']:g}, {params['weighting']} weights, "
            f"{params['bootstrap']} replicates, {params['solver']} solver)"
        )
    )
    for header in (
        "agent",
        "released",
        "runs",
        "tasks",
        "average",
        "p50 min",
        "p50 CI",
        "p80 min",
        "p80 CI",
        "frontier",
        "flags",
    ):
        left = header in ("agent", "released")
        table.add_column(header, justify="left" if left else "right", no_wrap=left)
    for agent in report["agents"]:
        table.add_row(
            agent["agent"],
            agent["release_date"] or "-",
            str(agent["n_runs"]),
            str(agent["n_tasks"]),
            _fmt(agent["average"]),
            _fmt(agent["p50"]),
            _ci(agent["p50_ci"]),
            _fmt(agent["p80"]),
            _ci(agent["p80_ci"]),
            _fmt(agent["frontier"]),
            ", ".join(agent.get("flags", [])),
        )
    console.print(table)
    print_flag_summary(report.get("flags") or {})
    for agent, reason in (report.get("excluded_agents") or {}).items():
        console.print(f"Not fitted: {agent} ({reason})", soft_wrap=True)
    if report.get("excluded_runs"):
        console.print(f"Runs left out by status: {report['excluded_runs']}", soft_wrap=True)


def print_flag_summary(counts: dict[str, int]) -> None:
    """One line per flag raised: how many agents (or trends) carry it, and what it means."""
    for code, count in counts.items():
        console.print(f"[yellow]flag[/] {code} ({count}): {FLAG_TEXT.get(code, '')}", soft_wrap=True)


def _print_trend(trend: dict[str, Any]) -> None:
    after, before = trend["window"]
    window = f"{after or '...'} <= release < {before or '...'}"
    if trend["doubling_days"] is None:
        console.print(f"Trend ({window}): fewer than two frontier agents, no doubling time.", soft_wrap=True)
    else:
        line = f"Doubling time ({window}): {trend['doubling_days']:.2f} days"
        lo, hi = trend["doubling_days_ci"]
        if lo is not None or trend.get("doubling_days_ci_unbounded"):
            upper = "unbounded" if hi is None else f"{hi:.2f}"
            lower = "unbounded" if lo is None else f"{lo:.2f}"
            line += (
                f", {100 * trend['confidence']:g}% CI [{lower}, {upper}], median "
                f"{_fmt(trend['doubling_days_median'])} ({trend['n_samples']} replicates)"
            )
        console.print(line, soft_wrap=True)
    console.print(f"Frontier: {', '.join(trend['agents']) or '-'}", soft_wrap=True)
    if trend.get("flags"):
        console.print(f"[yellow]Trend flags:[/] {', '.join(trend['flags'])}", soft_wrap=True)
    if trend.get("excluded_agents"):
        reasons = ", ".join(f"{a} ({r})" for a, r in trend["excluded_agents"].items())
        console.print(f"Left out of the trend: {reasons}", soft_wrap=True)


def print_forecast(report: dict[str, Any]) -> None:
    """The forecast's table: one row per target."""
    if not report["targets"]:
        console.print(f"Forecast: {report.get('note', 'none')}", soft_wrap=True)
        return
    table = Table(
        title=(
            f"When the frontier's {report['metric']} reaches ({len(report['agents'])} frontier agents, "
            f"doubling {_fmt(report['doubling_days'])} days, "
            f"scatter {report['residual_sd_doublings']:.2f} doublings)"
        )
    )
    for header in ("target", "date", f"{report['confidence']:.0%} predictive interval", "reached"):
        table.add_column(header, justify="left")
    for t in report["targets"]:
        lo, hi = t["interval"]
        table.add_row(
            t["label"], t["date"] or "-", f"{lo or 'unbounded'} to {hi or 'unbounded'}", _fmt(t["reached"])
        )
    console.print(table)


def _print_simulation(report: dict[str, Any]) -> None:
    summary = report["summary"]
    suite = report["suite"]
    table = Table(
        title=(
            f"Simulated evaluation: {suite['n_tasks']} tasks in {suite['n_families']} families "
            f"({suite['source']}), {report['repeats']} runs each, {summary['n_simulations']} simulation(s)"
        )
    )
    for header in ("agent", "true p50", "median fitted p50", "median CI width (doublings)", "coverage"):
        table.add_column(header, justify="left" if header == "agent" else "right")
    for name, row in summary["agents"].items():
        table.add_row(
            name,
            _fmt(row["true_p50"]),
            _fmt(row["median_p50"]),
            _fmt(row["median_p50_ci_width_doublings"]),
            f"{row['coverage']:.0%}",
        )
    console.print(table)
    trend = summary["trend"]
    if trend["true_doubling_days"] is not None:
        console.print(
            f"Doubling time: true {trend['true_doubling_days']:.1f} days, median fitted "
            f"{_fmt(trend['median_doubling_days'])}, median CI width "
            f"{_fmt(trend['median_doubling_days_ci_width'])} days, coverage {_fmt(trend['coverage'])}",
            soft_wrap=True,
        )


def _write_json(report: dict[str, Any], path: Path | None) -> None:
    if path is None:
        return
    text = json.dumps(report, indent=2, allow_nan=False, default=_json_default)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise AnalysisInputError(f"cannot write {path}: {exc}") from exc
    console.print(f"Wrote {path}", soft_wrap=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date):  # pandas' Timestamp too (a datetime)
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
