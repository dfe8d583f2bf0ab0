"""`horizon families`, `horizon trend-shape` and analyze's human-time options through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.analysis.conftest import small_runs_frame
from tests.cli.test_analysis import _dates, _write_runs

runner = CliRunner()


def test_families_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "families.json"
    result = runner.invoke(
        app, ["families", str(_write_runs(tmp_path)), "--agent", "alpha", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [a["agent"] for a in report["agents"]] == ["alpha"]
    bad = runner.invoke(app, ["families", str(_write_runs(tmp_path)), "--agent", "nobody"])
    assert bad.exit_code == 2 and "unknown agent" in bad.output


def test_trend_shape_from_a_horizons_csv(tmp_path: Path) -> None:
    rows = ["agent,p50,release_date"] + [
        f"m{i},{2 ** (0.5 * i)},{2020 + i // 4}-{1 + 3 * (i % 4):02d}-01" for i in range(9)
    ]
    path = tmp_path / "horizons.csv"
    path.write_text("\n".join(rows) + "\n")
    result = runner.invoke(
        app, ["trend-shape", str(path), "--null-replicates", "199", "--power-replicates", "50"]
    )
    assert result.exit_code == 0, result.output
    assert "Forecasts by shape" in result.output
    bad = runner.invoke(app, ["trend-shape", str(path), "--null-replicates", "0"])
    assert bad.exit_code == 2


def test_analyze_resamples_human_times_and_refits_without_estimates(tmp_path: Path) -> None:
    frame = small_runs_frame()
    frame["human_source"] = ["estimate" if t.startswith("fam_c") else "baseline" for t in frame["task_id"]]
    out = tmp_path / "report.json"
    args = ["analyze", str(_write_runs(tmp_path, frame)), "--release-dates", str(_dates(tmp_path))]
    result = runner.invoke(
        app,
        [*args, "--bootstrap", "20", "--human-time-sd", "0.5,1", "--without-estimates", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["params"]["human_time_sd"] == {"baseline": 0.5, "estimate": 1.0}
    assert report["human_time"]["n_estimate_tasks"] == 1
    assert report["human_time"]["sensitivity"]["bootstrap"] == 20  # --without-estimates bootstraps it
    assert "Human times: 5 of 6 tasks from people, 1 estimates." in result.output
    bad = runner.invoke(app, [*args, "--human-time-sd", "5,1"])
    assert bad.exit_code == 2 and "human-time spread" in bad.output
