"""Task folders into the database: creation, new versions on change, idempotent re-sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.models import HumanBaseline, Task
from core.services.task_sync import sync_tree
from core.taskfolder import TaskFolderError
from tests.factories import edit_task_folder_spec, make_task_folder, task_folder_spec


def write_task(root: Path, task_id: str) -> Path:
    """The factory's folder task `demo/<task_id>`, tagged `demo`, with two successful baselines (4
    and 16 minutes: a human time of 8) beside an estimate they take precedence over."""
    spec = task_folder_spec(
        task_id,
        tags=["demo"],
        baselines=[
            {"baseliner": "ana", "minutes": 4, "succeeded": True},
            {"baseliner": "bo", "minutes": 16, "succeeded": True},
        ],
        estimate={"minutes": 10, "source": "author", "rationale": "a guess"},
    )
    return make_task_folder(root, task_id, spec=spec)


def test_sync_creates_versions_and_is_idempotent(db: str, tmp_path: Path) -> None:
    write_task(tmp_path, "write-a")
    write_task(tmp_path, "write-b")
    with session_scope() as s:
        report = sync_tree(s, tmp_path)
    assert sorted(report.created) == ["write-a", "write-b"] and report.baselines_added == 6
    with session_scope() as s:
        task = s.get(Task, "write-a")
        assert task is not None
        assert task.human_minutes == pytest.approx(8.0) and task.human_minutes_source == "baseline"

    with session_scope() as s:
        again = sync_tree(s, tmp_path)
    assert sorted(again.unchanged) == ["write-a", "write-b"] and again.baselines_added == 0

    (tmp_path / "demo" / "write-a" / "instructions.md").write_text("Add 2 and 3, then write the sum.\n")
    with session_scope() as s:
        changed = sync_tree(s, tmp_path)
    assert changed.new_versions == ["write-a"] and changed.unchanged == ["write-b"]
    with session_scope() as s:
        task = s.get(Task, "write-a")
        assert task is not None and task.current_version == 2 and len(task.versions) == 2
        assert s.scalar(select(func.count()).select_from(HumanBaseline)) == 6


def test_a_bad_folder_stores_nothing(db: str, tmp_path: Path) -> None:
    write_task(tmp_path, "write-a")
    bad = write_task(tmp_path, "write-b")
    edit_task_folder_spec(bad, baselines=[{"baseliner": "ana", "minutes": -4, "succeeded": True}])
    with pytest.raises(TaskFolderError) as info:
        with session_scope() as s:
            sync_tree(s, tmp_path)
    assert "write-b/task.yaml" in str(info.value) and "minutes" in str(info.value)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0
