"""Malformed runs files and task folders are rejected with a clear message, and write nothing.

Property-based: Hypothesis corrupts a valid METR-format runs file (values of the wrong type or
range, missing fields, truncation, binary garbage, CSV instead of JSON Lines) and a valid task
folder (wrong YAML values, broken YAML, missing or garbage files). The real `horizon` commands
(`import-runs`, `analyze`, `tasks validate`, `tasks sync`, run in-process through Typer's runner)
must then either accept the input or refuse it with their documented exit code and a message;
never crash with a traceback, and never leave part of a refused input in the database.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from core.db import session_scope
from tests.factories import make_task_folder
from tests.reliability.support import table_counts

IMPORT_REFUSED = 2  # `horizon import-runs` and `horizon analyze`: bad input
FOLDER_REFUSED = 1  # `horizon tasks validate|sync`: problems listed
# Examples per property; HORIZON_TEST_FUZZ_EXAMPLES raises it for a longer hunt.
HYPOTHESIS = settings(
    max_examples=int(os.environ.get("HORIZON_TEST_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

RELEASE_DATES = {"agent-a": "2024-03-01", "agent-b": "2025-01-15"}


def _base_runs() -> list[dict[str, Any]]:
    runs = []
    for agent, skill in (("agent-a", 0), ("agent-b", 2)):
        for i, minutes in enumerate((1.0, 4.0, 15.0, 60.0)):
            for repeat in range(2):
                runs.append(
                    {
                        "run_id": f"{agent}-t{i}-{repeat}",
                        "alias": agent,
                        "task_id": f"fam/t{i}",
                        "task_family": "fam",
                        "human_minutes": minutes,
                        "score_binarized": int(i + repeat <= skill + 1),
                        "score_cont": float(i + repeat <= skill + 1),
                    }
                )
    return runs


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def corrupted_runs(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file suffix, contents) of a runs file with up to three corruptions (or none)."""
    runs = _base_runs()
    for _ in range(draw(st.integers(0, 3))):
        row = runs[draw(st.integers(0, len(runs) - 1))]
        field = draw(st.sampled_from(sorted(row)))
        if draw(st.booleans()):
            row[field] = draw(JSON_VALUES)
        else:
            del row[field]
    suffix = draw(st.sampled_from([".jsonl", ".csv"]))
    if suffix == ".csv":
        import pandas as pd

        data = pd.DataFrame(runs).to_csv(index=False).encode()
    else:
        data = "\n".join(json.dumps(r) for r in runs).encode()
    damage = draw(st.sampled_from(["none", "truncate", "garbage", "line", "empty"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "garbage":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]
    elif damage == "line":
        lines = data.split(b"\n")
        lines[draw(st.integers(0, len(lines) - 1))] = draw(st.text(max_size=40)).encode()
        data = b"\n".join(lines)
    elif damage == "empty":
        data = b""
    return suffix, data


@st.composite
def corrupted_dates(draw: st.DrawFn) -> bytes:
    dates: dict[str, Any] = dict(RELEASE_DATES)
    choice = draw(st.sampled_from(["valid", "value", "garbage", "list"]))
    if choice == "value":
        dates[draw(st.sampled_from(sorted(dates)))] = draw(JSON_VALUES)
    elif choice == "garbage":
        return draw(st.binary(max_size=60))
    elif choice == "list":
        return yaml.safe_dump(list(dates)).encode()
    return yaml.safe_dump(dates).encode()


def _invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args)
    # A SystemExit is a clean refusal; any other exception escaped as a traceback.
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"horizon {' '.join(args[:2])} crashed: {result.exception!r}"
        ) from result.exception
    return result


def _counts() -> dict[str, int]:
    with session_scope() as s:
        return table_counts(s)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_valid_runs_file_imports_and_analyzes(db: str, tmp_path: Path) -> None:
    """The base of the corruptions is itself accepted (else the property tests prove little)."""
    runs = _write(tmp_path, "runs.jsonl", "\n".join(json.dumps(r) for r in _base_runs()).encode())
    dates = _write(tmp_path, "dates.yaml", yaml.safe_dump(RELEASE_DATES).encode())
    imported = _invoke(["import-runs", str(runs), "--release-dates", str(dates)])
    assert imported.exit_code == 0, imported.output
    assert _counts()["runs"] == len(_base_runs())
    analyzed = _invoke(["analyze", str(runs), "--release-dates", str(dates), "--bootstrap", "0"])
    assert analyzed.exit_code == 0, analyzed.output


