"""The run job: claim a run row, execute one attempt in a sandbox, record the outcome.

A run's whole life, drawn: docs/architecture.md.

This is where the database lifecycle (core/services/runs.py) meets execution
(workers/execution.py). Outcome classes stay apart: an attempt that ran to the end is `completed`
with its score and stop reason; an infrastructure failure is re-queued up to max_attempts and then
ends as `infra_error`; a run cancelled (or taken over after a presumed death) while executing is
abandoned without writing anything, its container removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.db import session_scope
from core.model_keys import key_problem
from core.models import Run, TaskVersion
from core.schemas import AttemptUsage, RunResult
from core.services import batches as batch_svc
from core.services import runs as run_svc
from core.services.transcript_storage import archive_ended_attempt
from core.settings import Settings, get_settings
from core.states import RunStatus, WireApi
from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec, SolutionSpec
from workers.execution import (
    REASON_CONFIG,
    REASON_GPU,
    REASON_PROVIDER,
    AgentConfig,
    AttemptSpec,
    InfraError,
    TaskBundle,
    execute_attempt,
)
from workers.metering import AttemptMeter
from workers.providers.config import ModelConfig
from workers.sandbox import get_backend
from workers.task_gpus import attempt_owner, held_gpus
from workers.transcript import Transcript
from workers.transcript_store import live_transcript

log = logging.getLogger(__name__)


class RunLost(Exception):
    """The run is no longer this attempt's: it was cancelled, or reaped and re-queued."""


