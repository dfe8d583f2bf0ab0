"""Executing one attempt of one run: image, sandbox, scaffold, scorer, teardown.

`execute_attempt` is what the run job calls once it has claimed a run. It never touches the
database; it reports through its return value, the transcript and exceptions:

- it returns an `AttemptOutcome` when the attempt ran to the end: the agent submitted or hit a
  limit, and the scorer printed a score. A model that fails the task gets a score of 0 here.
- it raises `InfraError` (with a `reason`) when the attempt says nothing about the agent: the image
  did not build, the sandbox failed, the provider stayed down after retries, the scaffold crashed,
  or the scorer did not print a valid score. Such a run is retried and never enters a fit.
- it lets whatever the `heartbeat` callable raises (the run job's "cancelled" signal) propagate
  unchanged, after removing the container.

The scorer rule: the scorer runs as root after every agent process has been killed, with the work
directory as cwd and the submission in `/scorer/submission.txt` (also `$HORIZON_SUBMISSION_FILE`).
Its last non-empty stdout line must be a number in [0, 1]; that number is the score whatever the
exit status. A scorer that prints no such number (crash, timeout, out-of-range value) is a broken
task, so InfraError. A scorer must therefore print 0 itself when the agent's output is missing or
unreadable: an agent that breaks its own environment scores 0, it does not cause an infra error.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from core.settings import Settings, get_settings
from core.states import StopReason
from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec, SolutionSpec, over_maxima
from workers.metering import AttemptMeter, MeteredClient
from workers.providers.base import ContextWindowExceeded, ModelClient, ProviderError, ProviderOutage
from workers.providers.config import ModelConfig
from workers.providers.transport import WaitBudget
from workers.sandbox.base import BindMount, ImageBuildError, Sandbox, SandboxBackend, SandboxError
from workers.scaffolds.base import AgentLimits, SandboxSetup, Scaffold, ScaffoldContext, ScaffoldResult
from workers.scaffolds.clock import AttemptClock
from workers.scaffolds.registry import UnknownScaffold, get_scaffold
from workers.task_services import ServiceFailed, start_services
from workers.transcript import Transcript

log = logging.getLogger(__name__)

SCORER_DIR = "/scorer"
SUBMISSION_FILE = f"{SCORER_DIR}/submission.txt"

# InfraError reasons.
REASON_IMAGE_BUILD = "image_build"
REASON_SANDBOX = "sandbox"
REASON_PROVIDER = "provider_outage"
REASON_SCAFFOLD = "scaffold_error"
REASON_SCORER = "scorer"
REASON_CONFIG = "config"
# A task service (task.yaml `services:`) did not start or become healthy: the task's failure.
REASON_SERVICE = "service"
# Where per-attempt folders for in-sandbox agents are made (their model socket: a path of at most
# 107 bytes, so the folder's is kept well under).
AGENT_SOCKET_DIR_ENV = "HORIZON_AGENT_SOCKET_DIR"
MAX_AGENT_DIR_CHARS = 80
REASON_GPU = "gpu"


class InfraError(Exception):
    """The attempt failed for a reason that is not the agent's; the run is retried, never scored.

    `reason` is one of the REASON_* strings; `transcript` holds the events recorded so far.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.transcript: list[dict[str, Any]] = []
        # The agent's working_s, wall_s and provider_wait_s when it had started (AttemptClock).
        self.times: dict[str, float] = {}


@dataclass(frozen=True)
class TaskBundle:
    """Everything about one task version that an attempt needs."""

    task_id: str
    version: int
    instructions: str
    environment: EnvironmentSpec
    scorer: ScorerSpec
    solution: SolutionSpec | None
    limits: ResourceLimits
    time_limit_s: float


