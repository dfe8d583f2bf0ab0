#!/usr/bin/env python3
"""Scorer for skiff-perft: runs the agent's perft.py on each hidden position in a child process
(one position per run, 20 s each) and compares its count with the author's (hidden.json, made
by generate.py). Score = fraction of positions counted exactly; threshold 1.0."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 20


def main() -> None:
    hidden = json.loads((HERE / "hidden.json").read_text())
    program = Path("perft.py")
    if not program.is_file():
        print("perft.py is missing")
        print(0.0)
        return
    right = 0
    for i, pos in enumerate(hidden):
        line = f"{pos['board']} {pos['side']} {pos['depth']}\n"
        try:
            done = subprocess.run(
                [sys.executable, str(program.resolve())],
                input=line,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
            words = done.stdout.split()
            got = words[-1] if words else "(nothing)"
        except subprocess.TimeoutExpired:
            got = "(timed out)"
        ok = got == str(pos["count"])
        right += ok
        print(f"position {i + 1}: {'ok' if ok else 'WRONG: got ' + got[:40]}")
    print(f"{right}/{len(hidden)} positions counted exactly")
    print(round(right / len(hidden), 4))


main()
