"""METR families over the admin API: `POST /api/imports/tasks?format=metr` stores a job, and the
`imports.tasks` job lists each family's tasks in a sandbox (real Docker), then stores the tasks
and the answers in one transaction. Embedded (in-process queue, PostgreSQL and SQLite) and
Celery on Redis with PostgreSQL.

Hostile families: one that writes a host path and opens a TCP connection when imported (neither
reaches the host; the listing ran in the sandbox), one that crashes, one that prints more than
the bound, one that forges the listing: each refused with its reason, nothing stored for them."""

from __future__ import annotations

import io
import secrets
import socket
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import HumanBaseline, Task, TaskImportJob
from core.queue import InProcessQueue, get_queue
from core.settings import Settings, get_settings
from tests.factories import make_token
from tests.support.paths import TASK_FORMAT_FIXTURES
from tests.support.processes import Proc, start_worker, wait_until
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

URL = "/api/imports/tasks"
METR = TASK_FORMAT_FIXTURES / "metr"


def _tgz(folders: dict[str, Path] | None = None, texts: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for arcname, folder in (folders or {}).items():
            tar.add(folder, arcname=arcname)
        for name, text in (texts or {}).items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _family(name: str, head: str, instructions: str = '"Write done to answer.txt."') -> dict[str, str]:
    """A one-task family `name` whose module runs `head` when imported."""
    return {
        f"{name}/{name}.py": (
            f"{head}\n\n"
            "class TaskFamily:\n"
            '    standard_version = "0.5.0"\n\n'
            "    @staticmethod\n"
            "    def get_tasks():\n"
            '        return {"only": {}}\n\n'
            "    @staticmethod\n"
            "    def get_instructions(t):\n"
            f"        return {instructions}\n\n"
            "    @staticmethod\n"
            "    def score(t, submission):\n"
            "        return 1.0\n"
        )
    }


@pytest.fixture
def sandboxes(docker_backend: DockerBackend, monkeypatch: pytest.MonkeyPatch) -> Iterator[DockerBackend]:
    """Jobs label their sandboxes with this session's instance; none may be left behind."""
    monkeypatch.setenv("HORIZON_SANDBOX_INSTANCE", docker_backend.instance)
    get_settings.cache_clear()
    yield docker_backend
    assert docker_backend.managed_containers() == []


def _post(client: TestClient, headers: dict[str, str], data: bytes, **params: Any) -> dict[str, Any]:
    files = {"archive": ("families.tgz", data, "application/gzip")}
    answer = client.post(URL, headers=headers, files=files, params={"format": "metr", **params})
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _finished(client: TestClient, settings: Settings, url: str, headers: dict[str, str]) -> dict[str, Any]:
    queue = get_queue(settings)
    assert isinstance(queue, InProcessQueue) and queue.wait_idle(timeout=300)
    body: dict[str, Any] = client.get(url, headers=headers).json()
    return body


def _task_count() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(Task)) or 0)


def _assert_families_stored(body: dict[str, Any]) -> None:
    by_source = {t["source"]: t for t in body["tasks"]}
    assert body["status"] == "done" and body["error"] is None
    assert body["imported"] == 4 and body["refused"] == 1, body
    assert by_source["count_odds/online"]["reason"] == "it needs full_internet"
    assert {t["stored"] for t in body["tasks"] if t["status"] != "refused"} == {"created"}
    with session_scope() as s:
        task = s.get(Task, "count_odds-easy")
        assert task is not None and task.family_id == "count_odds"
        assert "odd integers" in task.versions[-1].instructions
        estimate = s.scalar(select(HumanBaseline).where(HumanBaseline.task_id == "count_odds-easy"))
        assert (
            estimate is not None and estimate.baseliner == "metr-manifest" and estimate.source == "estimate"
        )
        assert s.get(Task, "count_odds-online") is None
        job = s.get(TaskImportJob, body["id"])
        assert job is not None and job.archive is None and job.finished_at is not None


@pytest.fixture
def embedded(db: str, sandboxes: DockerBackend, worker_jobs: None) -> Iterator[tuple[TestClient, Settings]]:
    from api.app import create_app

    settings = Settings(database_url=db)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def test_a_metr_archive_is_imported_through_the_job(embedded: tuple[TestClient, Settings]) -> None:
    client, settings = embedded
    admin = {"Authorization": f"Bearer {make_token('admin')}"}
    data = _tgz({"suite/count_odds": METR / "count_odds", "suite/word_sort": METR / "word_sort"})
    queued = _post(client, admin, data, minutes=2)
    body = _finished(client, settings, queued["url"], admin)
    _assert_families_stored(body)
    with session_scope() as s:
        # word_sort's manifest has no estimate: the admin's minutes stand in, saying so.
        word = s.scalar(select(HumanBaseline).where(HumanBaseline.task_id == "word_sort-given"))
        assert word is not None and word.baseliner == "importer-default" and word.minutes == 2

    # A redelivered message for a finished job does nothing.
    from workers.import_jobs import run_import_job

    assert run_import_job(body["id"]) == "not queued"
    assert client.get(queued["url"], headers=admin).json() == body


