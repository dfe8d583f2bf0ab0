"""Health checks of stored task versions: recorded per version, unhealthy tasks left out of fits."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent, Run, Task, TaskHealthCheck
from core.schemas import AnalysisRequest
from core.services.analyses import gather_inputs
from core.services.task_sync import sync_tree
from core.states import RunStatus
from tests.core.test_task_sync import write_task
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker


def test_checks_are_recorded_and_unhealthy_tasks_excluded(
    db: str, tmp_path: Path, docker_backend: DockerBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HORIZON_SANDBOX_INSTANCE", docker_backend.instance)
    write_task(tmp_path, "good")
    broken = write_task(tmp_path, "broken")
    (broken / "solution" / "solve.sh").write_text("echo 4 > submission.txt\n")  # the oracle fails
    with session_scope() as s:
        sync_tree(s, tmp_path)

    from workers.task_checks import check_tasks

    results = {r.task_id: r for r in check_tasks(["good", "broken"], oracle_repeats=2)}
    assert results["good"].healthy and not results["good"].flaky
    assert not results["broken"].healthy and results["broken"].problems
    with session_scope() as s:
        checks = list(s.scalars(select(TaskHealthCheck)))
        assert len(checks) == 2 and sum(c.healthy for c in checks) == 1

        # Completed runs on both tasks: the unhealthy one is left out of fits by default.
        agent = Agent(name="a", scaffold="null", settings={})
        s.add(agent)
        s.flush()
        for task_id in ("good", "broken"):
            task = s.get(Task, task_id)
            assert task is not None
            s.add(
                Run(
                    agent_id=agent.id,
                    task_version_id=task.versions[0].id,
                    task_id=task_id,
                    status=RunStatus.COMPLETED,
                    score_cont=1.0,
                    score_binarized=1,
                )
            )
        s.flush()
        default = gather_inputs(s, AnalysisRequest())
        assert list(default.frame["task_id"]) == ["good"] and default.n_unhealthy_excluded == 1
        everything = gather_inputs(s, AnalysisRequest(include_unhealthy_tasks=True))
        assert sorted(everything.frame["task_id"]) == ["broken", "good"]
    assert docker_backend.managed_containers() == []
