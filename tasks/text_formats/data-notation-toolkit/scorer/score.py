#!/usr/bin/env python3
"""Runs the agent's program on every hidden case of cases.json and prints the fraction whose
standard output matches the expected text (trailing newlines aside).

Usage: python3 score.py PROGRAM [SECONDS_PER_CASE [SECONDS_IN_ALL]]. Each case is {"name",
"args", "stdin", "expect"}; the program runs as `python3 PROGRAM ARGS...` in the work directory, in a child
process with a time limit, and never sees the expectations, which stay in this process. Under
root, with a work directory the agent owns, the child runs as that owner and this folder is
closed to it first (where the sandbox allows switching users). Cases not started within
SECONDS_IN_ALL (default 500) fail, so the scorer always finishes within its own time limit."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAM = sys.argv[1] if len(sys.argv) > 1 else "main.py"
PER_CASE_S = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
IN_ALL_S = float(sys.argv[3]) if len(sys.argv) > 3 else 500.0


def child_user() -> dict:
    owner = Path.cwd().stat().st_uid
    if os.getuid() != 0 or owner == 0:
        return {}
    kwargs = {"user": owner, "group": owner, "extra_groups": []}
    try:
        subprocess.run(["true"], check=True, **kwargs)
    except (PermissionError, OSError, subprocess.CalledProcessError):
        return {}
    os.chmod(HERE, 0o700)
    return kwargs


def run_case(case: dict, kwargs: dict) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(Path.cwd() / PROGRAM), *case["args"]],
            input=case["stdin"].encode("utf-8"),
            capture_output=True,
            timeout=PER_CASE_S,
            **kwargs,
        )
    except subprocess.TimeoutExpired:
        return False, f"no answer within {PER_CASE_S} s"
    got = done.stdout.decode("utf-8", errors="replace").replace("\r\n", "\n").rstrip("\n")
    want = case["expect"].rstrip("\n")
    if got == want:
        return True, ""
    at = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
    line = want.count("\n", 0, at) + 1
    err = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:]
    return False, f"output differs from line {line} on ({len(got)} vs {len(want)} chars) {err}"


def main() -> None:
    cases = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    if not (Path.cwd() / PROGRAM).is_file():
        print(f"{PROGRAM} not found in the work directory")
        print(0.0)
        return
    kwargs = child_user()
    good = 0
    deadline = time.monotonic() + IN_ALL_S
    for case in cases:
        if time.monotonic() + PER_CASE_S > deadline:
            ok, detail = False, "not run: the time for all cases was used up"
        else:
            ok, detail = run_case(case, kwargs)
        good += ok
        print(f"PASS {case['name']}" if ok else f"FAIL {case['name']}: {detail[:300]}")
    print(f"{good}/{len(cases)} hidden cases passed")
    print(round(good / len(cases), 4))


main()
