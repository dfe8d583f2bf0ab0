"""Scoring a person's answer to a task in a sandbox (the `baselines.score_attempt` job).

The answer goes through the same path as an agent's: `workers.execution.execute_attempt` builds the
task's image, starts a sandbox with the task's environment, lets a scaffold act, then runs the
task's scorer. The scaffold here (`HumanAnswerScaffold`) does only what a person's submission
does: it writes the answer to `submission.txt` in the work directory and submits it (the scorer
then also finds it in `/scorer/submission.txt`). Outcomes:

- a score: stored on the attempt and as a human baseline (`core.services.baselining.record_score`);
- no sandbox can be reached: the attempt stays `pending` with a message and can be scored again;
- the task's scorer or image is broken, the task version is gone, or the score cannot be stored
  (e.g. a time past the limit): the attempt is marked `error` with the reason (never the scorer's
  output: the person timing the attempt may not read the task's answers; the log has it).

Every outcome is a final state with a message; only a database outage sends the job again later.

Sandboxes for scoring carry their own instance label (`<instance>-baselining`), so the run
reaper, which removes containers of runs that are not running, never touches them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.db import session_scope
from core.errors import HorizonError
from core.models_baselining import BaseliningAttempt
from core.services import baselining as svc
from core.services.tasks import get_task, get_version
from core.settings import Settings, get_settings
from core.states import AttemptStatus, StopReason
from workers.execution import (
    REASON_SANDBOX,
    AgentConfig,
    AttemptSpec,
    InfraError,
    execute_attempt,
)
from workers.run_executor import bundle_of
from workers.sandbox.base import SandboxBackend, SandboxUnavailable
from workers.scaffolds.base import ScaffoldContext, ScaffoldResult

log = logging.getLogger(__name__)

SCAFFOLD_REF = "workers.baseline_scoring:HumanAnswerScaffold"
SUBMISSION_NAME = "submission.txt"
INSTANCE_SUFFIX = "-baselining"


class HumanAnswerScaffold:
    """Submits the answer a person typed: writes it to `submission.txt` in the work directory."""

    name = "human-answer"
    needs_model = False

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.answer = str((settings or {}).get("answer", ""))

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Put the answer where an agent's submission would be, and submit it."""
        ctx.heartbeat()
        ctx.sandbox.put_files({SUBMISSION_NAME: self.answer}, ctx.sandbox.workdir)
        ctx.transcript.add("submission", answer=self.answer, source="human")
        return ScaffoldResult(stop_reason=StopReason.SUBMITTED, submission=self.answer)


def scoring_backend(settings: Settings) -> SandboxBackend:
    """The sandbox backend for scoring, labelled apart from run sandboxes (so neither reaper
    removes the other's)."""
    from core.services.deployment import sandbox_instance
    from workers.sandbox import get_backend

    return get_backend(
        settings.sandbox_backend,
        settings.docker_host,
        settings,
        instance=sandbox_instance(settings) + INSTANCE_SUFFIX,
    )


def attempt_spec(session: Session, attempt: BaseliningAttempt) -> AttemptSpec:
    """The execution spec that scores `attempt`'s answer on the task version it was timed on."""
    version = get_version(get_task(session, attempt.task_id), attempt.task_version)
    return AttemptSpec(
        run_id=attempt.id,
        attempt=1,
        task=bundle_of(version),
        agent=AgentConfig(
            name=f"human:{attempt.baseliner}",
            scaffold=SCAFFOLD_REF,
            settings={"answer": attempt.answer or ""},
        ),
        model=None,
    )


def _reap_stale_scoring_sandboxes(backend: SandboxBackend, settings: Settings, current: int) -> None:
    """Remove scoring containers left by a worker that died mid-scoring (not the current one)."""

    def alive(attempt_id: int, _attempt: int) -> bool:
        if attempt_id == current:
            return True
        with session_scope(settings) as session:
            row = session.get(BaseliningAttempt, attempt_id)
            return row is not None and row.status == AttemptStatus.SCORING

    try:
        backend.reap_orphans(alive)
    except Exception as exc:  # noqa: BLE001 - cleanup must never block scoring
        log.info("could not sweep old scoring sandboxes: %s", exc)


