"""Every attempt's spend is recorded, failed ones included, and summed per run, batch and agent.

A react agent on a scripted OpenAI-format server runs through the real run executor twice: its
first attempt spends a model call and then loses its sandbox (an infrastructure failure, re-queued),
its second completes. Both attempts' rows hold their usage split and cost; the run's spend, the
batch's and the agent's are their sum, in the API and on the pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import Run, RunAttempt
from core.ownership import SYSTEM
from core.schemas import AttemptUsage
from core.services import runs as run_svc
from core.services.batches import cancel_batch
from core.settings import Settings
from core.taskspec import EnvironmentSpec, ResourceLimits
from tests.factories import make_agent, make_batch, make_model, make_task
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_openai import ScriptedModelServer
from workers import run_executor
from workers.sandbox.base import ExecResult, SandboxError

SCORER = 'if [ "$(cat answer.txt 2>/dev/null)" = ok ]; then echo 1; else echo 0; fi'
# gpt-4.1 list prices: $2 input, $0.50 cached input, $8 output.
PRICES: dict[str, Any] = {"input_price_per_mtok": 2.0, "output_price_per_mtok": 8.0}
USAGE = {"prompt_tokens": 2000, "completion_tokens": 100, "cached_tokens": 1024}
# 976 uncached at $2, 1,024 cached at $0.50, 100 out at $8.
CALL_COST = (976 * 2.0 + 1024 * 0.5 + 100 * 8.0) / 1e6
SCRIPT: list[dict[str, Any]] = [
    # Attempt 1: one call, then the sandbox is lost.
    {"tool_calls": [{"name": "bash", "arguments": {"command": "echo ok > answer.txt"}}], "usage": USAGE},
    # Attempt 2: the same command, then submit.
    {"tool_calls": [{"name": "bash", "arguments": {"command": "echo ok > answer.txt"}}], "usage": USAGE},
    {"tool_calls": [{"name": "submit", "arguments": {"answer": "done"}}], "usage": USAGE},
]


class _Sandbox(LocalSandbox):
    """A local sandbox whose absolute paths (the scorer's folder) live under its work directory;
    with `lost` set, every command fails the way a vanished container does."""

    def __init__(self, lost: bool) -> None:
        super().__init__()
        self.lost = lost

    def exec(self, command: str, timeout_s: float, user: str | None = None) -> ExecResult:
        if self.lost:
            raise SandboxError("the container is gone")
        return super().exec(command.replace("/scorer/", "scorer/"), timeout_s, user)

    def put_files(self, files: Mapping[str, str | bytes], dest_dir: str) -> None:
        super().put_files(files, dest_dir.lstrip("/"))


class _Backend:
    """Local sandboxes; the first attempt's is lost once the agent starts working."""

    name = "local"

    def ensure_image(self, env: EnvironmentSpec) -> str:
        return "local"

    def create(
        self,
        image: str,
        *,
        limits: ResourceLimits,
        workdir: str,
        run_id: int,
        attempt: int,
        gpu_devices: tuple[str, ...] = (),
        mounts: tuple[object, ...] = (),
    ) -> _Sandbox:
        return _Sandbox(lost=attempt == 1)

    def close(self) -> None:
        pass


@pytest.fixture
def model_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer(SCRIPT) as server:
        yield server


def test_a_failed_attempt_and_a_completed_one_are_both_counted(
    db: str, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=db, max_attempts=3, infra_retry_delay_s=0)
    make_task("spend-task", scorer={"command": SCORER})
    make_model("gpt-4.1", base_url=model_server.base_url, max_output_tokens=3000, **PRICES)
    agent_id = make_agent("spender", "react", model="gpt-4.1")
    batch_id, (run_id,) = make_batch(["spender"], ["spend-task"])
    monkeypatch.setattr(run_executor, "get_backend", lambda *args, **kwargs: _Backend())

    assert run_executor.execute_claimed_run(run_id, settings) == "queued"
    assert run_executor.execute_claimed_run(run_id, settings) == "completed"
    # The model row's output limit reached every request, through the metering wrapper.
    assert {r["body"]["max_tokens"] for r in model_server.completion_requests} == {3000}

    with session_scope(settings) as s:
        run = s.get(Run, run_id)
        assert run is not None
        attempts = list(
            s.scalars(select(RunAttempt).where(RunAttempt.run_id == run_id).order_by(RunAttempt.attempt))
        )
        rows = [
            (a.attempt, a.status, a.model_calls, a.tokens_in, a.cache_read_tokens, a.tokens_out)
            for a in attempts
        ]
        assert rows == [(1, "infra_error", 1, 2000, 1024, 100), (2, "completed", 2, 4000, 2048, 200)]
        assert [a.cost_usd for a in attempts] == pytest.approx([CALL_COST, 2 * CALL_COST])
        assert attempts[0].error is not None and "sandbox" in attempts[0].error
        assert attempts[1].stop_reason == "submitted"
        for a in attempts:
            assert a.worker and a.finished_at is not None and a.wall_s is not None and a.wall_s > 0
            assert a.working_s is not None and a.working_s <= a.wall_s
        # The scored attempt's cost, and what every attempt cost.
        assert (run.status, run.score_binarized) == ("completed", 1)
        assert run.cost_usd == pytest.approx(2 * CALL_COST)
        assert run.spend_usd == pytest.approx(3 * CALL_COST)

    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db))) as client:
        one = client.get(f"/api/runs/{run_id}").json()
        assert one["spend_usd"] == pytest.approx(3 * CALL_COST)
        assert [(a["attempt"], a["status"]) for a in one["attempts"]] == [
            (1, "infra_error"),
            (2, "completed"),
        ]
        assert one["attempts"][0]["cost_usd"] == pytest.approx(CALL_COST)
        assert one["attempts"][0]["cache_read_tokens"] == 1024
        # Lists stay cheap: no attempts there.
        assert client.get("/api/runs").json()["items"][0]["attempts"] is None

        for spend in (
            client.get(f"/api/batches/{batch_id}").json()["spend"],
            client.get("/api/batches").json()["items"][0]["spend"],
            client.get(f"/api/agents/{agent_id}").json()["spend"],
            next(a for a in client.get("/api/agents").json() if a["id"] == agent_id)["spend"],
        ):
            assert spend["spend_usd"] == pytest.approx(3 * CALL_COST)
            assert (spend["attempts"], spend["model_calls"]) == (2, 3)
            assert (spend["tokens_in"], spend["cache_read_tokens"], spend["tokens_out"]) == (6000, 3072, 300)

        expected = f"${3 * CALL_COST:.4f}"
        run_page = client.get(f"/runs/{run_id}").text
        assert 'id="run-attempts"' in run_page and expected in run_page
        assert expected in client.get(f"/batches/{batch_id}").text
        assert client.get(f"/batches/{batch_id}/progress").json()["spend_text"] == expected
        assert expected in client.get("/agents/spender").text


