"""`horizon tasks sync`, `run`, `batch`, `transcript` and `fit` as a person at a terminal uses them
(embedded mode: SQLite and the in-process queue, real Docker sandboxes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_task_sync import write_task
from tests.support.processes import REPO_ROOT
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker


def horizon(tmp_path: Path, instance: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(HORIZON_DATA_DIR=str(tmp_path / "data"), HORIZON_SANDBOX_INSTANCE=instance, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_terminal_workflow(tmp_path: Path, docker_backend: DockerBackend) -> None:
    instance = docker_backend.instance
    tree = tmp_path / "tasks"
    write_task(tree, "write-a")
    write_task(tree, "write-b")
    assert horizon(tmp_path, instance, "tasks", "validate", str(tree)).returncode == 0
    out = horizon(tmp_path, instance, "tasks", "sync", str(tree))
    assert out.returncode == 0 and "2 created" in out.stdout, out.stdout + out.stderr

    # Agents through the same services the API uses.
    script = (
        "from core.db import session_scope\n"
        "from core.schemas import AgentCreate\n"
        "from core.services.catalog import create_agent\n"
        "with session_scope() as s:\n"
        "    create_agent(s, AgentCreate(name='oracle', scaffold='oracle'))\n"
        "    create_agent(s, AgentCreate(name='null', scaffold='null'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["HORIZON_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, check=True)

    run = horizon(tmp_path, instance, "run", "--agent", "oracle", "--task", "write-a")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "task_start" in run.stdout and "score" in run.stdout  # the transcript streamed
    assert "completed stop=submitted score=1.0 binarized=1" in run.stdout

    batch = horizon(
        tmp_path, instance, "batch", "--agents", "oracle,null", "--tags", "demo", "--repeats", "2"
    )
    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert "done: completed=8" in batch.stdout

    transcript = horizon(tmp_path, instance, "transcript", "1")
    assert transcript.returncode == 0 and "run 1, attempt 1" in transcript.stdout
    missing = horizon(tmp_path, instance, "run", "--agent", "ghost", "--task", "write-a")
    assert missing.returncode == 2 and "no agent 'ghost'" in missing.stdout

    fit = horizon(tmp_path, instance, "fit", "--bootstrap", "20")
    assert fit.returncode == 0, fit.stdout + fit.stderr
    assert "oracle" in fit.stdout and "null" in fit.stdout
    assert docker_backend.managed_containers() == []