def score_attempt(
    attempt_id: int, settings: Settings | None = None, backend: SandboxBackend | None = None
) -> str:
    """Score attempt `attempt_id` if it awaits scoring; returns the attempt's resulting status."""
    settings = settings or get_settings()
    with session_scope(settings) as session:
        attempt = svc.get_attempt(session, attempt_id)
        if attempt.status != AttemptStatus.SCORING:
            log.info("baselining attempt %s is %s; nothing to score", attempt_id, attempt.status)
            return attempt.status
        if svc.is_live(attempt):
            # Its work is in its live sandbox, which the web server holds and scores
            # (workers/live_baselining.py); a fresh sandbox would score an empty work directory.
            log.info("baselining attempt %s is scored in its own sandbox by the web server", attempt_id)
            return attempt.status
        problem: str | None = None
        try:
            spec = attempt_spec(session, attempt)
        except HorizonError as exc:
            problem = exc.message  # e.g. the task version is gone
    if problem is not None:
        message = f"the answer could not be scored: {problem}"
        return _unscored(settings, attempt_id, AttemptStatus.ERROR, message)
    threshold = spec.task.scorer.threshold

    try:
        backend = backend or scoring_backend(settings)
        _reap_stale_scoring_sandboxes(backend, settings, attempt_id)
        outcome = execute_attempt(spec, backend, heartbeat=lambda: None, heartbeat_interval_s=0)
    except InfraError as exc:
        if exc.reason == REASON_SANDBOX and isinstance(exc.__cause__, SandboxUnavailable):
            pending = _pending_message(str(exc.__cause__))
            return _unscored(settings, attempt_id, AttemptStatus.PENDING, pending)
        # The details may quote the scorer (the task's answers, which the person timing the
        # attempt may not read): they go to this log only.
        log.warning("scoring baselining attempt %s failed: %s", attempt_id, exc)
        return _unscored(settings, attempt_id, AttemptStatus.ERROR, svc.unscorable_message(exc.reason))
    except SandboxUnavailable as exc:
        return _unscored(settings, attempt_id, AttemptStatus.PENDING, _pending_message(str(exc)))
    except OperationalError:
        raise  # the database is down: the job is sent again later
    except Exception as exc:  # noqa: BLE001 - any other failure ends the attempt, never `scoring`
        log.exception("scoring baselining attempt %s failed", attempt_id)
        return _unscored(
            settings, attempt_id, AttemptStatus.ERROR, f"the answer could not be scored: {type(exc).__name__}"
        )

    try:
        with session_scope(settings) as session:
            stored = svc.record_score(session, attempt_id, outcome.score_cont, threshold)
            if stored is None:
                log.info("baselining attempt %s was not stored as a baseline by this job", attempt_id)
            return svc.get_attempt(session, attempt_id).status
    except OperationalError:
        raise
    except Exception as exc:  # noqa: BLE001 - the score could not be stored: say so, finally
        log.exception("storing the score of baselining attempt %s failed", attempt_id)
        reason = exc.message if isinstance(exc, HorizonError) else type(exc).__name__
        return _unscored(
            settings,
            attempt_id,
            AttemptStatus.ERROR,
            f"scored {outcome.score_cont:g}, but the baseline could not be stored: {reason}",
        )


def _pending_message(reason: str) -> str:
    return (
        "Pending: no sandbox is available to score the answer right now, so the baseline is not "
        f"stored yet. The time and the answer are kept; score it again once a sandbox works. ({reason})"
    )


def _unscored(settings: Settings, attempt_id: int, status: str, message: str) -> str:
    log.warning("baselining attempt %s left %s: %s", attempt_id, status, message.splitlines()[0])
    with session_scope(settings) as session:
        svc.record_unscored(session, attempt_id, status, message)
        return svc.get_attempt(session, attempt_id).status
