"""`horizon import-inspect` and `horizon export-runs`: Inspect logs in, a horizon out, and METR's
public runs file through import, export and `horizon analyze` with the same fits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from cli.main import app
from core.db import session_scope
from core.models import AnalysisResult, Run
from tests.analysis.conftest import METR_RUNS_FILE
from tests.support.inspect_logs import AGENT, PROBE_SAMPLES, write_log

METR_DATES = "release_dates_2025-03_paper.yaml"


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _runs() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(Run)) or 0


def _analyze(runs: Path, dates: Path, out: Path, *extra: str) -> dict[str, Any]:
    done = _invoke(
        ["analyze", str(runs), "--release-dates", str(dates), "--bootstrap", "0", "--allow-missing-dates"]
        + ["--json", str(out), *extra]
    )
    assert done.exit_code == 0, done.output
    return {a["agent"]: a for a in json.loads(out.read_text())["agents"]}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_inspect_logs_in_a_horizon_out(db: str, tmp_path: Path) -> None:
    log = write_log(tmp_path, PROBE_SAMPLES, epochs=2)
    first = _invoke(["import-inspect", str(log), "--release-date", "2025-01-01"])
    assert first.exit_code == 0, first.output
    assert "12 runs added, 0 already present" in first.output
    again = _invoke(["import-inspect", str(log)])
    assert again.exit_code == 0 and "0 runs added, 12 already present" in again.output
    assert _runs() == 12

    fitted = _invoke(["fit", "--bootstrap", "0", "--json", str(tmp_path / "fit.json")])
    assert fitted.exit_code == 0, fitted.output
    (stored,) = json.loads((tmp_path / "fit.json").read_text())["agents"]
    assert stored["agent"] == AGENT and stored["release_date"] == "2025-01-01"

    exported = tmp_path / "runs.jsonl"
    done = _invoke(["export-runs", "--out", str(exported)])
    assert done.exit_code == 0 and "wrote 12 runs" in done.output
    rows = _jsonl(exported)
    assert {r["alias"] for r in rows} == {AGENT} and len(rows) == 12
    assert sum(r["invsqrt_task_weight"] for r in rows) == pytest.approx(1)
    assert sum(r["equal_task_weight"] for r in rows) == pytest.approx(1)
    assert rows[0].keys() >= {
        "task_id",
        "task_family",
        "run_id",
        "human_minutes",
        "score_cont",
        "score_binarized",
    }
    dates = tmp_path / "dates.yaml"
    dates.write_text(f"'{AGENT}': 2025-01-01\n")
    analyzed = _analyze(exported, dates, tmp_path / "analysis.json")
    assert analyzed[AGENT]["p50"] == pytest.approx(stored["p50"], rel=1e-9)

    stdout = _invoke(["export-runs", "--agent", "nobody"])
    assert stdout.exit_code == 0 and stdout.output == ""


def test_a_refused_log_stores_nothing_from_any_log(db: str, tmp_path: Path) -> None:
    good = write_log(tmp_path, PROBE_SAMPLES[:2])
    bad = tmp_path / "broken.eval"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    done = CliRunner().invoke(app, ["import-inspect", str(good), str(bad)])
    assert done.exit_code == 2, done.output
    assert "nothing imported" in done.output and "broken.eval" in done.output
    assert "Traceback" not in done.output
    assert _runs() == 0
    mapping = tmp_path / "map.csv"
    mapping.write_text("sample_id,task_id\nprobe/t1,../up\n")
    done = CliRunner().invoke(app, ["import-inspect", str(good), "--mapping", str(mapping)])
    assert done.exit_code == 2 and "is not a task id" in done.output
    assert _runs() == 0


def test_metr_runs_round_trip_to_the_same_fits(db: str, metr_dir: Path, tmp_path: Path) -> None:
    original, dates = metr_dir / METR_RUNS_FILE, metr_dir / METR_DATES
    imported = _invoke(["import-runs", str(original), "--release-dates", str(dates)])
    assert imported.exit_code == 0, imported.output
    exported = tmp_path / "export.jsonl"
    assert _invoke(["export-runs", "--out", str(exported)]).exit_code == 0
    rows = _jsonl(exported)
    assert len(rows) == 6852  # every agent run; METR's 211 human rows are baselines, not runs
    # METR's file stores its weights to ten decimals; the export's are exact. Without the stored
    # columns, `analyze` computes the same exact weights from the original: the fits must then
    # agree to float precision, and with METR's rounded weights to their rounding.
    theirs_by_id = {r["run_id"]: r for r in _jsonl(original)}
    for row in rows:
        stored = theirs_by_id[row["source_run_id"].split(":", 1)[1]]
        for column in ("invsqrt_task_weight", "equal_task_weight"):
            assert row[column] == pytest.approx(stored[column], abs=5e-11), column
    unweighted = tmp_path / "original-without-weights.jsonl"
    unweighted.write_text(
        "".join(
            json.dumps({k: v for k, v in r.items() if not k.endswith("_task_weight")}) + "\n"
            for r in theirs_by_id.values()
        )
    )
    for weighting in ("invsqrt", "equal"):
        ours = _analyze(exported, dates, tmp_path / "ours.json", "--weighting", weighting)
        for theirs_file, rel in ((unweighted, 1e-9), (original, 1e-6)):
            theirs = _analyze(theirs_file, dates, tmp_path / "theirs.json", "--weighting", weighting)
            assert set(ours) == set(theirs) - {"human"}
            for agent, fit in ours.items():
                for key in ("p50", "p80", "average"):
                    expected = theirs[agent][key]
                    assert fit[key] == (expected if expected is None else pytest.approx(expected, rel=rel)), (
                        agent,
                        key,
                        weighting,
                        theirs_file.name,
                    )
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(AnalysisResult)) == 0  # analyze stores nothing
