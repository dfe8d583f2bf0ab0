#!/usr/bin/env python3
"""Scores raft-kv: runs the agent's node.py in this folder's copy of the simulator (sim.py, the same
as environment/raftsim/sim.py) on seeds drawn from a number that only this folder holds. Each seed
runs in a child process with a time limit; it passes when the simulator's checker finds no
violation (agreement on applied entries, correct and committed replies, every operation answered by
the end). The last line printed is the fraction of seeds that passed."""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET = 70_413_229
RUNS = 16
REPLAY_EVERY = 4  # every fourth run also replays each node incarnation alone (see sim.py)
RUN_TIMEOUT_S = 120
DEADLINE_S = 1500  # within the scorer's timeout: seeds not run by then fail


def main() -> None:
    agent = Path.cwd() / "node.py"
    if not agent.is_file():
        print("node.py is missing")
        print(0.0)
        return
    seeds = random.Random(SECRET).sample(range(10**6, 10**9), RUNS)
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "node.py"
        copy.write_bytes(agent.read_bytes())
        deadline = time.monotonic() + DEADLINE_S
        for number, seed in enumerate(seeds, 1):
            if time.monotonic() > deadline:
                print(f"FAIL run {number}: not run (out of time)")
                continue
            command = [sys.executable, "-B", str(HERE / "sim.py"), str(copy), "--seed", str(seed), "--json"]
            if number % REPLAY_EVERY == 0:
                command.append("--replay")
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp,
                                    start_new_session=True)
            try:
                out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                out, err = "", ""
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # the simulator and any node processes left
                except ProcessLookupError:
                    pass
                proc.wait()
            try:
                result = json.loads(out.strip().splitlines()[-1])
            except (IndexError, ValueError):
                why = f"over {RUN_TIMEOUT_S} s" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
                print(f"FAIL run {number}: no result ({why}) {err[-300:]}")
                continue
            if result.get("ok") is True and result.get("seed") == seed:
                passed += 1
                print(f"PASS run {number}: {result['operations']} operations, mean latency {result['mean_latency']}")
            else:
                print(f"FAIL run {number}: {str(result.get('violation'))[:200]}")
    print(f"{passed}/{RUNS} runs passed")
    print(round(passed / RUNS, 4))


main()
