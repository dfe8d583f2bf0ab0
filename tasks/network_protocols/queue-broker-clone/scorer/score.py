#!/usr/bin/env python3
"""Scorer for queue-broker-clone: a hidden conformance client. It makes RUNS scripted sessions
(scenario.py, from a seed the agent never sees) against the reference broker in memory, then,
for each, starts the agent's `python3 server.py --port P` fresh in the work directory (with
the original accounts.txt, as an unprivileged user when possible) and replays the session over
TCP, comparing every decoded response (bodies exactly, except the server nonce and session id
of the handshake) and every close the reference makes. A run passes when all its steps match.
The score is the fraction of runs passed."""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import broker as B  # noqa: E402
import scenario as S  # noqa: E402

SEED = 90_210_2026
DEMOTE = True
PLAN = ["basic"] * 8 + ["errors"] * 6 + ["leases"] * 6 + ["paging"] * 5 + ["frames"] * 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demote() -> None:
    os.setsid()
    if os.getuid() == 0 and DEMOTE:
        try:
            os.setgid(1000)
            os.setuid(1000)
        except OSError:
            pass


def start_server(port: int) -> subprocess.Popen | None:
    global DEMOTE
    command = [sys.executable, "server.py", "--port", str(port)]
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        proc = subprocess.Popen(command, preexec_fn=demote, **quiet)
    except PermissionError:  # the interpreter is not reachable for the unprivileged user
        DEMOTE = False
        proc = subprocess.Popen(command, preexec_fn=demote, **quiet)
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    return None


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


def check_run(script: list, expected: list, port: int) -> str | None:
    """None when every step matches, else what went wrong."""
    transport = S.SocketTransport(port)
    client = S.Client(transport)
    try:
        for i, (step, want) in enumerate(zip(script, expected, strict=True)):
            try:
                got = client.step(step)
            except (OSError, ValueError) as exc:
                return f"step {i} ({step[0]}): {type(exc).__name__}: {exc}"
            if want is None:
                continue
            want_body, want_closed = want
            body = got[0] if got else None
            if step[0] == "hello" and want_body and want_body[3] == 0:
                ok = body is not None and len(body) == len(want_body) and body[:4] == want_body[:4] and body[16:] == want_body[16:]
            else:
                ok = body == want_body
            if not ok:
                show = body.hex()[:80] if body else body
                return f"step {i} ({step[0]} on c{step[1]}): expected {want_body.hex()[:80] if want_body else None}, got {show}"
            if want_closed and not transport.settle_close(step[1], 2.0):
                return f"step {i} ({step[0]} on c{step[1]}): the server should have closed the connection"
        return None
    finally:
        transport.shutdown()


def main() -> None:
    if not Path("server.py").is_file():
        print("no server.py in the work directory")
        print(0.0)
        return
    shutil.copyfile(HERE / "accounts.txt", "accounts.txt")
    accounts = B.load_accounts(HERE / "accounts.txt")
    rng = random.Random(SEED)
    passed = 0
    started = time.monotonic()
    for n, flavour in enumerate(PLAN, 1):
        script, transport = S.make_script(rng, accounts, flavour)
        if time.monotonic() - started > 420:
            print(f"run {n:02d} {flavour}: FAIL (out of scoring time)")
            continue
        port = free_port()
        proc = start_server(port)
        if proc is None:
            print(f"run {n:02d} {flavour}: FAIL (server.py did not start listening on the port)")
            continue
        try:
            problem = check_run(script, transport.results, port)
        finally:
            stop(proc)
        passed += problem is None
        print(f"run {n:02d} {flavour}: {'PASS' if problem is None else 'FAIL ' + problem}")
    print(f"{passed}/{len(PLAN)} conformance runs passed")
    print(round(passed / len(PLAN), 4))


main()
