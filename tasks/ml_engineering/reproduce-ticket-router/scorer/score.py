#!/usr/bin/env python3
"""Scorer for reproduce-ticket-router: runs the agent's repro/run.py (child process, time limit)
on a hidden ticket export from the same generator and compares its JSON with the reference
pipeline's results on that export (expected.json): 16 cells of the main table (accuracy,
macro-F1, log-loss, final objective for four configurations) and 12 of the learning curve
(training tickets, accuracy, log-loss for four subsets). A number matches within 0.0005, a
count exactly. The score is the fraction of the 28 cells that match; threshold 1.0.
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 300


def run_agent(workdir: Path, tmp: Path) -> tuple[bool, str]:
    """Run repro/run.py as the owner of the work directory where the sandbox allows it."""
    shutil.copy(HERE / "hidden_tickets.csv", tmp / "tickets.csv")
    os.chmod(tmp / "tickets.csv", 0o644)
    os.chmod(tmp, 0o777)
    cmd = [sys.executable, str(workdir / "repro" / "run.py"), str(tmp), str(tmp / "out.json")]
    options: dict = {"cwd": workdir, "capture_output": True, "text": True, "timeout": TIMEOUT_S,
                     "env": {"PATH": "/usr/bin:/bin", "HOME": str(tmp)}}
    owner = workdir.stat()
    drop = {"user": owner.st_uid, "group": owner.st_gid, "extra_groups": []}
    try:
        try:
            if os.geteuid() != 0 or owner.st_uid == 0:
                raise PermissionError
            done = subprocess.run(cmd, **options, **drop)
        except PermissionError:
            done = subprocess.run(cmd, **options)
    except subprocess.TimeoutExpired:
        return False, f"repro/run.py did not finish within {TIMEOUT_S} s"
    return done.returncode == 0, done.stderr[-1500:]


def main() -> None:
    workdir = Path.cwd()
    if not (workdir / "repro" / "run.py").is_file():
        print("repro/run.py is missing")
        print(0.0)
        return
    expected = json.loads((HERE / "expected.json").read_text())
    if HERE == Path("/scorer"):
        # In the sandbox this folder is a throwaway copy: keep the answers only in memory.
        (HERE / "expected.json").unlink()
    tmp = Path(tempfile.mkdtemp(prefix="repro-score-"))
    try:
        ok, log = run_agent(workdir, tmp)
        out = tmp / "out.json"
        got = json.loads(out.read_text()) if ok and out.is_file() else None
    except (OSError, ValueError) as exc:
        ok, log, got = False, f"{type(exc).__name__}: {exc}", None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not isinstance(got, dict):
        print("repro/run.py failed or wrote no readable JSON:")
        print(log.strip()[-1500:])
        print(0.0)
        return
    matched, total = 0, 0
    for config, cells in expected.items():
        for key, want in cells.items():
            total += 1
            value = got.get(config, {}).get(key) if isinstance(got.get(config), dict) else None
            good = isinstance(value, (int, float)) and math.isfinite(value) and (
                value == want if key == "n_train" else abs(value - want) <= 0.0005)
            matched += good
            if not good:
                print(f"{config}.{key}: got {value!r}, not the reference value")
    print(f"{matched}/{total} cells reproduced on the hidden export")
    print(round(matched / total, 4))


try:
    main()
except Exception as exc:  # noqa: BLE001 - whatever the agent left, end with a score
    print(f"could not check the agent's output: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
