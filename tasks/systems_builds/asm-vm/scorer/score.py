#!/usr/bin/env python3
"""Scores asm-vm: differential tests of the agent's vm.py against the reference (ref_vm.py) on
programs generated from a seed that only this folder holds (programs.py). A case passes when the
exit status and standard output agree and, for assembler errors and faults, the line number that
the message names agrees. The last line printed is the fraction of cases that passed."""

import re
import time
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 88_120_467
TIMEOUT_S = 30
DEADLINE_S = 480  # within the scorer's timeout: programs not run by then fail
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
from programs import generate  # noqa: E402


def run(vm: Path, program: Path, stdin: str) -> tuple:
    try:
        done = subprocess.run(
            [sys.executable, str(vm), str(program)], input=stdin.encode(), capture_output=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return ("timeout",)
    line = None
    if done.returncode in (2, 3):
        found = re.search(rb"line (\d+)", done.stderr)
        line = int(found.group(1)) if found else "no line number"
    return (done.returncode, done.stdout, line)


def main() -> None:
    agent = Path.cwd() / "vm.py"
    if not agent.is_file():
        print("vm.py is missing")
        print(0.0)
        return
    cases = generate(SEED)
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "agent_vm.py"
        copy.write_bytes(agent.read_bytes())
        deadline = time.monotonic() + DEADLINE_S
        for name, source, stdin in cases:
            if time.monotonic() > deadline:
                print(f"FAIL {name}: not run (out of time)")
                continue
            program = Path(tmp) / f"{name}.s"
            program.write_text(source)
            want, got = run(HERE / "ref_vm.py", program, stdin), run(copy, program, stdin)
            if want == got:
                passed += 1
                print(f"PASS {name}")
            else:
                why = "timed out" if got == ("timeout",) else (
                    "exit status" if want[0] != got[0] else "output" if want[1] != got[1] else "line number"
                )
                print(f"FAIL {name}: {why} differs")
    print(f"{passed}/{len(cases)} programs agree with the reference")
    print(round(passed / len(cases), 4))


main()