@given(runs=corrupted_runs(), dates=corrupted_dates())
@HYPOTHESIS
def test_import_runs_accepts_or_refuses_cleanly_and_refusals_write_nothing(
    db: str, tmp_path_factory: pytest.TempPathFactory, runs: tuple[str, bytes], dates: bytes
) -> None:
    folder = tmp_path_factory.mktemp("runs")
    runs_path = _write(folder, f"runs{runs[0]}", runs[1])
    dates_path = _write(folder, "dates.yaml", dates)
    before = _counts()
    result = _invoke(["import-runs", str(runs_path), "--release-dates", str(dates_path)])
    event(f"exit code {result.exit_code}")
    assert result.exit_code in (0, IMPORT_REFUSED), result.output
    if result.exit_code == IMPORT_REFUSED:
        assert "nothing imported" in result.output
        assert _counts() == before


@given(runs=corrupted_runs(), dates=corrupted_dates())
@HYPOTHESIS
def test_analyze_accepts_or_refuses_cleanly(
    tmp_path_factory: pytest.TempPathFactory, runs: tuple[str, bytes], dates: bytes
) -> None:
    folder = tmp_path_factory.mktemp("analyze")
    runs_path = _write(folder, f"runs{runs[0]}", runs[1])
    dates_path = _write(folder, "dates.yaml", dates)
    result = _invoke(["analyze", str(runs_path), "--release-dates", str(dates_path), "--bootstrap", "0"])
    event(f"exit code {result.exit_code}")
    assert result.exit_code in (0, IMPORT_REFUSED), result.output
    if result.exit_code == IMPORT_REFUSED:
        assert "Error:" in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------------------- task folders

TASK_SPEC: dict[str, Any] = {
    "id": "write-word",
    "family": "demo",
    "title": "Write a word",
    "version": 1,
    "time_limit_s": 600,
    "tags": ["demo"],
    "resources": {"cpus": 1, "memory_mb": 128, "pids": 32, "disk_mb": 16},
    "network": "none",
    "scorer": {"command": "python3 /scorer/score.py", "threshold": 1.0},
    "solution": {"command": "bash /solution/solve.sh"},
    "baselines": [{"baseliner": "ana", "minutes": 4, "succeeded": True}],
}


def _nested_keys(spec: dict[str, Any]) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    for key, value in spec.items():
        keys.append((key,))
        if isinstance(value, dict):
            keys += [(key, sub) for sub in value]
    return keys


@st.composite
def corrupted_folders(draw: st.DrawFn) -> Callable[[Path], None]:
    """A function that writes a task folder with one or more corruptions under a root."""
    spec = json.loads(json.dumps(TASK_SPEC))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_nested_keys(spec)))
        holder = spec
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder.get(part), dict) else {}
        if path[-1] not in holder:
            continue
        if draw(st.booleans()):
            holder[path[-1]] = draw(JSON_VALUES)
        else:
            del holder[path[-1]]
    damage = draw(st.sampled_from(["none", "yaml-garbage", "no-instructions", "binary-scorer", "stray-file"]))
    garbage = draw(st.binary(min_size=1, max_size=60))

    def write(root: Path) -> None:
        folder = make_task_folder(root, "write-word", spec=spec)
        if damage == "yaml-garbage":
            (folder / "task.yaml").write_bytes(garbage + b"\n: [")
        elif damage == "no-instructions":
            (folder / "instructions.md").unlink()
        elif damage == "binary-scorer":
            (folder / "scorer" / "score.py").write_bytes(b"\xff\xfe" + garbage)
        elif damage == "stray-file":
            (folder / "notes.bin").write_bytes(garbage)

    return write


def test_valid_task_folder_validates_and_syncs(db: str, tmp_path: Path) -> None:
    make_task_folder(tmp_path, "write-word", spec=TASK_SPEC)
    assert _invoke(["tasks", "validate", str(tmp_path)]).exit_code == 0
    synced = _invoke(["tasks", "sync", str(tmp_path)])
    assert synced.exit_code == 0, synced.output
    assert _counts()["tasks"] == 1


@given(write=corrupted_folders())
@HYPOTHESIS
def test_task_folders_are_accepted_or_refused_naming_the_problem(
    db: str, tmp_path_factory: pytest.TempPathFactory, write: Callable[[Path], None]
) -> None:
    root = tmp_path_factory.mktemp("tasks")
    write(root)
    validated = _invoke(["tasks", "validate", str(root)])
    assert validated.exit_code in (0, FOLDER_REFUSED), validated.output
    before = _counts()
    synced = _invoke(["tasks", "sync", str(root)])
    event(f"exit code {synced.exit_code}")
    assert synced.exit_code in (0, FOLDER_REFUSED), synced.output
    # validate and sync agree on what is acceptable.
    assert (validated.exit_code == 0) == (synced.exit_code == 0), (validated.output, synced.output)
    if synced.exit_code == FOLDER_REFUSED:
        assert "nothing loaded" in synced.output and "write-word" in synced.output
        assert _counts() == before
    shutil.rmtree(root)