@dataclass(frozen=True)
class AgentConfig:
    """A scaffold and its settings (limits: token_limit, time_limit_s, cost_limit_usd,
    action_limit, command_timeout_s, wall_time_limit_s, outage_budget_s; anything else is for the
    scaffold)."""

    name: str
    scaffold: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AttemptSpec:
    """Everything one attempt needs, read from the database before any sandbox starts."""

    run_id: int
    attempt: int
    task: TaskBundle
    agent: AgentConfig
    model: ModelConfig | None
    # Ids of the GPUs held for this attempt (the task's `resources.gpus`; workers/task_gpus.py).
    gpu_devices: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt produced: stop reason, score, usage, transcript and how long each stage took."""

    stop_reason: StopReason
    score_cont: float
    score_binarized: int
    submission: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    transcript: list[dict[str, Any]]
    # image_s, create_s, agent_s, score_s, teardown_s, total_s
    timings: dict[str, float]
    actions: int = 0
    # The agent's time (AttemptClock): working_s = wall_s - provider_wait_s, the part the time
    # limit counts; provider_wait_s is rate limits, retries, backoff and queueing for a slot.
    working_s: float | None = None
    wall_s: float | None = None
    provider_wait_s: float = 0.0


def outage_budget_s(settings: dict[str, Any]) -> float:
    """Seconds an attempt may wait on its provider: the agent's `outage_budget_s`, else the
    worker's HORIZON_PROVIDER_OUTAGE_BUDGET_S."""
    value = settings.get("outage_budget_s")
    return float(value) if value is not None else get_settings().provider_outage_budget_s


def agent_limits(settings: dict[str, Any], task_time_limit_s: float | None) -> AgentLimits:
    """AgentLimits from an agent's settings; the time limit is the tighter of agent's and task's.

    The time limit counts working time; the wall-clock cap is the agent's `wall_time_limit_s`,
    else the time limit plus the outage budget (none without a time limit).
    """

    def number(key: str) -> float | None:
        value = settings.get(key)
        return None if value is None else float(value)

    time_limits = [t for t in (number("time_limit_s"), task_time_limit_s) if t is not None and t > 0]
    token_limit = number("token_limit")
    action_limit = number("action_limit")
    time_limit_s = min(time_limits) if time_limits else None
    wall_limit_s = number("wall_time_limit_s")
    if wall_limit_s is None and time_limit_s is not None:
        wall_limit_s = time_limit_s + outage_budget_s(settings)
    return AgentLimits(
        token_limit=int(token_limit) if token_limit is not None else None,
        time_limit_s=time_limit_s,
        wall_time_limit_s=wall_limit_s,
        cost_limit_usd=number("cost_limit_usd"),
        action_limit=int(action_limit) if action_limit is not None else None,
        command_timeout_s=number("command_timeout_s") or AgentLimits.command_timeout_s,
    )


