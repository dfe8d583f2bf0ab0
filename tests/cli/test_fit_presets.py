"""`horizon fit --preset` and the flags in its table (issue 15, part 8)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner, Result

from analysis.flags import FLAG_TEXT
from analysis.simulate import SimulatedAgent, simulate_runs, synthetic_suite
from cli.main import app

DATES = {"good": dt.date(2024, 1, 1), "tiny": dt.date(2023, 1, 1)}


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _import_runs() -> None:
    """A good agent, and one whose p50 (1 s) lies far below the shortest task (1 min)."""
    from core.db import session_scope
    from core.services.imports import import_runs

    rng = np.random.default_rng(5)
    suite = synthetic_suite(rng, n_families=12, min_minutes=1.0, max_minutes=480)
    agents = [SimulatedAgent("good", 60.0, release_date=DATES["good"]), SimulatedAgent("tiny", 1 / 60)]
    frame = simulate_runs(suite, agents, repeats=4, rng=rng)
    with session_scope() as s:
        import_runs(s, frame, "simulated", DATES)


def test_fit_with_the_metr_preset_stores_its_settings_and_prints_flags(db: str, tmp_path: Path) -> None:
    _import_runs()
    out = tmp_path / "fit.json"
    done = _invoke(["fit", "--preset", "metr", "--bootstrap", "30", "--json", str(out)])
    assert done.exit_code == 0, done.output
    params = json.loads(out.read_text())["params"]
    assert params["bootstrap_levels"] == "families_tasks_runs"
    assert params["degenerate_replicates"] == "drop"
    assert params["doubling_ci"] == "positive_doublings"
    assert params["solver"] == "sklearn"
    assert params["regularization"] == 0.1
    assert "flags" in done.output
    assert "p50_below_task_range" in done.output
    assert FLAG_TEXT["p50_below_task_range"] in done.output.replace("\n", " ").replace("  ", " ")


def test_fit_preset_options_override_single_settings(db: str, tmp_path: Path) -> None:
    _import_runs()
    out = tmp_path / "fit.json"
    args = ["fit", "--preset", "calibrated", "--bootstrap-levels", "families_tasks_runs", "--bootstrap", "0"]
    done = _invoke([*args, "--json", str(out)])
    assert done.exit_code == 0, done.output
    params = json.loads(out.read_text())["params"]
    assert params["regularization"] == 1e-5  # the calibrated preset's
    assert params["bootstrap_levels"] == "families_tasks_runs"  # overridden


def test_fit_refuses_unknown_presets_and_levels(db: str) -> None:
    bad = _invoke(["fit", "--preset", "fastest"])
    assert bad.exit_code == 2 and "--preset must be one of calibrated, metr" in bad.output
    levels = _invoke(["fit", "--bootstrap-levels", "runs"])
    assert levels.exit_code == 2 and "bootstrap_levels" in levels.output


def test_the_api_defaults_are_the_calibrated_preset() -> None:
    """Fits stored through the API (and automatic refits) use the recommended settings, not METR's
    paper-era regularization: one rule, held here."""
    from analysis.report import PRESETS
    from core.schemas import AnalysisRequest, CompareRequest

    request = AnalysisRequest()
    for key, value in PRESETS["calibrated"].items():
        assert getattr(request, key) == value, key
    assert CompareRequest(a="x", b="y").regularization == PRESETS["calibrated"]["regularization"]
    assert PRESETS["metr"]["regularization"] == 0.1
