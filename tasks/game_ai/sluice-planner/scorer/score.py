#!/usr/bin/env python3
"""Scorer for sluice-planner: runs the agent's solver.py on each hidden level in a child process
(30 s each, level on standard input) and replays the last non-empty line of its output with the
author's simulator (sluice.py). A level counts when the moves reach the exit in exactly the
optimal number of moves (hidden.json, from generate.py). Score = fraction of levels; threshold
0.9."""

import json
import resource
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import sluice  # noqa: E402

TIMEOUT_S = 30
MEMORY_BYTES = 1536 * 1024 * 1024


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def reaches_exit(text: str, moves: str) -> bool:
    level = sluice.Level(text)
    state = level.start()
    for d in moves:
        if d not in sluice.DIRS:
            return False
        new = level.move(state, d)
        if new is None:
            return False  # a blocked press is not a move
        state = new
        if state[0] == level.exit:
            return True
    return False


def main() -> None:
    hidden = json.loads((HERE / "hidden.json").read_text())
    program = Path("solver.py")
    if not program.is_file():
        print("solver.py is missing")
        print(0.0)
        return
    good = 0
    for n, item in enumerate(hidden, 1):
        try:
            done = subprocess.run(
                [sys.executable, str(program.resolve())],
                input=item["level"],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                preexec_fn=limit_memory,
                check=False,
            )
            lines = [ln.strip() for ln in done.stdout.splitlines() if ln.strip()]
            moves = lines[-1].upper() if lines else ""
            verdict = "no answer" if not moves else None
        except subprocess.TimeoutExpired:
            moves, verdict = "", f"no answer within {TIMEOUT_S} s"
        if verdict is None:
            if not reaches_exit(item["level"], moves):
                verdict = "does not reach the exit"
            elif len(moves) != item["optimal"]:
                verdict = f"{len(moves)} moves, the optimum is {item['optimal']}"
            else:
                verdict = "optimal"
        good += verdict == "optimal"
        print(f"level {n}: {verdict}")
    print(f"{good}/{len(hidden)} levels solved optimally")
    print(round(good / len(hidden), 4))


main()