def parse_score(stdout: str) -> float | None:
    """The number on the last non-empty line of `stdout`, if it is a finite value in [0, 1]."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        value = float(lines[-1])
    except ValueError:
        return None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return None
    return value


class _Heartbeat:
    """Serialises calls to the run job's heartbeat from the scaffold and from a keepalive thread.

    The keepalive thread keeps the run's heartbeat fresh while one long command blocks the
    scaffold. If the heartbeat raises (run cancelled), the error is kept, the sandbox is removed at
    once (which unblocks any running command) and every later call raises the same error.
    """

    def __init__(self, beat: Callable[[], None], interval_s: float) -> None:
        self._beat = beat
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.on_cancel: Callable[[], None] | None = None

    def __call__(self) -> None:
        with self._lock:
            if self.error is not None:
                raise self.error
            try:
                self._beat()
            except BaseException as exc:
                self.error = exc
                raise

    def _keepalive(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self()
            except BaseException:
                callback = self.on_cancel
                if callback is not None:
                    try:
                        callback()
                    except Exception:  # noqa: BLE001 - teardown in finally retries
                        pass
                return

    @contextmanager
    def running(self) -> Iterator[None]:
        if self._interval_s > 0:
            self._thread = threading.Thread(target=self._keepalive, name="attempt-heartbeat", daemon=True)
            self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            if self._thread is not None:
                self._thread.join(timeout=30)


@contextmanager
def _timed(timings: dict[str, float], key: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        timings[key] = round(time.monotonic() - started, 4)


def execute_attempt(
    spec: AttemptSpec,
    backend: SandboxBackend,
    *,
    heartbeat: Callable[[], None],
    transcript: Transcript | None = None,
    model_client: ModelClient | None = None,
    heartbeat_interval_s: float = 5.0,
    meter: AttemptMeter | None = None,
) -> AttemptOutcome:
    """Run one attempt of `spec` in a fresh sandbox from `backend`; see the module docstring.

    Every model call goes through a `MeteredClient` that counts into `meter`, which the caller
    keeps: it still says what the attempt spent when the attempt raises.

    `heartbeat` is called between steps, often by the scaffold, and every `heartbeat_interval_s`
    from a helper thread while a step blocks (calls never overlap). When it raises, the sandbox is
    removed and its exception propagates. The container is removed in every case.
    """
    tr = transcript or Transcript.scrubbing_env([spec.model.api_key_env] if spec.model else [])
    timings: dict[str, float] = {}
    beat = _Heartbeat(heartbeat, heartbeat_interval_s)
    started = time.monotonic()
    tr.add(
        "task_start",
        task_id=spec.task.task_id,
        task_version=spec.task.version,
        run_id=spec.run_id,
        attempt=spec.attempt,
        agent=spec.agent.name,
        scaffold=spec.agent.scaffold,
        model=spec.model.name if spec.model else None,
    )
    holder: dict[str, Sandbox] = {}
    try:
        with beat.running():
            try:
                outcome = _attempt(spec, backend, beat, tr, model_client, timings, holder, meter)
            finally:
                _teardown(holder.get("sandbox"), tr, timings)
    except BaseException as exc:
        if beat.error is not None:
            tr.add("cancelled", error=f"{type(beat.error).__name__}: {beat.error}")
            raise beat.error from None
        if isinstance(exc, InfraError):
            exc.transcript = tr.events
            tr.add("infra_error", reason=exc.reason, message=exc.message)
        raise
    timings["total_s"] = round(time.monotonic() - started, 4)
    tr.add("task_end", stop_reason=outcome.stop_reason, score=outcome.score_cont, timings=dict(timings))
    return replace(outcome, timings=timings, transcript=tr.events)


def check_maxima(limits: ResourceLimits, time_limit_s: float, settings: Settings | None = None) -> None:
    """A stored version may ask for more than the operator allows now (stored before the maxima
    were lowered): refuse it as a configuration error rather than run it with other limits, which
    would measure a different task. The fix is to lower the task's limits or raise the maxima."""
    maxima = (settings or get_settings()).task_maxima()
    found = over_maxima(limits, time_limit_s, maxima)
    if found:
        reasons = "; ".join(f"{key} {message}" for key, message in found)
        raise InfraError(
            REASON_CONFIG,
            f"the task version asks for more than this server allows: {reasons}; "
            "lower the task's limits (a new version) or raise the HORIZON_TASK_MAX_* settings",
        )


def sandbox_setup(scaffold: Scaffold) -> SandboxSetup:
    """What the scaffold needs of its sandbox beyond the task's image (most need nothing)."""
    method = getattr(scaffold, "sandbox_setup", None)
    return method() if callable(method) else SandboxSetup()


