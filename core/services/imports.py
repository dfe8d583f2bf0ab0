"""Loading runs from other systems (METR's runs files) into the database, idempotently.

Each external run becomes a completed run row keyed by `external_id` (the source name and the
file's run id), so importing the same file twice adds nothing. Agents, task families and tasks are
created when missing; a new task gets its human time from the file as one imported baseline (or
estimate, per the file's `human_source`). Agent `human` rows are human baselines, not agent runs,
and are skipped. The input is validated as a whole first (analysis.table.RunTable), so a bad file
stores nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from analysis.human_time_uncertainty import PERSON_SOURCES
from analysis.table import RunTable
from core.models import Agent, HumanBaseline, Run, Task, TaskFamily, TaskVersion, utcnow
from core.schemas import TaskContent
from core.services.human_time import refresh_task_human_time
from core.services.tasks import version_hash
from core.states import BaselineSource, RunStatus, StopReason

EXTERNAL_SCAFFOLD = "external"
IMPORTED_TAG = "imported"
HUMAN_ALIAS = "human"


@dataclass(frozen=True)
class ImportSummary:
    """What an import added and what it skipped, for the CLI and the API to report."""

    source: str
    runs_added: int
    runs_already_present: int
    human_rows_skipped: int
    agents_added: int
    tasks_added: int


def _placeholder_content(task_id: str, source: str) -> TaskContent:
    return TaskContent.model_validate(
        {
            "instructions": f"Imported from {source}: the task's own instructions live in the source system.",
            "scorer": {"command": "echo 'imported task: scored by the source system' >&2; exit 1"},
        }
    )


def _external_id(source: str, row: Mapping[str, object], index: int) -> str:
    run_id = row.get("run_id")
    if run_id is None or (isinstance(run_id, float) and pd.isna(run_id)):
        blob = json.dumps({k: str(v) for k, v in row.items()}, sort_keys=True)
        run_id = f"row{index}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"
    return f"{source}:{run_id}"[:300]


def import_runs(
    session: Session, frame: pd.DataFrame, source: str, release_dates: Mapping[str, dt.date] | None = None
) -> ImportSummary:
    """Import a METR-format runs table (validated first). The caller commits."""
    release_dates = release_dates or {}
    frame = frame.reset_index(drop=True)
    agent_col = "agent" if "agent" in frame.columns else "alias"
    is_human = frame[agent_col].astype(str) == HUMAN_ALIAS if agent_col in frame.columns else None
    agent_rows = frame[~is_human] if is_human is not None else frame
    RunTable.from_frame(agent_rows)  # raises AnalysisInputError naming the bad rows; nothing stored
    agent_rows = agent_rows.reset_index(drop=True)
    cont_col = (
        "score_cont"
        if "score_cont" in agent_rows.columns
        else ("score" if "score" in agent_rows.columns else None)
    )

    existing_ids = set(session.scalars(select(Run.external_id).where(Run.imported_from == source)))
    agents = {a.name: a for a in session.scalars(select(Agent))}
    agents_added = tasks_added = 0
    new_runs: list[dict[str, Any]] = []
    versions: dict[str, int] = {}
    for index, record in enumerate(agent_rows.to_dict("records")):
        external_id = _external_id(source, record, index)
        if external_id in existing_ids:
            continue
        existing_ids.add(external_id)
        name = str(record[agent_col])
        if name not in agents:
            agents[name] = Agent(
                name=name,
                scaffold=EXTERNAL_SCAFFOLD,
                settings={"imported_from": source},
                release_date=release_dates.get(name),
            )
            session.add(agents[name])
            agents_added += 1
        task_id = str(record["task_id"])
        if task_id not in versions:
            versions[task_id], created = _ensure_task(session, record, source)
            tasks_added += int(created)
        binarized = record.get("score_binarized")
        cont = record.get(cont_col) if cont_col else None
        if binarized is None or pd.isna(binarized):
            binarized = 1 if cont is not None and float(cont) >= 1.0 else 0
        new_runs.append(
            {
                "agent": agents[name],
                "task_version_id": versions[task_id],
                "task_id": task_id,
                "status": RunStatus.COMPLETED,
                "stop_reason": StopReason.SUBMITTED,
                "score_cont": None if cont is None or pd.isna(cont) else float(cont),
                "score_binarized": int(binarized),
                "external_id": external_id,
                "imported_from": source,
            }
        )
    session.flush()
    now = utcnow()
    if new_runs:
        session.execute(
            insert(Run),
            [
                {
                    **{k: v for k, v in r.items() if k != "agent"},
                    "agent_id": r["agent"].id,
                    "attempt": 1,
                    "repeat_index": 0,
                    "created_at": now,
                    "finished_at": now,
                }
                for r in new_runs
            ],
        )
    for name, agent in agents.items():
        if agent.scaffold == EXTERNAL_SCAFFOLD and agent.release_date is None and name in release_dates:
            agent.release_date = release_dates[name]
    session.flush()
    human_skipped = int(is_human.sum()) if is_human is not None else 0
    return ImportSummary(
        source=source,
        runs_added=len(new_runs),
        runs_already_present=len(agent_rows) - len(new_runs),
        human_rows_skipped=human_skipped,
        agents_added=agents_added,
        tasks_added=tasks_added,
    )


def _ensure_task(session: Session, record: Mapping[str, object], source: str) -> tuple[int, bool]:
    """The id of the task's current version, creating the task (and its family) if missing."""
    return ensure_task(
        session,
        str(record["task_id"]),
        str(record["task_family"]),
        source,
        minutes=float(str(record["human_minutes"])),
        human_source=str(record.get("human_source") or ""),
        time_limit_s=int(float(str(record.get("time_limit") or 0))) or None,
    )


