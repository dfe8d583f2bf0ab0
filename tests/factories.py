"""Test data in one place: tokens, tasks (with their first version), models, agents, batches, runs.

Each factory writes through the service a real caller uses (so the rows are what production
makes), except `make_model` and `make_run`, which write rows directly to set up states the
services only reach through many steps (a managed model without its template setup, a run
mid-attempt with an old heartbeat).

Give `session` to write inside a test's own transaction (the `session` fixture: nothing is
committed, so no queue message is ever sent); without it each factory commits its own
`session_scope(settings)`, as the API would.

`make_task_folder` and its helpers write a task folder on disk instead (the format of tasks/),
for the folder loader, the importers and the health checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings


@contextmanager
def _scope(session: Session | None, settings: Settings | None) -> Iterator[Session]:
    """The caller's session (flushed, not committed), or a committed session of its own."""
    if session is not None:
        yield session
        session.flush()
        return
    from core.db import session_scope

    with session_scope(settings) as own:
        yield own


def make_token(role: str, *, session: Session | None = None, settings: Settings | None = None) -> str:
    """A new token of `role` named "test ROLE" (then "test ROLE 2", ...: names are unique);
    returns its secret."""
    from core.auth import create_token
    from core.models import ApiToken

    with _scope(session, settings) as s:
        name, n = f"test {role}", 1
        while s.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
            n += 1
            name = f"test {role} {n}"
        _, secret = create_token(s, name, role)
    return secret


def task_body(task_id: str = "fix-bug", **overrides: Any) -> dict[str, Any]:
    """A complete task as the API takes it (environment, scorer, solution, tags, time limit)."""
    body: dict[str, Any] = {
        "id": task_id,
        "family": "debugging",
        "title": "Fix the off-by-one bug",
        "instructions": "Make `python3 check.py` print OK.",
        "environment": {"files": {"check.py": "print('NOT OK')\n"}},
        "scorer": {"command": "python3 /scorer/score.py", "files": {"score.py": "print(1)\n"}},
        "solution": {"command": "sh /solution/solve.sh", "files": {"solve.sh": "true\n"}},
        "tags": ["python", "easy"],
        "time_limit_s": 600,
    }
    body.update(overrides)
    return body


def make_task(
    task_id: str = "hello",
    *,
    session: Session | None = None,
    settings: Settings | None = None,
    **overrides: Any,
) -> str:
    """A small stored task (family "demo", an author's 5-minute estimate unless `baselines` are
    given) through the task service; returns its id. Its first version is `task.versions[0]`."""
    from core.schemas import TaskCreate
    from core.services.tasks import create_task

    body: dict[str, Any] = {
        "id": task_id,
        "family": "demo",
        "title": f"Task {task_id}",
        "instructions": "Write hello into answer.txt.",
        "scorer": {"command": "python3 /scorer/score.py", "files": {"score.py": "print(1)\n"}},
        "tags": ["demo"],
        "baselines": [{"baseliner": "author", "minutes": 5, "succeeded": True, "source": "estimate"}],
    }
    body.update(overrides)
    with _scope(session, settings) as s:
        create_task(s, TaskCreate.model_validate(body))
    return task_id


def make_model(
    name: str = "model",
    *,
    managed: bool = False,
    session: Session | None = None,
    settings: Settings | None = None,
    **columns: Any,
) -> int:
    """A model row (OpenAI-compatible, no key); `managed` ones are served on GPU workers."""
    from core.models import Model

    with _scope(session, settings) as s:
        model = Model(name=name, provider="openai", api_model=name, managed=managed, **columns)
        s.add(model)
        s.flush()
        return model.id


def make_agent(
    name: str = "oracle",
    scaffold: str = "oracle",
    release: dt.date | None = None,
    *,
    model: int | str | None = None,
    session: Session | None = None,
    settings: Settings | None = None,
) -> int:
    """An agent (of `model`, an id or name, for scaffolds that need one) through the catalog
    service; returns its id."""
    from core.schemas import AgentCreate
    from core.services.catalog import create_agent

    data = AgentCreate(name=name, scaffold=scaffold, release_date=release, model=model)
    with _scope(session, settings) as s:
        return create_agent(s, data).id


