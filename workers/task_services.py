"""Starting a task's services (task.yaml `services:`) in its sandbox before the agent's clock.

The sandbox's main process only keeps the container alive (`workers.sandbox.docker.backend`), so
a server a task needs (what a Harbor image's ENTRYPOINT/CMD ran) is started here, through the
same exec every command uses:

- as root, in the work directory, detached (`sh -c CMD &` whose shell returns at once), with its
  output in a root-only folder: the agent (uid 1000) can neither read that log nor stop the
  service, and `kill_user_processes` before scoring leaves it running for the scorer;
- then its health check is run every POLL_S seconds until it exits 0. A service that exits first,
  or is not healthy within its `timeout_s`, is the task's failure: InfraError(REASON_SERVICE),
  never the agent's. The log's tail and the last check's output go to the transcript's `service`
  event (hidden from readers like the scorer's), not into the public error message.

Runs, health checks (oracle and null) and baseline scoring all start services this way, because
they all go through `workers.execution`.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence

from core.taskspec import ServiceSpec
from workers.sandbox.base import Sandbox, SandboxError
from workers.transcript import Transcript

REASON_SERVICE = "service"
LOG_DIR = "/tmp/.horizon-services"
POLL_S = 0.5
# One health check run may take at most this long (Docker's HEALTHCHECK default timeout).
CHECK_TIMEOUT_S = 30.0
LAUNCH_TIMEOUT_S = 30.0
LOG_TAIL_BYTES = 4000


class ServiceFailed(Exception):
    """A service did not start or become healthy; `detail` holds its output for the transcript."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


def _short(command: str) -> str:
    line = " ".join(command.split())
    return line if len(line) <= 80 else line[:77] + "..."


def _launch_script(index: int, command: str) -> str:
    """Start `command` detached and print its pid; the exec ends as soon as the shell returns."""
    log = f"{LOG_DIR}/{index}.log"
    # `&` ends the list: $! is the service's own shell, which `kill -0` then asks about.
    return (
        f"mkdir -p -m 700 {LOG_DIR} || exit 1\n"
        f"sh -c {shlex.quote(command)} > {log} 2>&1 < /dev/null &\necho $!"
    )


def _alive(sandbox: Sandbox, pid: int) -> bool:
    return sandbox.exec(f"kill -0 {pid}", timeout_s=10.0, user="root").exit_code == 0


def _log_tail(sandbox: Sandbox, index: int) -> str:
    try:
        return sandbox.read_file(f"{LOG_DIR}/{index}.log", max_bytes=1_000_000)[-LOG_TAIL_BYTES:]
    except (FileNotFoundError, SandboxError):
        # The tail only explains a failure that is reported anyway.
        return ""


def start_service(
    sandbox: Sandbox,
    index: int,
    service: ServiceSpec,
    *,
    beat: Callable[[], None] = lambda: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Start one service and wait until it is healthy; return the seconds it took.

    Raises ServiceFailed when it cannot be started, exits before it is healthy, or is not
    healthy within `service.timeout_s`; SandboxError when the sandbox itself fails.
    """
    started = clock()
    what = f"service {index + 1} ({_short(service.command)})"
    launch = sandbox.exec(_launch_script(index, service.command), timeout_s=LAUNCH_TIMEOUT_S, user="root")
    pid_text = launch.stdout.strip().splitlines()[-1:] if launch.stdout.strip() else []
    if launch.exit_code != 0 or not pid_text or not pid_text[0].isdigit():
        raise ServiceFailed(f"{what} could not be started", launch.stderr[-LOG_TAIL_BYTES:])
    pid = int(pid_text[0])
    deadline = started + service.timeout_s
    last_output = ""
    while True:
        beat()
        if not _alive(sandbox, pid):
            raise ServiceFailed(f"{what} exited before it was healthy", _log_tail(sandbox, index))
        if service.healthcheck is None:
            return clock() - started
        left = deadline - clock()
        check = sandbox.exec(service.healthcheck, timeout_s=max(1.0, min(CHECK_TIMEOUT_S, left)), user="root")
        if check.exit_code == 0 and not check.timed_out:
            return clock() - started
        last_output = (check.stdout + check.stderr)[-LOG_TAIL_BYTES:]
        if clock() + POLL_S > deadline:
            detail = f"last health check (exit {check.exit_code}):\n{last_output}\nservice log:\n"
            raise ServiceFailed(
                f"{what} was not healthy within {service.timeout_s} s", detail + _log_tail(sandbox, index)
            )
        sleep(POLL_S)


def start_services(
    sandbox: Sandbox,
    services: Sequence[ServiceSpec],
    tr: Transcript,
    *,
    beat: Callable[[], None] = lambda: None,
) -> None:
    """Start every service in order (a later one may need an earlier one), each healthy before
    the next; record a `service` event for each. Raises ServiceFailed at the first failure."""
    for index, service in enumerate(services):
        try:
            seconds = start_service(sandbox, index, service, beat=beat)
        except ServiceFailed as exc:
            tr.add("service", command=service.command, healthy=False, error=str(exc), output=exc.detail)
            raise
        tr.add("service", command=service.command, healthy=True, seconds=round(seconds, 3))
