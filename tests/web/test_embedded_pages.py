"""Every page also works in embedded mode (SQLite, migrated by Alembic), not only on PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.deps import Caller
from core.auth import create_token
from core.db import session_scope
from core.migrate import upgrade
from core.models import AnalysisResult
from core.schemas import AgentCreate, BatchCreate, TaskCreate
from core.services import baselining
from core.services.batches import create_batch
from core.services.catalog import create_agent
from core.services.tasks import create_task
from core.settings import Settings
from tests.web.conftest import RELEASES, simulated_report


def test_pages_on_sqlite(tmp_path: Path) -> None:
    from api.app import create_app

    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(settings)
    with session_scope(settings) as s:
        row, token = create_token(s, "sqlite submitter", "submitter")
        create_task(  # the submitter's, so its edit page opens for them
            s,
            TaskCreate.model_validate(
                {
                    "id": "fam/hello",
                    "family": "fam",
                    "title": "Hello",
                    "instructions": "Say hello.",
                    "scorer": {"command": "echo 1"},
                    "tags": ["demo"],
                    "baselines": [{"baseliner": "ann", "minutes": 2, "succeeded": True}],
                }
            ),
            owner_token_id=row.id,
        )
        agent = create_agent(
            s, AgentCreate(name="agent-2022", scaffold="null", release_date=RELEASES["agent-2022"])
        )
        batch = create_batch(s, BatchCreate(agents=[agent.id], tasks=["fam/hello"], repeats=2))
        report = simulated_report()
        s.add(AnalysisResult(status="done", params=report["params"], result=report, n_runs=report["n_runs"]))
        attempt = baselining.start_attempt(s, "fam/hello", "sqlite submitter", token_id=row.id)
        batch_id, attempt_id, token_id = batch.id, attempt.id, row.id
    with session_scope(settings) as s:
        baselining.pause_attempt(s, attempt_id, Caller("sqlite submitter", "submitter", token_id))

    with TestClient(create_app(settings)) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
        assert csrf
        r = client.post("/signin", data={"token": token, "csrf_token": csrf.group(1)}, follow_redirects=False)
        assert r.status_code == 303
        for path in (
            "/",
            "/?metric=p80&window=paper",
            "/?analysis=1&metric=p80&window=from_2023_on",
            "/analyses",
            "/agents/agent-2022?analysis=1",
            "/agents",
            "/agents/agent-2022",
            "/tasks",
            "/tasks?q=hell&tag=demo",
            "/tasks/fam/hello",
            "/tasks/fam/hello/edit",
            "/tasks/new",
            "/runs?status=queued",
            "/runs/1",
            "/batches",
            f"/batches/{batch_id}",
            "/schedule",
            "/baselining",
            "/baselining/tasks/fam/hello",
            f"/baselining/attempts/{attempt_id}",
        ):
            assert client.get(path).status_code == 200, path
        progress = client.get(f"/batches/{batch_id}/progress").json()
        assert progress["counts"] == {"queued": 2}
        state = client.get(f"/baselining/attempts/{attempt_id}/state").json()
        assert state["status"] == "paused" and not state["running"]
