#!/usr/bin/env python3
"""Scores tern-compiler: compiles programs generated from a seed that only this folder holds
(programs.py) with the agent's ternc.py and with the reference (ref_ternc.py), runs both outputs
on this folder's copy of the R9 machine (r9vm.py) and compares. A program with a compile error
passes when the agent's compiler exits 2 naming the same line; any other program passes when the
agent's assembly, run with the same input, gives the same exit status and the same output. The last
line printed is the fraction of programs that passed."""

import re
import time
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 61_550_283
COMPILE_TIMEOUT_S = 30
RUN_TIMEOUT_S = 30
DEADLINE_S = 480  # within the scorer's timeout: programs not run by then fail
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
from programs import generate  # noqa: E402


def outcome(compiler: Path, program: Path, stdin: str) -> tuple:
    try:
        done = subprocess.run([sys.executable, str(compiler), str(program)], capture_output=True,
                              timeout=COMPILE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return ("compiler timed out",)
    if done.returncode == 2:
        found = re.search(rb"line (\d+)", done.stderr)
        return ("error", int(found.group(1)) if found else None)
    if done.returncode != 0:
        return ("compiler failed", done.returncode)
    assembly = program.with_suffix(".s")
    assembly.write_bytes(done.stdout)
    try:
        ran = subprocess.run([sys.executable, str(HERE / "r9vm.py"), str(assembly)], input=stdin.encode(),
                             capture_output=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return ("program timed out",)
    if ran.returncode == 2:
        return ("assembly rejected", ran.stderr[-200:])
    return ("ran", ran.returncode, ran.stdout)


def main() -> None:
    agent = Path.cwd() / "ternc.py"
    if not agent.is_file():
        print("ternc.py is missing")
        print(0.0)
        return
    cases = generate(SEED)
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "agent_ternc.py"
        copy.write_bytes(agent.read_bytes())
        deadline = time.monotonic() + DEADLINE_S
        for name, source, stdin in cases:
            if time.monotonic() > deadline:
                print(f"FAIL {name}: not run (out of time)")
                continue
            results = []
            for who, compiler in (("ref", HERE / "ref_ternc.py"), ("agent", copy)):
                program = Path(tmp) / f"{name}-{who}.tern"
                program.write_text(source)
                results.append(outcome(compiler, program, stdin))
            want, got = results
            if want == got:
                passed += 1
                print(f"PASS {name}")
            else:
                print(f"FAIL {name}: expected {str(want)[:80]}, got {str(got)[:160]}")
    print(f"{passed}/{len(cases)} programs agree with the reference")
    print(round(passed / len(cases), 4))


main()
