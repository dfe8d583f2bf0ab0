#!/usr/bin/env python3
"""Scorer for escaped-tsv-codec: calls the agent's rowtext.parse / rowtext.dump on the hidden
cases in cases.json in a child process and compares what comes back with the expected results,
which stay in this process. Under root the child runs as the work directory's owner and this
folder is closed to it first, so the agent's code cannot read the expectations (where the
sandbox allows switching users). Prints the
fraction of cases passed."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 120

CHILD = r'''
import json, signal, sys, traceback
marker = sys.stdin.readline().strip()
calls = json.loads(sys.stdin.read())
sys.dont_write_bytecode = True
sys.path.append(sys.argv[1])
results = []
try:
    import rowtext
except BaseException as exc:
    print(marker + json.dumps({"import_error": repr(exc)[:500]}), flush=True)
    raise SystemExit(0)
def alarm(signum, frame):
    raise TimeoutError("case took too long")
signal.signal(signal.SIGALRM, alarm)
for call in calls:
    signal.alarm(5)
    try:
        value = getattr(rowtext, call["call"])(call["arg"])
        json.dumps(value)
        results.append({"value": value})
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        entry = {"raised": type(exc).__name__, "valueerror": isinstance(exc, ValueError)}
        entry["line"] = getattr(exc, "line", None)
        entry["column"] = getattr(exc, "column", None)
        entry["detail"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:200]
        results.append(entry)
    finally:
        signal.alarm(0)
sys.stdout.flush()
print("\n" + marker + json.dumps({"results": results}), flush=True)
'''


def child_user() -> dict:
    """Under root, with a work directory the agent owns: run the child as its owner."""
    owner = Path.cwd().stat().st_uid
    if os.getuid() != 0 or owner == 0:
        return {}
    kwargs = {"user": owner, "group": owner, "extra_groups": []}
    try:
        subprocess.run(["true"], check=True, **kwargs)
    except (PermissionError, OSError, subprocess.CalledProcessError):
        return {}  # a sandbox without the capability to switch users
    os.chmod(HERE, 0o700)
    return kwargs


def passed(expect: dict, got: object) -> tuple[bool, str]:
    if not isinstance(got, dict):
        return False, "no result"
    if "value" in expect:
        ok = "value" in got and got["value"] == expect["value"]
        return ok, f"expected {json.dumps(expect['value'])[:150]}, got {json.dumps(got)[:150]}"
    if "value" in got:
        return False, f"expected an error, got {json.dumps(got['value'])[:150]}"
    if expect["raised"] == "RowTextError":
        ok = got.get("raised") == "RowTextError" and [got.get("line"), got.get("column")] == [
            expect["line"],
            expect["column"],
        ]
        return ok, f"expected RowTextError at {expect['line']}:{expect['column']}, got {got}"
    return bool(got.get("valueerror")), f"expected ValueError, got {got}"


def main() -> None:
    cases = json.loads((HERE / "cases.json").read_text())
    marker = "@@cases-" + secrets.token_hex(8) + "@@"
    calls = [{"call": c["call"], "arg": c["arg"]} for c in cases]
    command = [sys.executable, "-I", "-c", CHILD, str(Path.cwd())]
    feed = marker + "\n" + json.dumps(calls)
    try:
        done = subprocess.run(command, input=feed, capture_output=True, text=True,
                              timeout=TIMEOUT_S, **child_user())
    except subprocess.TimeoutExpired:
        print(f"the hidden cases did not finish within {TIMEOUT_S} s")
        print(0.0)
        return
    report = None
    for line in done.stdout.splitlines():
        if line.startswith(marker):
            try:
                report = json.loads(line[len(marker) :])
            except ValueError:
                report = None
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        print("rowtext.py could not be run:", (report or {}).get("import_error", ""), done.stderr[-1500:])
        print(0.0)
        return
    results = report["results"]
    good = 0
    for i, case in enumerate(cases):
        ok, detail = passed(case["expect"], results[i] if i < len(results) else None)
        good += ok
        print(f"PASS {case['name']}" if ok else f"FAIL {case['name']}: {detail}")
    print(f"{good}/{len(cases)} hidden cases passed")
    print(round(good / len(cases), 4))


main()