@contextmanager
def agent_dir(setup: SandboxSetup) -> Iterator[tuple[str | None, tuple[BindMount, ...]]]:
    """A folder for the attempt and its read-only mount, when the scaffold asked for one; removed
    at the end. Made under HORIZON_AGENT_SOCKET_DIR (default: the system's temporary folder), which
    the Docker daemon must see at the same path (docs/operations.md, "In-sandbox agents")."""
    if setup.agent_dir_target is None:
        yield None, ()
        return
    root = os.environ.get(AGENT_SOCKET_DIR_ENV, "").strip() or None
    try:
        folder = tempfile.mkdtemp(prefix="hz-", dir=root)
    except OSError as exc:
        raise InfraError(REASON_CONFIG, f"cannot make the agent's folder under {root}: {exc}") from exc
    try:
        if len(folder) > MAX_AGENT_DIR_CHARS:
            raise InfraError(
                REASON_CONFIG,
                f"{AGENT_SOCKET_DIR_ENV} makes folders of {len(folder)} characters; a Unix socket's "
                f"path must stay under 108, so keep it under {MAX_AGENT_DIR_CHARS}",
            )
        # The sandbox's unprivileged user must reach the socket inside.
        os.chmod(folder, 0o755)
        yield folder, (BindMount(folder, setup.agent_dir_target, read_only=True),)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _teardown(sandbox: Sandbox | None, tr: Transcript, timings: dict[str, float]) -> None:
    if sandbox is None:
        return
    with _timed(timings, "teardown_s"):
        try:
            sandbox.close()
        except SandboxError as exc:
            # The score stands; the orphan reaper removes the container later.
            tr.add("teardown_error", message=str(exc))


def _attempt(
    spec: AttemptSpec,
    backend: SandboxBackend,
    beat: _Heartbeat,
    tr: Transcript,
    model_client: ModelClient | None,
    timings: dict[str, float],
    holder: dict[str, Sandbox],
    meter: AttemptMeter | None,
) -> AttemptOutcome:
    task = spec.task
    env = task.environment
    beat()
    check_maxima(task.limits, task.time_limit_s)
    try:
        scaffold = get_scaffold(spec.agent.scaffold, spec.agent.settings)
    except (UnknownScaffold, ValueError) as exc:
        # A stored agent whose settings its scaffold refuses (rows made before a rule) is ours.
        raise InfraError(REASON_CONFIG, str(exc)) from exc
    setup = sandbox_setup(scaffold)
    with _timed(timings, "image_s"):
        try:
            image = backend.ensure_image(env)
            if setup.layer is not None:
                image = backend.ensure_agent_image(image, setup.layer)
        except ImageBuildError as exc:
            raise InfraError(REASON_IMAGE_BUILD, str(exc)) from exc
        except SandboxError as exc:
            raise InfraError(REASON_SANDBOX, str(exc)) from exc
    beat()
    with agent_dir(setup) as (agent_folder, mounts):
        return _attempt_in(
            spec,
            scaffold,
            backend,
            beat,
            tr,
            model_client,
            timings,
            holder,
            meter,
            image,
            agent_folder,
            mounts,
        )


def _attempt_in(
    spec: AttemptSpec,
    scaffold: Scaffold,
    backend: SandboxBackend,
    beat: _Heartbeat,
    tr: Transcript,
    model_client: ModelClient | None,
    timings: dict[str, float],
    holder: dict[str, Sandbox],
    meter: AttemptMeter | None,
    image: str,
    agent_folder: str | None,
    mounts: tuple[BindMount, ...],
) -> AttemptOutcome:
    task = spec.task
    env = task.environment
    with _timed(timings, "create_s"):
        try:
            sandbox = backend.create(
                image,
                limits=task.limits,
                workdir=env.workdir,
                run_id=spec.run_id,
                attempt=spec.attempt,
                gpu_devices=spec.gpu_devices,
                mounts=mounts,
            )
            holder["sandbox"] = sandbox
            beat.on_cancel = sandbox.close
            fill_sandbox(sandbox, env)
        except SandboxError as exc:
            raise InfraError(REASON_SANDBOX, str(exc)) from exc
    if env.services:
        # Before the agent's clock starts: waiting for a server is never the agent's time.
        with _timed(timings, "services_s"):
            start_task_services(sandbox, env, tr, beat)
    tr.add("sandbox_ready", image=image, workdir=env.workdir, seconds=timings["create_s"])
    beat()

    # The agent's clock starts now; its provider waits (all its model calls) are left out of the
    # working time that the time limit counts (workers/scaffolds/clock.py).
    waits = WaitBudget(
        outage_budget_s(spec.agent.settings),
        on_wait=meter.add_wait if meter is not None else None,
        on_event=tr.add,
    )
    clock = AttemptClock(lambda: waits.spent_s)
    with _timed(timings, "agent_s"):
        try:
            result = _run_scaffold(
                spec, scaffold, sandbox, beat, tr, model_client, meter, waits, clock, agent_folder
            )
        except InfraError as exc:
            exc.times = clock.readings()
            raise
    times = clock.readings()
    beat()
    with _timed(timings, "score_s"):
        score = run_scorer(sandbox, task.scorer, result.submission, tr)
    binarized = int(score >= task.scorer.threshold)
    tr.add("score", score=score, binarized=binarized, threshold=task.scorer.threshold)
    return AttemptOutcome(
        stop_reason=result.stop_reason,
        score_cont=score,
        score_binarized=binarized,
        submission=result.submission,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        cost_usd=result.cost_usd,
        transcript=[],
        timings={},
        actions=result.actions,
        **times,
    )


