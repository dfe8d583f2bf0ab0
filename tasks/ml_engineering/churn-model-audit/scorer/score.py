#!/usr/bin/env python3
"""Scorer for churn-model-audit: runs the agent's train.py on a fresh labelled export and a fresh
live export (both hidden, same formats as the files the agent has) in a child process, then
measures the accuracy of its predictions against the 90-day outcomes.

score = clamp((accuracy - 0.5) / (bar - 0.5), 0, 1); bar (in bar.json) is 0.82, about 2.5 points
under the accuracy of the true model (0.847); the unfixed script scores about 0.43 accuracy.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 300


def run_agent(workdir: Path, tmp: Path) -> tuple[bool, str]:
    """Run train.py in a child process, as the owner of the work directory where the sandbox
    allows it (else as this user; the hidden labels are already off the disk by then)."""
    for name in ("fresh_train.csv", "fresh_live.csv"):
        shutil.copy(HERE / name, tmp / name)
        os.chmod(tmp / name, 0o644)
    os.chmod(tmp, 0o777)
    cmd = [sys.executable, str(workdir / "train.py"), str(tmp / "fresh_train.csv"),
           str(tmp / "fresh_live.csv"), str(tmp / "out.csv")]
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
        return False, f"train.py did not finish within {TIMEOUT_S} s"
    return done.returncode == 0, (done.stdout[-500:] + done.stderr[-1500:])


def main() -> None:
    workdir = Path.cwd()
    if not (workdir / "train.py").is_file():
        print("train.py is missing")
        print(0.0)
        return
    bar = json.loads((HERE / "bar.json").read_text())["bar"]
    with open(HERE / "fresh_live_labels.csv", newline="") as handle:
        truth = {r["customer_id"]: r["churned_90d"] for r in csv.DictReader(handle)}
    if HERE == Path("/scorer"):
        # In the sandbox this folder is a throwaway copy: keep the labels only in memory.
        (HERE / "fresh_live_labels.csv").unlink()
    tmp = Path(tempfile.mkdtemp(prefix="churn-score-"))
    try:
        ok, log = run_agent(workdir, tmp)
        print(log.strip()[-1500:])
        out = tmp / "out.csv"
        if not ok or not out.is_file():
            print("train.py failed or wrote no predictions")
            print(0.0)
            return
        with open(out, newline="", errors="replace") as handle:
            got = {(r.get("customer_id") or "").strip(): (r.get("churn") or "").strip()
                   for r in csv.DictReader(handle)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    accuracy = sum(got.get(k) == v for k, v in truth.items()) / len(truth)
    print(f"accuracy on the fresh live export: {accuracy:.4f} (bar {bar})")
    print(round(max(0.0, min(1.0, (accuracy - 0.5) / (bar - 0.5))), 4))


try:
    main()
except (csv.Error, UnicodeDecodeError, ValueError, OSError) as exc:
    print(f"could not check the agent's output: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
