"""`horizon analyze` and `horizon fit` tables of the report's sections beyond METR's method.

Trend shape, per-family pooled horizons and human-time sources (`analysis/report_sections.py`).
The families table here is one line per agent (its spread and extreme families); `horizon
families` prints every family.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from cli.tables import _ci, _fmt, console


def print_sections(report: dict[str, Any]) -> None:
    """Whichever of `trend_shape`, `families` and `human_time` the report holds."""
    shape = report.get("trend_shape")
    if shape:
        if shape.get("note"):
            console.print(f"Trend shape: {shape['note']}.", soft_wrap=True)
        else:
            print_trend_shape(shape)
    if report.get("families"):
        print_family_summary(report["families"])
    if report.get("human_time"):
        print_human_time(report["human_time"])


def print_family_summary(report: dict[str, Any]) -> None:
    """Per agent: its pooled horizon, how far families spread around it, the lowest and highest."""
    if report.get("note"):
        console.print(f"Families: {report['note']}.", soft_wrap=True)
        return
    table = Table(
        title=f"Per-family p50 (pooled, {report['agents_chosen']} agents; every family: horizon families)"
    )
    # The pooled model counts runs one each, so its agent-level p50 differs from the weighted fit's.
    for column in ("agent", "model p50 (min)", "spread (doublings)", "lowest family", "highest family"):
        table.add_column(column)
    for result in report["agents"]:
        fams = [f for f in result["families"] if f["pooled"] is not None]
        if not fams:
            table.add_row(result["agent"], "-", "-", result.get("note", "-"), "")
            continue
        low = min(fams, key=lambda f: f["pooled"])
        high = max(fams, key=lambda f: f["pooled"])
        table.add_row(
            result["agent"],
            _fmt(result["horizon"]),
            _fmt(result["tau_doublings"]),
            f"{low['family']} {_fmt(low['pooled'])}",
            f"{high['family']} {_fmt(high['pooled'])}",
        )
    console.print(table)


def print_human_time(report: dict[str, Any]) -> None:
    """How many tasks carry estimated times, and the refit without them when there is one."""
    unknown = report["n_unknown_source_tasks"]
    console.print(
        f"Human times: {report['n_baseline_tasks']} of {report['n_tasks']} tasks from people, "
        f"{report['n_estimate_tasks']} estimates"
        + (f" ({unknown} without a stated source, counted as estimates)" if unknown else "")
        + (f"; {report['note']}" if report.get("note") else "")
        + ".",
        soft_wrap=True,
    )
    if report.get("sensitivity"):
        print_sensitivity(report["sensitivity"])


def print_sensitivity(report: dict[str, Any]) -> None:
    """Each agent's p50 on all tasks beside its p50 on the baselined tasks only."""
    replicates = f", {report['bootstrap']} replicates" if report.get("bootstrap") else ", no bootstrap"
    table = Table(
        title=f"Without the {report['n_estimate_tasks']} estimate-only tasks (of {report['n_tasks']}"
        f"{replicates})"
    )
    for column in ("agent", "p50 all", "p50 baselined", "CI", "ratio"):
        table.add_column(column)
    for a in report["agents"]:
        table.add_row(
            a["agent"],
            _fmt(a["p50"]),
            _fmt(a["p50_baselined_only"]),
            _ci(a["p50_baselined_only_ci"]),
            _fmt(a["ratio"]),
        )
    console.print(table)
    console.print(
        f"Doubling time: {_fmt(report['doubling_days'])} days on all tasks, "
        f"{_fmt(report['doubling_days_baselined_only'])} {_ci(report['doubling_days_baselined_only_ci'])} "
        "on the baselined ones.",
        soft_wrap=True,
    )


def print_trend_shape(report: dict[str, Any]) -> None:
    """The test's verdict, the power curve, and the two shapes' forecasts."""
    verdict = "rejects" if report["rejects_exponential"] else "does not reject"
    console.print(
        f"{report['n']} frontier agents; curvature {_fmt(report['curvature_doublings'])} doublings at the "
        f"window's ends; LR {_fmt(report['statistic'])}, p = {_fmt(report['p_value'])}: the test {verdict} "
        "exponential growth.",
        soft_wrap=True,
    )
    power = Table(title="Power at these dates and this scatter")
    power.add_column("bend (doublings)", justify="right")
    power.add_column("rejection rate", justify="right")
    for point in report["power"]:
        power.add_row(_fmt(point["bend_doublings"]), _fmt(point["rejection_rate"]))
    console.print(power)
    table = Table(title="Forecasts by shape")
    for column in ("target", "exponential", "interval", "quadratic", "interval "):
        table.add_column(column)
    for line, curve in zip(report["forecasts"]["exponential"], report["forecasts"]["quadratic"], strict=True):
        table.add_row(
            line["label"],
            str(line["date"]),
            _dates(line["interval"]),
            str(curve["date"] or "never"),
            _dates(curve["interval"]),
        )
    console.print(table)


def _dates(pair: list[str | None]) -> str:
    return f"[{pair[0] or '-inf'}, {pair[1] or 'unbounded'}]"
