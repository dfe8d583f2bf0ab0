"""The states rows can be in, why runs stop, and the names of jobs: one definition each.

Each is a `StrEnum`, so a member *is* the string stored in the database, sent in JSON and put on
the queue (`RunStatus.QUEUED == "queued"`); nothing stored changes by using them. The database
refuses any other value (CHECK constraints, migration 0008, declared on the models too), so adding
a member needs a migration that widens the constraint: the migrations keep their own frozen copy
of the values.

Batches have no stored state: a batch is cancelled when `cancelled_at` is set and done when all of
its runs are in a final `RunStatus` (`core.services.batches.batch_out`); storing a state as well
would be a second truth that could disagree with its runs.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """A run's lifecycle, kept apart from its outcome (score and `StopReason`)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"  # the attempt ran to the end and was scored
    INFRA_ERROR = "infra_error"  # our failure (sandbox, provider, worker) after max attempts
    CANCELLED = "cancelled"


# A run in one of these may still change; one in a final status never does.
ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
FINAL_RUN_STATUSES = (RunStatus.COMPLETED, RunStatus.INFRA_ERROR, RunStatus.CANCELLED)


class StopReason(StrEnum):
    """Why an attempt ended (stored in runs.stop_reason; NULL for runs that did not complete).

    Scaffolds end with one of these; an attempt whose scaffold reports anything else is the
    scaffold's bug and ends as an infrastructure failure (workers/execution.py)."""

    SUBMITTED = "submitted"
    TOKEN_LIMIT = "token_limit"
    TIME_LIMIT = "time_limit"
    COST_LIMIT = "cost_limit"
    ACTION_LIMIT = "action_limit"
    AGENT_ERROR = "agent_error"  # the agent's attempt failed (e.g. its context overflowed)


class RunAttemptStatus(StrEnum):
    """One attempt of a run (a run_attempts row); a run has one row per attempt it started."""

    RUNNING = "running"
    COMPLETED = "completed"  # ran to the end and was scored: the run's result
    INFRA_ERROR = "infra_error"  # our failure; the run was re-queued or ended infra_error
    ABANDONED = "abandoned"  # cancelled, or its worker was presumed dead and the run taken over


class WireApi(StrEnum):
    """How a model of an OpenAI-format endpoint is spoken to (models.wire_api)."""

    CHAT = "chat"  # Chat Completions: OpenAI and every OpenAI-compatible server (vLLM, llama.cpp)
    RESPONSES = "responses"  # OpenAI's Responses API: reasoning items carried between turns


class AttemptStatus(StrEnum):
    """A person's timed baselining attempt."""

    ACTIVE = "active"  # the clock runs
    PAUSED = "paused"
    SCORING = "scoring"  # submitted; the scoring job has been sent
    SCORED = "scored"  # scored and stored as a human baseline
    PENDING = "pending"  # submitted, but no sandbox could score it yet
    ERROR = "error"  # the task's scorer failed (a task problem, not the person's)
    ABANDONED = "abandoned"


# The person may still act on an attempt in one of these.
OPEN_ATTEMPT_STATUSES = (AttemptStatus.ACTIVE, AttemptStatus.PAUSED)


class AnalysisStatus(StrEnum):
    """A horizon analysis (an analysis_results row)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # its result is stored
    FAILED = "failed"  # the inputs could not be fitted; `error` says why
    CANCELLED = "cancelled"


# An analysis in one of these may still be cancelled; its job stops at the next check.
ACTIVE_ANALYSIS_STATUSES = (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING)


class ImportJobStatus(StrEnum):
    """An admin's uploaded task import that a worker carries out (a task_import_jobs row)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every task answered (imported or refused); `result` says which
    FAILED = "failed"  # nothing stored; `error` says why


# A job in one of these may still be picked up (a redelivered message runs it again).
ACTIVE_IMPORT_JOB_STATUSES = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)


class BaselineSource(StrEnum):
    """Where a human baseline's time comes from (human_baselines.source). A task's derived human
    time (tasks.human_minutes_source) is `BASELINE` or `ESTIMATE`: timed ones count as baselines."""

    BASELINE = "baseline"  # a person's attempt, recorded by hand (API, web form, folders)
    ESTIMATE = "estimate"
    TIMED = "timed"  # a person's attempt timed in Horizon; only the server makes these


class Role(StrEnum):
    """What an API token may do (docs/security.md, "Roles")."""

    VIEWER = "viewer"
    SUBMITTER = "submitter"
    ADMIN = "admin"


class JobName(StrEnum):
    """The names jobs are registered and sent under (workers/jobs.py, core/queue.py). They are
    Celery task names too: renaming one strands the messages already queued under the old name."""

    EXECUTE_RUN = "runs.execute"
    REAP_STALE_RUNS = "runs.reap_stale"
    REQUEUE_LOST_RUNS = "runs.requeue_lost"
    FIT_ANALYSIS = "analysis.fit"
    RECOMPUTE_HUMAN_TIME = "human_time.recompute"
    SCORE_ATTEMPT = "baselines.score_attempt"
    PAUSE_IDLE_ATTEMPTS = "baselines.pause_idle"
    IMPORT_TASKS = "imports.tasks"
    MAINTAIN_TRANSCRIPTS = "transcripts.maintain"
    CHECK_TASK_HEALTH = "tasks.health_check"
