"""Loading task folders (tasks/<family>/<task>/) into the database.

A task whose content hash changed gets a new version; old versions and their runs stay. Human
baselines and the estimate written in task.yaml are added once (matched on who, minutes and
outcome), so syncing again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.models import HumanBaseline, Task
from core.ownership import SYSTEM
from core.schemas import BaselineCreate, TaskCreate, TaskUpdate
from core.services import tasks as task_svc
from core.services.human_time import refresh_task_human_time
from core.states import BaselineSource
from core.taskfolder import TaskFolder, load_tree


@dataclass
class SyncReport:
    """What syncing task folders did, task by task."""

    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    baselines_added: int = 0


def _wanted_baselines(folder: TaskFolder) -> list[BaselineCreate]:
    wanted = [
        BaselineCreate(
            baseliner=b.baseliner, minutes=b.minutes, succeeded=b.succeeded, source="baseline", notes=b.notes
        )
        for b in folder.baselines
    ]
    if folder.estimate is not None:
        est = folder.estimate
        wanted.append(
            BaselineCreate(
                baseliner=est.source,
                minutes=est.minutes,
                succeeded=True,
                source="estimate",
                notes=est.rationale,
            )
        )
    return wanted


def _key(source: str, baseliner: str, minutes: float, succeeded: bool) -> tuple[str, str, float, bool]:
    return (source, baseliner, round(minutes, 6), succeeded)


def sync_folder(session: Session, folder: TaskFolder, report: SyncReport) -> None:
    """Create or update the task from its folder and add baselines it lists that are new."""
    spec = folder.spec
    content: dict[str, Any] = {
        "instructions": folder.instructions,
        "environment": folder.environment,
        "scorer": folder.scorer,
        "solution": folder.solution,
        "limits": folder.limits,
        "time_limit_s": spec.time_limit_s,
    }
    task = session.get(Task, spec.id)
    if task is None:
        task_svc.create_task(
            session, TaskCreate(id=spec.id, family=spec.family, title=spec.title, tags=spec.tags, **content)
        )
        report.created.append(spec.id)
        task = task_svc.get_task(session, spec.id)
    else:
        if task.family_id != spec.family:
            task_svc.ensure_family(session, spec.family)
            task.family_id = spec.family
        # The operator's folders: applied whoever owns the task (like an admin's change).
        _, created = task_svc.update_task(
            session, spec.id, TaskUpdate(title=spec.title, tags=spec.tags, **content), actor=SYSTEM
        )
        (report.new_versions if created else report.unchanged).append(spec.id)
    have = {_key(b.source, b.baseliner, b.minutes, b.succeeded) for b in task.baselines}
    added = 0
    for wanted in _wanted_baselines(folder):
        if _key(wanted.source, wanted.baseliner, wanted.minutes, wanted.succeeded) in have:
            continue
        task.baselines.append(
            HumanBaseline(
                task_id=task.id,
                baseliner=wanted.baseliner,
                minutes=wanted.minutes,
                succeeded=wanted.succeeded,
                source=BaselineSource(wanted.source),
                notes=wanted.notes,
            )
        )
        added += 1
    if added:
        refresh_task_human_time(task)
    report.baselines_added += added
    session.flush()


def sync_tree(session: Session, root: str | Path) -> SyncReport:
    """Load every task folder under `root` (all validated first: one bad folder stores nothing)."""
    report = SyncReport()
    for folder in load_tree(root):
        sync_folder(session, folder, report)
    return report
