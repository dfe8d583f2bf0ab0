#!/usr/bin/env python3
"""Scorer for vm-keygen: runs the agent's keygen.py (a child process per case) for hidden
(user name, class, day) cases and checks each serial with the scorer's own copy of the VM and
licence image; prints the fraction of cases whose serial is valid for that class and day."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import licchk  # noqa: E402 - the scorer's copy, next to this file

TIMEOUT_S = 20


def serial_for(script: Path, user: str, cls: int, day: int) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(script), user, str(cls), str(day)],
            cwd=script.parent,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return ""
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return lines[-1][:100] if lines else ""


def main() -> None:
    script = Path.cwd() / "keygen.py"
    if not script.is_file():
        print("no keygen.py in the working directory")
        print(0.0)
        return
    image = bytes.fromhex("".join((HERE / "license.img").read_text().split()))
    cases = json.loads((HERE / "cases.json").read_text())
    passed = 0
    for user, cls, day in cases:
        serial = serial_for(script, user, cls, day)
        try:
            result = licchk.run(image, user.encode(), serial.encode("utf-8", "replace"))
        except (IndexError, ValueError, RuntimeError):
            result = 0
        ok = result == (1 << 24 | cls << 16 | day)
        passed += ok
        print(f"{'PASS' if ok else 'FAIL'} {user!r} class {cls} day {day}: {serial!r}")
    print(f"{passed}/{len(cases)} serials valid")
    print(round(passed / len(cases), 4))


main()