def test_cancelling_running_runs_abandons_their_attempts_and_late_spend_still_counts(db: str) -> None:
    settings = Settings(database_url=db)
    make_task("t")
    make_agent("oracle")
    batch_id, (first, second) = make_batch(["oracle"], ["t"], repeats=2)
    with session_scope(settings) as s:
        assert run_svc.claim_run(s, first, "w:1") == 1
        assert run_svc.claim_run(s, second, "w:2") == 1
    with session_scope(settings) as s:
        run_svc.cancel_run(s, first, actor=SYSTEM)
        cancel_batch(s, batch_id, actor=SYSTEM)
    with session_scope(settings) as s:
        statuses = {r.run_id: r.status for r in s.scalars(select(RunAttempt))}
        assert statuses == {first: "abandoned", second: "abandoned"}
        # A worker that was cancelled still reports what it spent: the status stays abandoned.
        run_svc.record_abandoned_attempt(s, first, 1, AttemptUsage(tokens_in=10, model_calls=1, cost_usd=0.5))
    with session_scope(settings) as s:
        row = s.scalars(select(RunAttempt).where(RunAttempt.run_id == first)).one()
        assert (row.status, row.cost_usd, row.model_calls) == ("abandoned", 0.5, 1)
        assert s.get(Run, first).spend_usd == 0.5  # type: ignore[union-attr]
