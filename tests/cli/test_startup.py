"""`horizon analyze` starts light: what it never needs is never imported (docs/architecture.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.analysis.conftest import small_runs_frame

# Imported by other commands only. Each costs from a tenth of a second (pandas, the database
# layer) to half a second (scipy.stats, scipy.optimize) of start-up.
NEVER_FOR_ANALYZE = (
    "pandas",
    "scipy.stats",
    "scipy.optimize",
    "sklearn",
    "sqlalchemy",
    "fastapi",
    "uvicorn",
    "celery",
    "redis",
    "plotly",
    "docker",
    "core.settings",
)
SCRIPT = """
import json, runpy, sys
sys.argv = ["horizon", *sys.argv[1:]]
try:
    runpy.run_module("cli.main", run_name="__main__")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _run(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=False,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def test_analyze_imports_nothing_of_the_other_commands(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    runs.write_text("\n".join(json.dumps(r) for r in small_runs_frame().to_dict("records")) + "\n")
    dates = tmp_path / "dates.yaml"
    dates.write_text("date:\n  alpha: 2023-01-01\n  beta: 2023-06-01\n  gamma: 2024-01-01\n")
    json_out = tmp_path / "report.json"
    code, modules = _run(
        "analyze", str(runs), "--release-dates", str(dates), "--bootstrap", "20", "--json", str(json_out)
    )
    assert code in (None, 0)
    assert json.loads(json_out.read_text())["agents"]  # the analysis did run
    assert "analysis.report" in modules
    assert not set(NEVER_FOR_ANALYZE) & modules


def test_help_imports_no_analysis_library_it_does_not_need() -> None:
    code, modules = _run("--help")
    assert code in (None, 0)
    assert not set(NEVER_FOR_ANALYZE) & modules