def _run_scaffold(
    spec: AttemptSpec,
    scaffold: Scaffold,
    sandbox: Sandbox,
    beat: _Heartbeat,
    tr: Transcript,
    model_client: ModelClient | None,
    meter: AttemptMeter | None,
    waits: WaitBudget,
    clock: AttemptClock,
    agent_folder: str | None = None,
) -> ScaffoldResult:
    """Run the scaffold; a model client created here is closed afterwards (its connection pool)."""
    holder: dict[str, ModelClient] = {}
    try:
        return _run_scaffold_inner(
            spec, scaffold, sandbox, beat, tr, model_client, holder, meter, waits, clock, agent_folder
        )
    finally:
        created = holder.get("client")
        close = getattr(created, "close", None)
        if callable(close):
            close()


def _run_scaffold_inner(
    spec: AttemptSpec,
    scaffold: Scaffold,
    sandbox: Sandbox,
    beat: _Heartbeat,
    tr: Transcript,
    model_client: ModelClient | None,
    holder: dict[str, ModelClient],
    meter: AttemptMeter | None,
    waits: WaitBudget,
    clock: AttemptClock,
    agent_folder: str | None,
) -> ScaffoldResult:
    if model_client is None and spec.model is not None and getattr(scaffold, "needs_model", True):
        try:
            from workers.providers.factory import make_client

            model_client = make_client(spec.model.for_agent(spec.agent.settings), waits=waits)
            holder["client"] = model_client
        except Exception as exc:  # noqa: BLE001 - a misconfigured model is not the agent's fault
            raise InfraError(REASON_CONFIG, f"cannot create a client for {spec.model.name}: {exc}") from exc
    if model_client is not None and meter is not None:
        model_client = MeteredClient(model_client, meter)
    limits = agent_limits(spec.agent.settings, spec.task.time_limit_s)
    ctx = ScaffoldContext(
        instructions=spec.task.instructions,
        sandbox=sandbox,
        model=model_client,
        limits=limits,
        transcript=tr,
        solution=spec.task.solution,
        heartbeat=beat,
        clock=clock,
        agent_dir=agent_folder,
    )
    tr.add("agent_start", limits=asdict(limits), outage_budget_s=waits.budget_s)
    try:
        result = scaffold.run(ctx)
    except InfraError:
        raise
    except ProviderOutage as exc:
        raise InfraError(REASON_PROVIDER, str(exc)) from exc
    except ContextWindowExceeded as exc:
        # The conversation outgrew the model even after trimming: the agent's attempt ends here.
        tr.add("error", message=f"context window exceeded: {exc}")
        result = ScaffoldResult(stop_reason=StopReason.AGENT_ERROR, submission=None)
    except ProviderError as exc:
        raise InfraError(REASON_PROVIDER, str(exc)) from exc
    except SandboxError as exc:
        if beat.error is not None:
            raise beat.error from None
        raise InfraError(REASON_SANDBOX, str(exc)) from exc
    except Exception as exc:
        if beat.error is not None:
            raise
        # The traceback (host paths, code) goes to the worker's log only: run errors and
        # transcripts are public, and a crash is named by its type there.
        log.error("run %s attempt %s: the scaffold crashed", spec.run_id, spec.attempt, exc_info=exc)
        raise InfraError(
            REASON_SCAFFOLD, f"the scaffold crashed ({type(exc).__name__}); details are in the worker's log"
        ) from exc
    if result.stop_reason not in tuple(StopReason):
        # The database stores only these (a CHECK constraint on runs.stop_reason): any other is a
        # bug of the scaffold's, not the agent's failure. Its value stays in this log (errors are public).
        log.error(
            "run %s attempt %s: unknown stop reason %.100r", spec.run_id, spec.attempt, result.stop_reason
        )
        raise InfraError(
            REASON_SCAFFOLD,
            f"the scaffold ended with an unknown stop reason (one of {', '.join(StopReason)})",
        )
    result = replace(result, stop_reason=StopReason(result.stop_reason))
    tr.add(
        "agent_end",
        stop_reason=result.stop_reason,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        cost_usd=result.cost_usd,
        actions=result.actions,
        **({"agent_info": result.agent_info} if result.agent_info else {}),
        **clock.readings(),
    )
    return result


