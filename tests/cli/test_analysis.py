"""`horizon analyze / trend / simulate` through typer's CliRunner on small files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cli.analysis import app as analysis_app
from tests.analysis.conftest import small_runs_frame

runner = CliRunner()
DATES_YAML = "date:\n  alpha: 2023-01-01\n  beta: 2023-06-01\n  gamma: 2024-01-01\n"


def _app() -> typer.Typer:
    return analysis_app


def _write_runs(folder: Path, frame: pd.DataFrame | None = None, name: str = "runs.jsonl") -> Path:
    frame = small_runs_frame() if frame is None else frame
    path = folder / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        path.write_text("\n".join(json.dumps(r) for r in frame.to_dict("records")) + "\n")
    return path


def _dates(folder: Path, text: str = DATES_YAML) -> Path:
    path = folder / "dates.yaml"
    path.write_text(text)
    return path


def test_analyze_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(
        _app(),
        [
            "analyze",
            str(_write_runs(tmp_path)),
            "--release-dates",
            str(_dates(tmp_path)),
            "--bootstrap",
            "100",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Time horizons" in result.stdout and "alpha" in result.stdout and "Doubling time" in result.stdout
    report = json.loads(out.read_text())
    assert report["params"]["bootstrap"] == 100 and report["params"]["seed"] == 42
    assert [a["agent"] for a in report["agents"]] == ["alpha", "beta", "gamma"]
    assert set(report["agents"][0]) >= {"p50", "p50_ci", "p80", "p80_ci", "frontier", "average", "n_tasks"}
    assert set(report["trend"]) >= {
        "window",
        "agents",
        "doubling_days",
        "doubling_days_ci",
        "doubling_days_median",
    }


def test_analyze_options(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    runs = _write_runs(tmp_path, name="runs.csv")
    result = runner.invoke(
        _app(),
        [
            "analyze",
            str(runs),
            "--release-dates",
            str(_dates(tmp_path)),
            "--bootstrap",
            "10",
            "--solver",
            "sklearn",
            "--regularization",
            "1e-5",
            "--weighting",
            "equal",
            "--seed",
            "7",
            "--window",
            "2023-03-01:2025-01-01",
            "--success-rate",
            "0.9",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["params"]["extra_success_rates"] == [0.9]
    assert set(report["agents"][0]["horizons"]) == {"p90", "p90_ci"}
    params = report["params"]
    assert (params["solver"], params["regularization"], params["weighting"], params["seed"]) == (
        "sklearn",
        1e-5,
        "equal",
        7,
    )
    assert params["weights_source"] == "computed"
    assert report["trend"]["window"] == ["2023-03-01", "2025-01-01"]
    assert "alpha" not in report["trend"]["agents"]


def test_unfittable_agent_is_named_and_the_others_fitted(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    dates = _dates(tmp_path, DATES_YAML + "  solo: 2024-02-01\n")
    frame = small_runs_frame()
    runs = _write_runs(tmp_path, pd.concat([frame, frame.iloc[:1].assign(alias="solo")]))
    args = ["analyze", str(runs), "--release-dates", str(dates), "--bootstrap", "50", "--json", str(out)]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "Not fitted: solo (a single run cannot be fitted)" in result.stdout
    report = json.loads(out.read_text())
    assert report["excluded_agents"] == {"solo": "a single run cannot be fitted"}
    assert "solo" not in {a["agent"] for a in report["agents"]}


def test_analyze_rejects_unknown_interval_settings(tmp_path: Path) -> None:
    dates = _dates(tmp_path, DATES_YAML)
    runs = _write_runs(tmp_path, small_runs_frame())
    for option, value in (("--preset", "bayes"), ("--bootstrap-levels", "runs"), ("--doubling-ci", "x")):
        result = runner.invoke(_app(), ["analyze", str(runs), "--release-dates", str(dates), option, value])
        assert result.exit_code == 2 and "must be one of" in result.stderr, option


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda f: f.drop(columns=["human_minutes"]), "missing required column(s): human_minutes"),
        (
            lambda f: f.assign(human_minutes=[0.0] + [5.0] * (len(f) - 1)),
            "human_minutes must be a positive number; 1 run(s) are not: row 1 (agent 'alpha'",
        ),
        (
            lambda f: f.assign(score=[1.2] + [0.5] * (len(f) - 1)),
            "score must lie in [0, 1]; 1 run(s) do not: row 1",
        ),
        (lambda f: f.iloc[:1].assign(alias="solo"), "single run cannot be fitted: solo"),
    ],
)
def test_analyze_rejects_bad_runs_and_writes_nothing(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.json"
    dates = _dates(tmp_path, DATES_YAML + "  solo: 2024-02-01\n")
    runs = _write_runs(tmp_path, edit(small_runs_frame()))
    result = runner.invoke(_app(), ["analyze", str(runs), "--release-dates", str(dates), "--json", str(out)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


def test_analyze_unknown_release_dates(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    runs = _write_runs(tmp_path)
    dates = _dates(tmp_path, "date:\n  alpha: 2023-01-01\n")
    result = runner.invoke(_app(), ["analyze", str(runs), "--release-dates", str(dates), "--json", str(out)])
    assert result.exit_code == 2 and "unknown release date for agent(s): beta, gamma" in result.stderr
    assert not out.exists()
    allowed = runner.invoke(
        _app(),
        [
            "analyze",
            str(runs),
            "--release-dates",
            str(dates),
            "--allow-missing-dates",
            "--bootstrap",
            "20",
            "--json",
            str(out),
        ],
    )
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(out.read_text())["trend"]["excluded_agents"] == {
        "beta": "no release date",
        "gamma": "no release date",
    }


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--solver", "magic"], "--solver must be one of fast, sklearn"),
        (["--weighting", "cubic"], "--weighting must be one of invsqrt, equal"),
        (["--window", "2024-13-01:"], "window '2024-13-01:'"),
        (["--regularization", "0"], "regularization must be a positive number"),
    ],
)
def test_analyze_rejects_bad_options(tmp_path: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(
        _app(), ["analyze", str(_write_runs(tmp_path)), "--release-dates", str(_dates(tmp_path)), *extra]
    )
    assert result.exit_code == 2 and message in result.stderr


def test_trend_on_small_files(tmp_path: Path) -> None:
    horizons = tmp_path / "h.csv"
    horizons.write_text(
        "agent,p50,release_date\na,1.0,2020-01-01\nb,2.0,2021-01-01\nc,8.0,2022-01-01\nhuman,100,\n"
    )
    samples = tmp_path / "s.csv"
    samples.write_text("a_p50,b_p50,c_p50\n1.1,2.0,7.0\n0.9,2.2,9.0\n1.0,1.8,8.5\n")
    out = tmp_path / "trend.json"
    result = runner.invoke(
        _app(), ["trend", str(horizons), "--bootstrap-samples", str(samples), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    trend = json.loads(out.read_text())
    assert trend["agents"] == ["a", "b", "c"] and trend["n_samples"] == 3
    assert trend["doubling_days_ci"][0] <= trend["doubling_days_median"] <= trend["doubling_days_ci"][1]
    missing = tmp_path / "m.csv"
    missing.write_text("model,p50\na,1.0\nb,2.0\n")
    failed = runner.invoke(_app(), ["trend", str(missing), "--json", str(tmp_path / "no.json")])
    assert failed.exit_code == 2 and "unknown release date for agent(s): a, b" in failed.stderr
    assert not (tmp_path / "no.json").exists()


def test_trend_reproduces_metr_headline(metr_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "trend.json"
    result = runner.invoke(
        _app(),
        [
            "trend",
            str(metr_dir / "th1_0_logistic_fits_headline_2025-06_metr.csv"),
            "--release-dates",
            str(metr_dir / "release_dates_2025-06_crossdomain.yaml"),
            "--bootstrap-samples",
            str(metr_dir / "th1_0_bootstrap_headline_2025-06_metr.csv"),
            "--window",
            "2019-01-01:2025-02-25",
            "--doubling-ci",
            "positive_doublings",  # METR's rule reproduces METR's interval
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "212.96 days" in result.stdout and "[172.37, 247.37]" in result.stdout
    trend = json.loads(out.read_text())
    assert round(trend["doubling_days"], 2) == 212.96


def test_analyze_metr_runs_file(metr_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "metr.json"
    result = runner.invoke(
        _app(),
        [
            "analyze",
            str(metr_dir / "runs_2025-01-28_metr_eval-analysis-public_b9a402ff.jsonl"),
            "--release-dates",
            str(metr_dir / "release_dates_2025-03_paper.yaml"),
            "--allow-missing-dates",
            "--bootstrap",
            "200",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["params"]["weights_source"] == "stored (invsqrt_task_weight)"
    assert len(report["agents"]) == 11


def test_simulate_with_given_horizons(tmp_path: Path) -> None:
    out = tmp_path / "sim.json"
    result = runner.invoke(
        _app(),
        [
            "simulate",
            "--p50",
            "short=5",
            "--p50",
            "long=60",
            "--families",
            "12",
            "--repeats",
            "3",
            "--bootstrap",
            "30",
            "--simulations",
            "2",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["simulated"] is True and report["summary"]["n_simulations"] == 2
    assert {a["agent"] for a in report["agents"]} == {"short", "long"}
    assert "Simulated evaluation" in result.stdout


def test_simulate_on_a_trend_with_a_task_file(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.csv"
    pd.DataFrame(
        {
            "task_id": [f"t{i}" for i in range(30)],
            "task_family": [f"f{i // 3}" for i in range(30)],
            "human_minutes": [2 ** (i / 3) for i in range(30)],
        }
    ).to_csv(tasks, index=False)
    dates = _dates(tmp_path, "a: 2023-01-01\nb: 2023-07-01\nc: 2024-01-01\n")
    out = tmp_path / "sim.json"
    result = runner.invoke(
        _app(),
        [
            "simulate",
            "--doubling-days",
            "200",
            "--release-dates",
            str(dates),
            "--anchor-p50",
            "30",
            "--suite",
            str(tasks),
            "--repeats",
            "4",
            "--bootstrap",
            "30",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["suite"] == {"source": "tasks.csv", "n_tasks": 30, "n_families": 10}
    assert report["trend"]["true_doubling_days"] == pytest.approx(200.0)
    assert {a["agent"]: a["true_p50"] for a in report["agents"]}["c"] == pytest.approx(30.0)


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give --p50 values"),
        (["--p50", "5", "--doubling-days", "100"], "not both"),
        (["--doubling-days", "100"], "needs --release-dates"),
        (["--p50", "a=x"], "expected NAME=MINUTES"),
        (["--p50", "5", "--slope", "0.5"], "--slope must be negative"),
    ],
)
def test_simulate_rejects_bad_options(args: list[str], message: str) -> None:
    result = runner.invoke(_app(), ["simulate", *args])
    assert result.exit_code == 2 and message in result.stderr
