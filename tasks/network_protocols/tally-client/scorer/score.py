#!/usr/bin/env python3
"""Scorer for tally-client: for each hidden case (hidden_cases.json, made by generate.py) it
starts tallyd (this folder's copy) in this process on three fresh ports with the case's data
and a seed for the BUSY replies, runs the agent's `python3 client.py PORT USER PASSWORD SCRIPT`
in a child process (as uid 1000 where possible, 90 s limit), and compares its output lines with
the expected ones. A case scores the fraction of lines that match, position by position; the
score is the mean over the cases."""

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import tallyd  # noqa: E402

DEMOTE = True


def demote() -> None:
    if os.getuid() == 0 and DEMOTE:
        try:
            os.setgid(1000)
            os.setuid(1000)
        except OSError:
            pass


def start(case: dict, rng: random.Random) -> tallyd.Server:
    data = {k.encode(): bytes.fromhex(v) for k, v in case["data"]["store"].items()}
    for _ in range(50):
        try:
            return tallyd.Server(rng.randrange(20000, 60000), case["data"]["users"], data, case["seed"])
        except OSError:
            continue
    raise RuntimeError("no free ports")


def run_client(command: list[str]) -> str:
    global DEMOTE
    kwargs = {"capture_output": True, "text": True, "timeout": 90, "stdin": subprocess.DEVNULL}
    try:
        try:
            return subprocess.run(command, preexec_fn=demote, **kwargs).stdout
        except PermissionError:  # the interpreter is not reachable for the unprivileged user
            DEMOTE = False
            return subprocess.run(command, preexec_fn=demote, **kwargs).stdout
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or ""
        return out.decode(errors="replace") if isinstance(out, bytes) else out


def main() -> None:
    cases = json.loads((HERE / "hidden_cases.json").read_text())
    if not Path("client.py").is_file():
        print("no client.py in the work directory")
        print(0.0)
        return
    rng = random.Random()
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        for n, case in enumerate(cases, 1):
            script = Path(tmp) / f"case{n}.script"
            script.write_text("\n".join(case["script"]) + "\n")
            os.chmod(script, 0o644)
            server = start(case, rng)
            try:
                out = run_client([sys.executable, "client.py", str(server.port), case["user"], case["password"], str(script)])
            finally:
                server.close()
            got = [line.strip() for line in out.splitlines() if line.strip()]
            want = case["expected"]
            right = sum(1 for a, b in zip(got, want) if a == b)
            first_bad = next((i for i, (a, b) in enumerate(zip(got + [""] * len(want), want)) if a != b), None)
            detail = "" if first_bad is None else f"; first mismatch at line {first_bad + 1}: {case['script'][first_bad]!r}"
            print(f"case {n}: {right}/{len(want)} lines right{detail}")
            total += right / len(want)
    print(round(total / len(cases), 4))


main()
