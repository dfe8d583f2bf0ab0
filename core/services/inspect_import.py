"""Store an Inspect eval log's scored samples as completed runs of an external agent.

Each sample in each epoch becomes one completed run (the epoch is its repeat), keyed by
`inspect:<eval id>:<sample id>:<epoch>`, so importing a log again, under any source name, adds
nothing. Its score is kept as `score_cont` and binarised with the threshold (success when the
score reaches it; 1 by default, METR's convention for 0/1 scores).

- The agent is named from the log's model and solver (or as the caller says) and made as an
  external agent when missing; one of Horizon's own agents is never given imported runs.
- The task is the sample's id, or the mapping file's `task_id` for it. A task Horizon has is used
  as it is. A missing one is created as an external task (placeholder content: it runs in
  Inspect, not here) in the mapping's family, else one named after the Inspect task. A sample id
  that is a bare number (Inspect numbers samples that have no id) names no task: it needs a
  mapping. This keeps two evals' sample "1" from becoming one task.
- Human time comes from the mapping file, else from the sample's `human_minutes` metadata, and is
  recorded as an estimate unless the mapping says `baseline`; it is added only to a task that has
  none. A task left without any is stored all the same, and fits leave it out until a human time
  is recorded (docs/method.md, section 5): none is ever made up.

Everything is checked before the first row is written, and the caller commits once: a refused
import stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.importers.common import ImportProblem, slug
from core.importers.inspect_log import InspectLog, InspectSample
from core.importers.sample_map import SampleMapping, check_task_id
from core.models import Agent, Run, Task, utcnow
from core.schemas import Name
from core.services.imports import EXTERNAL_SCAFFOLD, add_imported_human_time, ensure_task
from core.states import BaselineSource, RunStatus, StopReason

SOURCE_PREFIX = "inspect"
DEFAULT_THRESHOLD = 1.0
# How many tasks without a human time a summary names (it counts them all).
LISTED_TASKS = 20
_KEY_CHUNK = 1000
_NAME: TypeAdapter[str] = TypeAdapter(Name)
# Inspect's sample limits as Horizon's stop reasons; a sample that hit none submitted.
LIMIT_STOP_REASONS = {
    "token": StopReason.TOKEN_LIMIT,
    "context": StopReason.TOKEN_LIMIT,
    "time": StopReason.TIME_LIMIT,
    "working": StopReason.TIME_LIMIT,
    "cost": StopReason.COST_LIMIT,
    "message": StopReason.ACTION_LIMIT,
    "turn": StopReason.ACTION_LIMIT,
}


@dataclass(frozen=True)
class InspectImportOptions:
    """How to import: the threshold, and optionally the agent's name, its release date and the
    source name runs are marked with (default `inspect:<task>`)."""

    threshold: float = DEFAULT_THRESHOLD
    agent: str | None = None
    release_date: dt.date | None = None
    source: str | None = None


@dataclass(frozen=True)
class InspectImportSummary:
    """What an import added, what it skipped and which tasks fits will leave out."""

    source: str
    eval_id: str
    agent: str
    agent_added: bool
    scorer: str
    threshold: float
    runs_added: int
    runs_already_present: int
    samples_errored: int
    samples_unscored: int
    tasks_added: int
    human_times_added: int
    # Tasks of this log that have no human time (their runs are stored but not fitted).
    tasks_without_human_time: int
    runs_without_human_time: int
    tasks_without_human_time_listed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The summary as the API answers it."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def binarize(score: float, threshold: float) -> int:
    """1 when the score reaches the threshold, else 0."""
    return int(score >= threshold)


def external_key(log: InspectLog, sample: InspectSample) -> str:
    """The run's idempotency key: the eval, the sample and the epoch."""
    return f"{SOURCE_PREFIX}:{log.eval_id}:{sample.sample_id}:{sample.epoch}"


def default_agent_name(log: InspectLog) -> str:
    """`<model> (<solver>)`, or the model alone when the log names no solver."""
    return f"{log.model} ({log.solver})" if log.solver else log.model