def make_batch(
    agents: list[str | int],
    tasks: list[str],
    repeats: int = 1,
    *,
    session: Session | None = None,
    settings: Settings | None = None,
) -> tuple[int, list[int]]:
    """A batch through the batch service (its runs queued); returns its id and its run ids."""
    from core.models import Run
    from core.schemas import BatchCreate
    from core.services.batches import create_batch

    with _scope(session, settings) as s:
        batch = create_batch(s, BatchCreate(agents=agents, tasks=tasks, repeats=repeats))
        s.flush()
        run_ids = list(s.scalars(select(Run.id).where(Run.batch_id == batch.id).order_by(Run.id)))
        return batch.id, run_ids


def make_run(
    task_id: str,
    agent_id: int,
    *,
    session: Session | None = None,
    settings: Settings | None = None,
    heartbeat_age_s: float | None = None,
    **columns: Any,
) -> int:
    """A run row of the task's current version in any state (`status`, `attempt`, ...), written
    directly; `heartbeat_age_s` sets a heartbeat that many seconds old. Returns its id."""
    from core.models import Run, Task

    with _scope(session, settings) as s:
        task = s.get(Task, task_id)
        assert task is not None, f"no task {task_id}"
        version = next(v for v in task.versions if v.version == task.current_version)
        if heartbeat_age_s is not None:
            columns["heartbeat_at"] = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=heartbeat_age_s)
        run = Run(agent_id=agent_id, task_version_id=version.id, task_id=task_id, **columns)
        s.add(run)
        s.flush()
        return run.id


def task_folder_spec(task_id: str = "add-numbers", family: str = "demo", **overrides: Any) -> dict[str, Any]:
    """The task.yaml of a valid folder task (1.5 minutes by the author's estimate); `overrides`
    replace top-level keys."""
    spec: dict[str, Any] = {
        "id": task_id,
        "family": family,
        "title": "Add two numbers",
        "version": 1,
        "time_limit_s": 600,
        "tags": ["answer"],
        "resources": {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 64},
        "network": "none",
        "scorer": {"command": "python3 /scorer/score.py", "threshold": 1.0, "timeout_s": 30},
        "solution": {"command": "bash /solution/solve.sh"},
        "estimate": {"minutes": 1.5, "source": "author", "rationale": "one addition"},
    }
    spec.update(overrides)
    return spec


def make_task_folder(
    root: Path, task_id: str = "add-numbers", family: str = "demo", spec: dict[str, Any] | None = None
) -> Path:
    """A task folder `root/family/task_id` (task.yaml, instructions, scorer, solution, one
    environment file) whose reference solution passes; returns its path. `spec` is written to
    task.yaml as given (default `task_folder_spec(task_id, family)`), valid or not."""
    folder = root / family / task_id
    (folder / "scorer").mkdir(parents=True)
    (folder / "solution").mkdir()
    (folder / "environment").mkdir()
    (folder / "task.yaml").write_text(
        yaml.safe_dump(spec if spec is not None else task_folder_spec(task_id, family), sort_keys=False)
    )
    (folder / "instructions.md").write_text("Add 2 and 3; write the sum to submission.txt.\n")
    (folder / "scorer" / "score.py").write_text(
        "import os\n"
        "ok = os.path.isfile('submission.txt') and open('submission.txt').read().strip() == '5'\n"
        "print(1.0 if ok else 0.0)\n"
    )
    (folder / "solution" / "solve.sh").write_text("#!/bin/bash\necho 5 > submission.txt\n")
    (folder / "environment" / "numbers.txt").write_text("2 3\n")
    return folder


def edit_task_folder_spec(folder: Path, **changes: Any) -> None:
    """Rewrite the folder's task.yaml with `changes` (a value of `...` removes its key)."""
    spec = yaml.safe_load((folder / "task.yaml").read_text())
    for key, value in changes.items():
        if value is ...:
            spec.pop(key, None)
        else:
            spec[key] = value
    (folder / "task.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