def fill_sandbox(sandbox: Sandbox, env: EnvironmentSpec) -> None:
    """Put the task's files in a new sandbox's work directory. With a Dockerfile they were its
    build context (already in the image); without one they are the task's files."""
    if env.dockerfile is None and env.files:
        sandbox.put_files(env.files, sandbox.workdir)


def start_task_services(
    sandbox: Sandbox, env: EnvironmentSpec, tr: Transcript, beat: Callable[[], None]
) -> None:
    """Start the task's services (task.yaml `services:`) and wait until they are healthy;
    InfraError (REASON_SERVICE or REASON_SANDBOX) when they are not."""
    try:
        start_services(sandbox, env.services, tr, beat=beat)
    except ServiceFailed as exc:
        raise InfraError(REASON_SERVICE, f"{exc}; its output is in the transcript") from exc
    except SandboxError as exc:
        raise InfraError(REASON_SANDBOX, str(exc)) from exc


def run_scorer(sandbox: Sandbox, scorer: ScorerSpec, submission: str | None, tr: Transcript) -> float:
    """Score the attempt in its sandbox, by the scorer rule of this module's docstring: every
    process of the agent killed, the scorer's files and the submission copied to /scorer, the
    scorer run as root in the work directory. InfraError when it prints no valid score."""
    try:
        # Nothing the agent started may keep running (and changing files) while the scorer reads.
        sandbox.kill_user_processes()
        sandbox.put_files({**scorer.files, "submission.txt": submission or ""}, SCORER_DIR)
        command = (
            f"HORIZON_SUBMISSION_FILE={SUBMISSION_FILE}; export HORIZON_SUBMISSION_FILE\n{scorer.command}"
        )
        result = sandbox.exec(command, timeout_s=scorer.timeout_s, user="root")
    except SandboxError as exc:
        raise InfraError(REASON_SANDBOX, f"scoring failed: {exc}") from exc
    tr.add(
        "scorer",
        command=scorer.command,
        exit_code=result.exit_code,
        stdout=result.stdout,
        stderr=result.stderr,
        timed_out=result.timed_out,
        duration_s=round(result.duration_s, 3),
    )
    score = None if result.timed_out else parse_score(result.stdout)
    if score is None:
        why = "timed out" if result.timed_out else f"exited {result.exit_code} without a score in [0, 1]"
        # Not the scorer's output: this message becomes the run's public error. The output is in
        # the `scorer` event above, which only the task's owner and admins read.
        raise InfraError(
            REASON_SCORER,
            f"scorer {why} (the last stdout line must be a number); its output is in the transcript",
        )
    return score
