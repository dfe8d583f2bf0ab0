"""Start and stop real Horizon processes (workers, servers) for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from tests.support.paths import REPO_ROOT as REPO_ROOT  # re-exported: many tests import it from here

OUTPUT = REPO_ROOT / "test-output"


class Proc:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log_name: str) -> None:
        OUTPUT.mkdir(exist_ok=True)
        self.log_path = OUTPUT / f"{log_name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args,
            env={**os.environ, **env},
            cwd=REPO_ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.popen.poll() is not None:
                raise RuntimeError(f"process exited early:\n{self.log()[-3000:]}")
            time.sleep(0.2)
        raise TimeoutError(f"{text!r} not seen in {timeout}s:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crashed machine would."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        self._log.close()


def horizon_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def start_worker(
    env: dict[str, str],
    name: str,
    queues: str = "default,runs,analysis",
    include: str | None = None,
    concurrency: int = 1,
) -> Proc:
    args = horizon_cmd(
        "worker", "--queues", queues, "--concurrency", str(concurrency), "--name", f"{name}@%h"
    )
    if include:
        args += ["--include", include]
    proc = Proc(args, env, name)
    proc.wait_for_log("ready.", timeout=90)
    return proc


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