def worker_name() -> str:
    """This process's name as run rows record it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def bundle_of(version: TaskVersion) -> TaskBundle:
    """A stored task version as the execution layer wants it."""
    return TaskBundle(
        task_id=version.task_id,
        version=version.version,
        instructions=version.instructions,
        environment=EnvironmentSpec.model_validate(version.environment),
        scorer=ScorerSpec.model_validate(version.scorer),
        solution=SolutionSpec.model_validate(version.solution) if version.solution else None,
        limits=ResourceLimits.model_validate(version.limits),
        time_limit_s=float(version.time_limit_s),
    )


def attempt_spec(session: Session, run_id: int, attempt: int) -> AttemptSpec:
    """Everything the attempt needs, read from the database in one go."""
    run = run_svc.get_run(session, run_id)
    agent = run.agent
    model = agent.model
    return AttemptSpec(
        run_id=run.id,
        attempt=attempt,
        task=bundle_of(run.task_version),
        agent=AgentConfig(name=agent.name, scaffold=agent.scaffold, settings=dict(agent.settings or {})),
        model=(
            ModelConfig(
                name=model.api_model,
                provider=model.provider,
                base_url=model.base_url,
                api_key_env=model.api_key_env,
                input_price_per_mtok=model.input_price_per_mtok,
                output_price_per_mtok=model.output_price_per_mtok,
                cached_input_price_per_mtok=model.cached_input_price_per_mtok,
                cache_write_price_per_mtok=model.cache_write_price_per_mtok,
                context_window=model.context_window,
                max_output_tokens=model.max_output_tokens,
                wire_api=WireApi(model.wire_api),
                managed=model.managed,
                server_template=model.server_template,
                weights=model.weights,
                gpus=model.gpus,
            )
            if model is not None
            else None
        ),
    )


@contextlib.contextmanager
def _keepalive(beat: Callable[[], None], interval_s: float) -> Iterator[None]:
    """Call `beat` every `interval_s` in a thread until the block ends (errors surface later,
    at the attempt's own heartbeat)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                beat()
            except Exception:
                return

    thread = threading.Thread(target=loop, name="run-keepalive", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def check_model(model: ModelConfig | None, settings: Settings) -> None:
    """Refuse, before any key is read or process started, a stored model that breaks the key rule
    (core/model_keys.py) or names a server template this worker does not have: rows made before
    these rules, or under other settings, get no further than this (an infrastructure failure)."""
    if model is None:
        return
    problem = key_problem(
        api_key_env=model.api_key_env,
        base_url=model.base_url,
        provider=model.provider,
        managed=model.managed,
        settings=settings,
    )
    if problem is not None:
        raise InfraError(REASON_CONFIG, f"model {model.name!r} refused by this worker: {problem}")
    if model.managed:
        templates = settings.server_templates()
        if not model.server_template or model.server_template not in templates:
            known = ", ".join(sorted(templates)) or "none"
            raise InfraError(
                REASON_CONFIG,
                f"model {model.name!r} names the server template {model.server_template!r}, which "
                f"this worker does not have (HORIZON_INFERENCE_TEMPLATES; configured: {known}); "
                "nothing was started",
            )


@contextlib.contextmanager
def _resolved_model(spec: AttemptSpec, settings: Settings) -> Iterator[AttemptSpec]:
    """Check the model; for a managed one, start (or reuse) its inference server and point the
    spec at it."""
    check_model(spec.model, settings)
    if spec.model is None or not spec.model.managed:
        yield spec
        return
    from workers.gpu_host import GpuUnavailable
    from workers.inference_server import InferenceServerError, default_manager

    with contextlib.ExitStack() as stack:
        # Only the start is translated: what the attempt raises inside the block passes untouched.
        try:
            manager = default_manager(settings.server_templates(), settings)
            model = stack.enter_context(manager.lease(spec.model))
        except GpuUnavailable as exc:
            raise InfraError(REASON_GPU, f"model {spec.model.name!r}'s inference server: {exc}") from exc
        except InferenceServerError as exc:
            raise InfraError(REASON_PROVIDER, str(exc)) from exc
        log.info("model %s is served by a managed inference server at %s", model.name, model.base_url)
        yield replace(spec, model=model)


def execute_claimed_run(
    run_id: int,
    settings: Settings | None = None,
    listener: Callable[[dict[str, Any]], None] | None = None,
) -> str | None:
    """Claim `run_id` and run one attempt. Returns the run's resulting status, or None when the
    run was not claimable (already taken, finished or cancelled) or was lost while running."""
    settings = settings or get_settings()
    with session_scope(settings) as session:
        attempt = run_svc.claim_run(session, run_id, worker_name())
        if attempt is None:
            log.info("run %s is not queued any more; nothing to do", run_id)
            return None
        spec = attempt_spec(session, run_id, attempt)

    def beat() -> None:
        try:
            with session_scope(settings) as s:
                owned = run_svc.heartbeat(s, run_id, attempt)
        except OperationalError as exc:
            # A database outage must not abort the attempt: if it outlasts stale_after_s the
            # reaper re-queues the run, and the guarded result write then discards this attempt.
            log.warning("run %s attempt %s: heartbeat not stored: %s", run_id, attempt, _first_line(exc))
            return
        if not owned:
            raise RunLost(f"run {run_id} attempt {attempt} was cancelled or taken over")

    log.info("run %s attempt %s: %s on %s", run_id, attempt, spec.agent.name, spec.task.task_id)
    # Outside the attempt, so that whatever way it ends, what it spent is recorded.
    meter = AttemptMeter()
    started = time.monotonic()

    def used(times: Mapping[str, float | None] | None = None) -> AttemptUsage:
        """What the meter counted; the times are the agent's clock's where it had started (what
        its time limit counts: workers/scaffolds/clock.py), else the attempt's wall time."""
        usage = meter.usage(wall_s=round(time.monotonic() - started, 3))
        times = times or {}
        working, wall, wait = (times.get(k) for k in ("working_s", "wall_s", "provider_wait_s"))
        if working is None or wall is None:
            return usage
        return replace(usage, working_s=working, wall_s=wall, provider_wait_s=wait or usage.provider_wait_s)

    try:
        # Starting a managed inference server can take minutes: keep the heartbeat fresh meanwhile.
        # The backend's client is closed at the end (a threaded worker makes one per attempt).
        with (
            contextlib.closing(
                get_backend(settings.sandbox_backend, settings.docker_host, settings)
            ) as backend,
            _keepalive(beat, settings.heartbeat_interval_s),
            _resolved_model(spec, settings) as resolved,
            # The task's GPUs, this host's, held until the attempt ends (workers/task_gpus.py).
            held_gpus(spec.task.limits, attempt_owner("run", run_id, attempt, settings), settings) as gpus,
            # Each event is stored as it happens (readable live); the block's end writes the rest.
            live_transcript(run_id, attempt, settings, forward=listener) as live,
        ):
            transcript = Transcript.scrubbing_env(
                [resolved.model.api_key_env] if resolved.model else [],
                listener=live,
                max_events=settings.transcript_max_events,
                max_bytes=settings.transcript_max_bytes,
            )
            outcome = execute_attempt(
                replace(resolved, gpu_devices=gpus),
                backend,
                heartbeat=beat,
                transcript=transcript,
                heartbeat_interval_s=settings.heartbeat_interval_s,
                meter=meter,
            )
    except RunLost as exc:
        log.warning("%s; abandoned", exc)
        _record_abandoned(run_id, attempt, used(), settings)
        return None
    except InfraError as exc:
        return _infra_failure(run_id, attempt, str(exc), settings, exc.transcript, used(exc.times))
    except Exception as exc:
        # A failure of ours (or of a daemon) is never charged to the model. Its traceback goes to
        # this log only: the stored error is public, and names the failure by its type.
        log.exception("run %s attempt %s: unexpected failure", run_id, attempt)
        detail = f"unexpected {type(exc).__name__} in the worker; details are in the worker's log"
        return _infra_failure(run_id, attempt, detail, settings, None, used())

    result = RunResult(
        stop_reason=outcome.stop_reason,
        score_cont=outcome.score_cont,
        score_binarized=outcome.score_binarized,
        tokens_in=outcome.input_tokens,
        tokens_out=outcome.output_tokens,
        cost_usd=outcome.cost_usd,
        transcript=outcome.transcript,
        usage=used(
            {
                "working_s": outcome.working_s,
                "wall_s": outcome.wall_s,
                "provider_wait_s": outcome.provider_wait_s,
            }
        ),
    )

    def store() -> bool:
        with session_scope(settings) as session:
            return run_svc.finish_run(session, run_id, attempt, result)

    if not _retrying_db(store, settings, f"storing run {run_id} attempt {attempt}"):
        log.warning("run %s attempt %s finished but no longer owns the run; discarded", run_id, attempt)
        return None
    # Its transcript is whole now: out of the rows into the archive, when that is on.
    archive_ended_attempt(settings, run_id, attempt)
    _after_final(run_id, settings)
    return RunStatus.COMPLETED


T = TypeVar("T")


def _first_line(exc: BaseException) -> str:
    return str(exc).split("\n")[0]


def _retrying_db(write: Callable[[], T], settings: Settings, what: str) -> T:
    """Run a database write, retrying while the database is unreachable (for up to stale_after_s).

    A write that committed before its connection broke is safe to repeat: every run write is
    guarded by the attempt number and status, so the repeat finds nothing to change.
    """
    deadline = time.monotonic() + settings.stale_after_s
    delay = 0.5
    while True:
        try:
            return write()
        except OperationalError as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("%s: database unreachable, retrying in %.1f s: %s", what, delay, _first_line(exc))
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _after_final(run_id: int, settings: Settings) -> None:
    """Once a batch's last run has ended, queue the horizon analysis."""
    with session_scope(settings) as session:
        run = session.get(Run, run_id)
        if run is not None:
            batch_svc.request_analysis_if_finished(session, run.batch_id)


def _record_abandoned(run_id: int, attempt: int, usage: AttemptUsage, settings: Settings) -> None:
    """A cancelled or taken-over attempt writes nothing about the run, but what it spent counts."""

    def store() -> None:
        with session_scope(settings) as session:
            run_svc.record_abandoned_attempt(session, run_id, attempt, usage)

    _retrying_db(store, settings, f"recording run {run_id} attempt {attempt}'s spend")


def _infra_failure(
    run_id: int,
    attempt: int,
    error: str,
    settings: Settings,
    transcript: list[dict[str, Any]] | None,
    usage: AttemptUsage,
) -> str | None:
    log.error("run %s attempt %s: infrastructure failure: %s", run_id, attempt, error.splitlines()[0])

    def store() -> str | None:
        with session_scope(settings) as session:
            return run_svc.record_infra_failure(
                session, run_id, attempt, error, settings, transcript, usage=usage
            )

    status = _retrying_db(store, settings, f"recording run {run_id} attempt {attempt}'s failure")
    if status is not None:
        archive_ended_attempt(settings, run_id, attempt)
    if status == RunStatus.INFRA_ERROR:
        _after_final(run_id, settings)
    return status


def run_is_alive(run_id: int, attempt: int, settings: Settings | None = None) -> bool:
    """True when the run's current attempt is still running (used by the container reaper).

    Sandboxes with a run id of 0 or below are not run attempts (task health checks, baseline
    scoring): their owner removes them, so the reaper leaves them alone."""
    if run_id <= 0:
        return True
    with session_scope(settings or get_settings()) as session:
        run = session.get(Run, run_id)
        return run is not None and run.status == RunStatus.RUNNING and run.attempt == attempt
