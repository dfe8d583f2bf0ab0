"""mini-swe-agent (from PyPI) as an in-sandbox agent, end to end, offline.

The agent is made through the catalog service (kind `sandbox_program`, layer `mini-swe-agent` from
the agent wheelhouse that scripts/build_agent_wheelhouse.sh fills at setup time), the bundled task
`lookup/read-token` is synced from its folder, and the run goes through the run job
(`execute_claimed_run`) as a worker runs it: the layer is built without network, mini-swe-agent
starts in the sandbox, talks to the scripted model server only through the attempt's model proxy,
runs the commands the script gives it and finishes. The run is completed with score 1, its tokens
and cost are stored, and its transcript holds the model calls.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent, Run, TranscriptEvent
from core.schemas import AgentCreate
from core.services.catalog import create_agent
from core.services.task_sync import sync_tree
from core.settings import Settings
from core.states import RunStatus, StopReason
from tests.conftest import REPO_ROOT
from tests.factories import make_batch, make_model
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import context_listing, wheelhouse_dir

pytestmark = pytest.mark.docker

MINI_VERSION = "1.17.5"
# How mini-swe-agent runs unattended: no confirmation, no prompt at the end, no cost limit of its
# own (Horizon's limits apply), its model through litellm's OpenAI route, its files in /tmp.
MINI_PROGRAM = {
    "pip": [f"mini-swe-agent=={MINI_VERSION}"],
    "command": [
        "mini",
        "--yolo",
        "--exit-immediately",
        "--cost-limit",
        "0",
        "--model",
        "openai/{model}",
        "--task",
        "{instructions}",
        "--output",
        "/tmp/mini-swe-agent/last.traj.json",
    ],
    "env": {
        "MSWEA_CONFIGURED": "true",
        "MSWEA_SILENT_STARTUP": "1",
        "MSWEA_COST_TRACKING": "ignore_errors",
        "MSWEA_GLOBAL_CONFIG_DIR": "/tmp/mini-swe-agent",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    },
}
# mini-swe-agent acts on the one ```bash block of each reply; a command whose output starts with
# COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT ends its run.
SCRIPT = [
    {
        "content": "THOUGHT: the token is the file's only line.\n\n"
        "```bash\nhead -n 1 token.txt > submission.txt && cat submission.txt\n```"
    },
    {"content": "THOUGHT: submitted.\n\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n```"},
]


def _wheelhouse_has_mini() -> bool:
    return any(
        name.startswith(f"mini_swe_agent-{MINI_VERSION}-") for name, _ in context_listing(wheelhouse_dir())
    )


@pytest.mark.timeout(900)
def test_mini_swe_agent_solves_a_bundled_task_through_the_proxy(
    db: str, docker_backend: DockerBackend, tmp_path: Path
) -> None:
    if not _wheelhouse_has_mini():
        where = wheelhouse_dir()
        pytest.skip(
            f"no mini-swe-agent in the agent wheelhouse {where}: run scripts/build_agent_wheelhouse.sh"
        )
    from workers.run_executor import execute_claimed_run

    settings = Settings(database_url=db)
    shutil.copytree(REPO_ROOT / "tasks" / "lookup" / "read-token", tmp_path / "lookup" / "read-token")
    with ScriptedModelServer(SCRIPT) as server:
        with session_scope(settings) as session:
            sync_tree(session, tmp_path)
            model = make_model(
                "mini-model",
                base_url=server.base_url,
                input_price_per_mtok=1.0,
                output_price_per_mtok=4.0,
                session=session,
            )
            data = AgentCreate.model_validate(
                {
                    "name": "mini-swe-agent",
                    "kind": "sandbox_program",
                    "version": MINI_VERSION,
                    "model": model,
                    "settings": {"program": MINI_PROGRAM, "time_limit_s": 600},
                }
            )
            agent_id = create_agent(session, data).id
        _, (run_id,) = make_batch([agent_id], ["read-token"], settings=settings)
        status = execute_claimed_run(run_id, settings)
        calls = len(server.completion_requests)
        observation = server.completion_requests[1]["body"]["messages"][-1]["content"]
    with session_scope(settings) as session:
        run = session.get(Run, run_id)
        assert run is not None
        agent = session.get(Agent, agent_id)
        assert agent is not None and (agent.kind, agent.scaffold, agent.version) == (
            "sandbox_program",
            "sandbox_program",
            MINI_VERSION,
        )
        kinds = list(
            session.scalars(
                select(TranscriptEvent.kind)
                .where(TranscriptEvent.run_id == run_id)
                .order_by(TranscriptEvent.seq)
            )
        )
        assert status == RunStatus.COMPLETED, (run.error, kinds)
        assert run.stop_reason == StopReason.SUBMITTED
        assert (run.score_cont, run.score_binarized) == (1.0, 1)
        assert run.tokens_in > 0 and run.tokens_out > 0 and run.cost_usd > 0
    # mini-swe-agent made both calls through the proxy and saw its command's output.
    assert calls == 2 and "hz-7f3c9a1e-52b8-4d0e-9c61-a2e4b7d8f015" in observation
    assert kinds.count("model") == 2 and "program_end" in kinds and kinds[-1] == "task_end"