def import_inspect_log(
    session: Session,
    log: InspectLog,
    mapping: Mapping[str, SampleMapping] | None = None,
    options: InspectImportOptions | None = None,
) -> InspectImportSummary:
    """Import the log's scored samples (see the module docstring); the caller commits."""
    options = options or InspectImportOptions()
    mapping = mapping or {}
    if not 0.0 < options.threshold <= 1.0:
        raise ImportProblem(f"the threshold must lie in (0, 1], not {options.threshold!r}")
    source = (options.source or f"{SOURCE_PREFIX}:{log.task}")[:300]
    plans = [(sample, _task_of(sample, log, mapping)) for sample in log.samples]
    name = _agent_name(options.agent or default_agent_name(log))
    agent, agent_added = _agent(session, name, log, options.release_date)

    present = _present_keys(session, [external_key(log, s) for s in log.samples])
    versions: dict[str, int] = {}
    tasks_added = human_times_added = 0
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for sample, (task_id, family, minutes, human_source) in plans:
        key = external_key(log, sample)
        if task_id not in versions:
            versions[task_id], created = ensure_task(session, task_id, family, source, minutes=None)
            tasks_added += int(created)
            task = session.get(Task, task_id)
            assert task is not None
            if task.human_minutes is None and minutes is not None:  # a task's own time stays
                add_imported_human_time(task, minutes, human_source, source)
                human_times_added += 1
        if key in present:
            continue
        present.add(key)
        rows.append(
            {
                "agent_id": agent.id,
                "task_version_id": versions[task_id],
                "task_id": task_id,
                "repeat_index": sample.epoch - 1,
                "attempt": 1,
                "status": RunStatus.COMPLETED,
                "stop_reason": LIMIT_STOP_REASONS.get(sample.limit or "", StopReason.SUBMITTED),
                "score_cont": sample.score,
                "score_binarized": binarize(sample.score, options.threshold),
                "external_id": key,
                "imported_from": source,
                "import_details": _details(log, sample, options.threshold),
                "created_at": now,
                "finished_at": now,
            }
        )
    if rows:
        session.execute(insert(Run), rows)
    session.flush()
    missing = _tasks_without_human_time(session, sorted(versions))
    touched = {s.sample_id: t for s, (t, *_rest) in plans}
    runs_missing = sum(1 for s in log.samples if touched[s.sample_id] in missing)
    return InspectImportSummary(
        source=source,
        eval_id=log.eval_id,
        agent=name,
        agent_added=agent_added,
        scorer=log.scorer,
        threshold=options.threshold,
        runs_added=len(rows),
        runs_already_present=len(log.samples) - len(rows),
        samples_errored=log.errored,
        samples_unscored=log.unscored,
        tasks_added=tasks_added,
        human_times_added=human_times_added,
        tasks_without_human_time=len(missing),
        runs_without_human_time=runs_missing,
        tasks_without_human_time_listed=sorted(missing)[:LISTED_TASKS],
    )


def _task_of(
    sample: InspectSample, log: InspectLog, mapping: Mapping[str, SampleMapping]
) -> tuple[str, str, float | None, str]:
    """The sample's task id, the family for a new task, its human time (or None) and where that
    time comes from."""
    entry = mapping.get(sample.sample_id)
    what = f"sample {sample.sample_id!r}"
    if entry is not None and entry.task_id:
        task_id = entry.task_id
    elif sample.sample_id.isdigit():
        raise ImportProblem(
            f"{what} has a bare number as its id, which names no task: give its task_id in a mapping file"
        )
    else:
        task_id = check_task_id(sample.sample_id, f"{what}: the id")
    family = entry.task_family if entry is not None and entry.task_family else _family_of(log.task)
    minutes = entry.human_minutes if entry is not None and entry.human_minutes else sample.human_minutes
    source = entry.human_source if entry is not None else BaselineSource.ESTIMATE.value
    return task_id, family, minutes, source


def _family_of(task_name: str) -> str:
    try:
        return check_task_id(task_name, "the Inspect task name")
    except ImportProblem:
        return slug(task_name, "inspect")


def _agent_name(name: str) -> str:
    try:
        return _NAME.validate_python(name)
    except ValidationError:
        raise ImportProblem(
            f"the agent name {name[:60]!r} must be 1 to 200 characters without leading or trailing "
            "spaces: name the agent yourself (--agent)"
        ) from None


def _agent(session: Session, name: str, log: InspectLog, release_date: dt.date | None) -> tuple[Agent, bool]:
    agent = session.scalar(select(Agent).where(Agent.name == name))
    if agent is not None and agent.scaffold != EXTERNAL_SCAFFOLD:
        raise ImportProblem(
            f"agent {name!r} is one of Horizon's own agents (scaffold {agent.scaffold}); imported runs "
            "belong to an external agent: name another one (--agent)"
        )
    added = agent is None
    if agent is None:
        agent = Agent(
            name=name,
            scaffold=EXTERNAL_SCAFFOLD,
            settings={"imported_from": SOURCE_PREFIX, "model": log.model, "solver": log.solver},
        )
        session.add(agent)
    if release_date is not None:
        agent.release_date = release_date
    session.flush()
    return agent, added


def _present_keys(session: Session, keys: list[str]) -> set[str]:
    present: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        present.update(
            k for k in session.scalars(select(Run.external_id).where(Run.external_id.in_(chunk))) if k
        )
    return present


def _tasks_without_human_time(session: Session, task_ids: list[str]) -> set[str]:
    missing: set[str] = set()
    for start in range(0, len(task_ids), _KEY_CHUNK):
        chunk = task_ids[start : start + _KEY_CHUNK]
        missing.update(
            session.scalars(select(Task.id).where(Task.id.in_(chunk), Task.human_minutes.is_(None)))
        )
    return missing


def _details(log: InspectLog, sample: InspectSample, threshold: float) -> dict[str, Any]:
    return {
        "format": SOURCE_PREFIX,
        "eval_id": log.eval_id,
        "eval_run_id": log.run_id,
        "inspect_task": log.task,
        "task_version": log.task_version,
        "sample_id": sample.sample_id,
        "epoch": sample.epoch,
        "model": log.model,
        "solver": log.solver,
        "scorer": log.scorer,
        "score": sample.raw_score,
        "threshold": threshold,
        "limit": sample.limit,
        "inspect_version": log.inspect_version,
        "log_created": log.created,
    }