def test_hostile_families_run_only_in_the_sandbox(
    embedded: tuple[TestClient, Settings], tmp_path: Path
) -> None:
    client, settings = embedded
    admin = {"Authorization": f"Bearer {make_token('admin')}"}
    marks = [Path(f"/tmp/horizon-attack-{secrets.token_hex(6)}"), tmp_path / "escaped" / "mark"]
    listener = socket.create_server(("0.0.0.0", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    host_ip = socket.gethostbyname(socket.gethostname())
    evil = _family(
        "evil",
        "import os, socket\n"
        f"for mark in {[str(m) for m in marks]!r}:\n"
        "    try:\n"
        "        os.makedirs(os.path.dirname(mark), exist_ok=True)\n"
        "        open(mark, 'w').write('ran')\n"
        "    except OSError:\n"
        "        pass\n"
        "NET = 'connected'\n"
        f"for host in ({host_ip!r}, '172.17.0.1', '1.1.1.1'):\n"
        "    try:\n"
        f"        socket.create_connection((host, {port}), timeout=3).close()\n"
        "        break\n"
        "    except OSError as exc:\n"
        "        NET = 'blocked ' + type(exc).__name__\n"
        "WHERE = socket.gethostname()",
        instructions='f"Write done. host={WHERE} net={NET}"',
    )
    crash = _family("crash", "raise RuntimeError('boom while importing the family')")
    huge = _family("huge", "", instructions='"x" * 9_000_000')
    forged = _family(
        "forged",
        "import atexit, sys\n"
        'atexit.register(lambda: print(sys.argv[3] + \'{"standard_version": "1", '
        '"required_environment_variables": [], "tasks": {"t": {"instructions": 5, '
        '"permissions": [], "aux_vm": false}}}\'))',
    )
    try:
        queued = _post(client, admin, _tgz(texts={**evil, **crash, **huge, **forged}))
        body = _finished(client, settings, queued["url"], admin)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing ever connected to the host
    finally:
        listener.close()
    assert not any(m.exists() for m in marks)
    by_source = {t["source"]: t for t in body["tasks"]}
    assert body["status"] == "done" and body["imported"] == 1 and body["refused"] == 3, body
    assert "RuntimeError: boom while importing the family" in by_source["crash"]["reason"]
    assert "more than 8,000,000 bytes" in by_source["huge"]["reason"]
    assert "instructions must be a string" in by_source["forged"]["reason"]
    assert "/tmp/horizon-import-job" not in str(body)  # the worker's paths are not shown
    with session_scope() as s:
        stored = s.get(Task, "evil-only")
        assert stored is not None
        instructions = stored.versions[-1].instructions
        assert "host=sandbox" in instructions and "net=blocked" in instructions, instructions
    assert _task_count() == 1


def test_a_failure_while_storing_stores_nothing(
    embedded: tuple[TestClient, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, settings = embedded
    admin = {"Authorization": f"Bearer {make_token('admin')}"}
    from core.services.suite_imports import store_outcomes

    def store_then_fail(*args: Any) -> dict[str, Any]:
        store_outcomes(*args)  # the tasks are in the transaction now...
        raise RuntimeError("the disk is full")  # ...and must go with it

    monkeypatch.setattr("workers.import_jobs.store_outcomes", store_then_fail)
    queued = _post(client, admin, _tgz({"word_sort": METR / "word_sort"}))
    body = _finished(client, settings, queued["url"], admin)
    assert body["status"] == "failed" and "RuntimeError: the disk is full" in body["error"]
    assert "tasks" not in body and _task_count() == 0
    with session_scope() as s:
        job = s.get(TaskImportJob, body["id"])
        assert job is not None and job.archive is None


def test_embedded_on_sqlite(
    sandboxes: DockerBackend, worker_jobs: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.app import create_app
    from core.migrate import upgrade

    url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
    upgrade(url=url)
    monkeypatch.setenv("DATABASE_URL", url)  # the job reads the process's settings
    get_settings.cache_clear()
    try:
        settings = get_settings()
        admin = {"Authorization": f"Bearer {make_token('admin', settings=settings)}"}
        with TestClient(create_app(settings)) as client:
            queued = _post(client, admin, _tgz({"word_sort": METR / "word_sort"}))
            body = _finished(client, settings, queued["url"], admin)
        assert body["status"] == "done" and body["imported"] == 2 and body["refused"] == 0, body
        with session_scope(settings) as s:
            assert s.get(Task, "word_sort-given") is not None
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_celery_worker_with_postgresql(db: str, redis_url: str, sandboxes: DockerBackend) -> None:
    import redis

    from api.app import create_app

    redis.Redis.from_url(redis_url).flushdb()
    env = {"DATABASE_URL": db, "REDIS_URL": redis_url, "HORIZON_SANDBOX_INSTANCE": sandboxes.instance}
    worker: Proc = start_worker(env, "w-metr-import", queues="default")
    try:
        settings = Settings(database_url=db, redis_url=redis_url)
        admin = {"Authorization": f"Bearer {make_token('admin')}"}
        with TestClient(create_app(settings)) as client:
            data = _tgz({"count_odds": METR / "count_odds", "word_sort": METR / "word_sort"})
            queued = _post(client, admin, data, minutes=2)

            def finished() -> bool:
                return client.get(queued["url"], headers=admin).json()["status"] in ("done", "failed")

            wait_until(finished, 300, "the worker to import the families")
            _assert_families_stored(client.get(queued["url"], headers=admin).json())
    finally:
        worker.stop()