def ensure_task(
    session: Session,
    task_id: str,
    family_id: str,
    source: str,
    *,
    minutes: float | None,
    human_source: str = "",
    time_limit_s: int | None = None,
) -> tuple[int, bool]:
    """The id of the task's current version, and whether it was created here.

    A missing task is made as an external one: its family if missing, placeholder content (the
    task runs in the source system, not here) and, when `minutes` is given, one imported human
    time (`add_imported_human_time`). Without `minutes` it has no human time and fits leave it
    out until one is recorded. An existing task is used as it is.
    """
    task = session.get(Task, task_id)
    if task is not None:
        version_id = session.scalar(
            select(TaskVersion.id).where(
                TaskVersion.task_id == task_id, TaskVersion.version == task.current_version
            )
        )
        assert version_id is not None
        return version_id, False
    if session.get(TaskFamily, family_id) is None:
        session.add(TaskFamily(id=family_id, description=f"imported from {source}"))
        session.flush()  # no ORM relationship orders family before task: flush it first
    task = Task(id=task_id, family_id=family_id, title=task_id, tags=[IMPORTED_TAG])
    session.add(task)
    content = _placeholder_content(task_id, source)
    version = TaskVersion(
        version=1,
        content_hash=version_hash(content),
        instructions=content.instructions,
        environment=content.environment.model_dump(mode="json"),
        scorer=content.scorer.model_dump(mode="json"),
        solution=None,
        limits=content.limits.model_dump(mode="json"),
        time_limit_s=time_limit_s or content.time_limit_s,
    )
    task.versions.append(version)
    if minutes is not None:
        add_imported_human_time(task, minutes, human_source, source)
    session.flush()
    return version.id, True


def add_imported_human_time(task: Task, minutes: float, human_source: str, source: str) -> None:
    """Record a human time the source gave as one baseline (a person's timed attempt: METR's
    `baseline`, `qa` and `external_qa`, the analysis's PERSON_SOURCES) or estimate (anything
    else), and refresh the task's cached human time."""
    task.baselines.append(
        HumanBaseline(
            task_id=task.id,
            baseliner=f"imported from {source}"[:200],
            minutes=minutes,
            succeeded=True,
            source=(BaselineSource.BASELINE if human_source in PERSON_SOURCES else BaselineSource.ESTIMATE),
            notes=f"human time as given by {source} (source: {human_source or 'unknown'})",
        )
    )
    refresh_task_human_time(task)
