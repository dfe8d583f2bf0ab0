"""The `oracle` scaffold: runs the task's reference solution instead of a model.

It checks that a task is solvable in its own sandbox (the oracle must score 1) and measures the
orchestration cost of an attempt without a model. The solution's files are copied to /solution
(root-owned, readable by the agent user), then its command runs as the agent in the work directory.
"""

from __future__ import annotations

from typing import Any

from core.states import StopReason
from workers.scaffolds.base import ScaffoldContext, ScaffoldResult

SOLUTION_DIR = "/solution"
SUBMISSION_MAX_CHARS = 10_000


class NoReferenceSolution(ValueError):
    """The oracle was asked to run a task that has no reference solution."""


class OracleScaffold:
    """Runs the reference solution's command once; stop reason `submitted` (or `time_limit`)."""

    name = "oracle"
    needs_model = False

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Copy the solution in, run its command within the time limit, submit its stdout."""
        if ctx.solution is None:
            raise NoReferenceSolution("the oracle scaffold needs a task with a reference solution")
        ctx.heartbeat()
        ctx.sandbox.put_files(ctx.solution.files, SOLUTION_DIR)
        timeout = ctx.limits.time_limit_s or ctx.limits.command_timeout_s
        result = ctx.sandbox.exec(ctx.solution.command, timeout_s=timeout)
        ctx.transcript.add(
            "command",
            command=ctx.solution.command,
            exit_code=result.exit_code,
            stdout=result.stdout,
            stderr=result.stderr,
            timed_out=result.timed_out,
            duration_s=round(result.duration_s, 3),
            stdout_bytes=result.stdout_bytes,
            stderr_bytes=result.stderr_bytes,
        )
        ctx.heartbeat()
        if result.timed_out:
            return ScaffoldResult(stop_reason=StopReason.TIME_LIMIT, submission=None, actions=1)
        submission = result.stdout.strip()[-SUBMISSION_MAX_CHARS:]
        ctx.transcript.add("submit", submission=submission)
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission=submission, actions=1)
