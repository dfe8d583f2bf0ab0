"""POST /api/imports/tasks: an admin's archive of Harbor tasks imported and stored like a sync;
bounded like every upload (413), hostile archives refused (422) with nothing stored, 403 for
anyone but admins. A METR archive is checked here and stored as a job (its Python never runs in
the API; the job itself: tests/workers/test_metr_import_jobs.py)."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Task, TaskImportJob
from core.settings import Settings
from tests.reliability.support import table_counts
from tests.support.paths import TASK_FORMAT_FIXTURES

URL = "/api/imports/tasks"
HARBOR = TASK_FORMAT_FIXTURES / "harbor"
METR = TASK_FORMAT_FIXTURES / "metr"


def _counts() -> dict[str, int]:
    with session_scope() as s:
        return table_counts(s)


def _tgz(folders: dict[str, Path], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for arcname, folder in folders.items():
            tar.add(folder, arcname=arcname)
        for info in extra or []:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return buffer.getvalue()


def _post(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "suite.tgz", **params: Any
) -> Any:
    files = {"archive": (name, data, "application/gzip")}
    return client.post(URL, headers=headers, files=files, params={"format": "harbor", **params})


def test_a_metr_archive_is_stored_as_a_job_and_nothing_runs_in_the_request(
    client: TestClient, admin: dict[str, str], submitter: dict[str, str]
) -> None:
    data = _tgz({"suite/word_sort": METR / "word_sort", "suite/count_odds": METR / "count_odds"})
    # No worker jobs are registered in this process: the request itself imports nothing.
    assert _post(client, submitter, data, format="metr").status_code == 403
    answer = _post(client, admin, data, format="metr", minutes=3, threshold=0.5)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "queued" and body["families"] == 2
    assert body["url"] == f"{URL}/{body['id']}"
    with session_scope() as s:
        job = s.get(TaskImportJob, body["id"])
        assert job is not None and job.archive == data and job.format == "metr"
        assert job.options == {"minutes": 3, "threshold": 0.5} and job.created_by_token_id is not None
        assert s.scalar(select(func.count()).select_from(Task)) == 0
    read = client.get(body["url"], headers=admin)
    assert read.status_code == 200 and read.json()["status"] == "queued" and "tasks" not in read.json()
    assert client.get(body["url"], headers=submitter).status_code == 403
    assert client.get(body["url"]).status_code == 401
    assert client.get(f"{URL}/999999", headers=admin).status_code == 404
    assert client.get(f"{URL}/0", headers=admin).status_code == 422


def test_an_admin_imports_a_suite_and_each_task_is_answered(
    client: TestClient, admin: dict[str, str]
) -> None:
    data = _tgz(
        {
            "suite/tb-greeting": HARBOR / "tb-greeting",
            "suite/tb-status-service": HARBOR / "tb-status-service",
            "suite/online-verifier": HARBOR / "online-verifier",
        }
    )
    answer = _post(client, admin, data, minutes=2)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_source = {t["source"]: t for t in body["tasks"]}
    assert body["imported"] == 2 and body["refused"] == 1
    assert by_source["online-verifier"]["status"] == "refused"
    assert "needs the internet" in by_source["online-verifier"]["reason"]
    assert by_source["tb-status-service"]["stored"] == "created"
    assert any("becomes a service" in c for c in by_source["tb-status-service"]["changes"])
    with session_scope() as s:
        task = s.get(Task, "tb-status-service")
        assert task is not None and task.family_id == "services"
        assert task.versions[-1].environment["services"][0]["timeout_s"] == 30
        assert s.get(Task, "online-verifier") is None
    again = _post(client, admin, data, minutes=2).json()
    assert {t["stored"] for t in again["tasks"] if t["status"] != "refused"} == {"unchanged"}


def test_only_admins_import(client: TestClient, submitter: dict[str, str], viewer: dict[str, str]) -> None:
    before = _counts()
    data = _tgz({"tb-greeting": HARBOR / "tb-greeting"})
    assert _post(client, submitter, data).status_code == 403
    assert _post(client, viewer, data).status_code == 403
    assert _post(client, {}, data).status_code == 401
    assert _counts() == before


def test_an_oversized_upload_is_refused_before_it_is_read(settings: Settings, admin: dict[str, str]) -> None:
    from api.app import create_app

    small = settings.model_copy(update={"max_upload_bytes": 2048})
    before = _counts()
    with TestClient(create_app(small)) as client:
        answer = _post(client, admin, b"\x1f\x8b" + bytes(8192))
    assert answer.status_code == 413, answer.text
    assert _counts() == before


def _link(name: str, kind: bytes, target: str = "/etc/passwd") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def _file(name: str, size: int = 4) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    return info


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            archive.writestr(f"t/environment/big{i}.txt", b"0" * 900_000)
    return buffer.getvalue()


def _many_entries() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(20_001):
            archive.writestr(f"t/{i}", b"")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "params", "message"),
    [
        (lambda: _tgz({}, [_file("../escape.txt")]), "suite.tgz", {}, "paths must stay inside"),
        (lambda: _tgz({}, [_file("/etc/cron.d/x")]), "suite.tgz", {}, "paths must stay inside"),
        (lambda: _tgz({}, [_link("t/task.toml", tarfile.SYMTYPE)]), "suite.tgz", {}, "only plain files"),
        (lambda: _tgz({}, [_link("t/task.toml", tarfile.LNKTYPE)]), "suite.tgz", {}, "only plain files"),
        (lambda: _tgz({}, [_link("t/dev", tarfile.CHRTYPE)]), "suite.tgz", {}, "only plain files"),
        (lambda: _tgz({}, [_link("t/fifo", tarfile.FIFOTYPE)]), "suite.tgz", {}, "only plain files"),
        (lambda: _tgz({}, [_file("t/huge.bin", 2_000_000)]), "suite.tgz", {}, "larger than 1,000,000"),
        (_zip_bomb, "suite.zip", {}, "zip bomb"),
        (_many_entries, "suite.zip", {}, "more than 20,000 entries"),
        (lambda: b"\x1f\x8b garbage", "suite.tgz", {}, "not a valid tar.gz"),
        (lambda: b"plain", "suite.rar", {}, "upload a .tar.gz"),
        (lambda: _tgz({"x": HARBOR / "tb-greeting" / "tests"}), "suite.tgz", {}, "holds no Harbor task"),
        (
            lambda: _tgz({"t": HARBOR / "tb-greeting"}),
            "suite.tgz",
            {"format": "metr"},
            "holds no METR family",
        ),
        (lambda: _tgz({}, [_file("../f/f.py")]), "suite.tgz", {"format": "metr"}, "paths must stay inside"),
        (
            lambda: _tgz({"f": METR / "word_sort"}),
            "suite.tgz",
            {"format": "metr", "rebase": 1},
            "to Harbor tasks only",
        ),
        (lambda: _tgz({"t": HARBOR / "tb-greeting"}), "suite.tgz", {"threshold": 0.5}, "METR families only"),
        (
            lambda: _tgz({"f": METR / "word_sort"}),
            "suite.tgz",
            {"format": "metr", "threshold": 2},
            "threshold",
        ),
        (lambda: _tgz({"t": HARBOR / "tb-greeting"}), "suite.tgz", {"family": "../x"}, "family"),
        (lambda: _tgz({"t": HARBOR / "tb-greeting"}), "suite.tgz", {"minutes": 0}, "minutes"),
        (lambda: _tgz({"t": HARBOR / "tb-greeting"}), "suite.tgz", {"reward_key": "a b"}, "reward_key"),
    ],
)
def test_hostile_archives_are_422_and_store_nothing(
    client: TestClient, admin: dict[str, str], data: Any, name: str, params: dict[str, Any], message: str
) -> None:
    before = _counts()
    answer = _post(client, admin, data(), name, **params)
    assert answer.status_code == 422, answer.text
    assert message in answer.text
    assert _counts() == before


def test_two_tasks_with_one_id_store_only_the_first(
    client: TestClient, admin: dict[str, str], tmp_path: Path
) -> None:
    other = shutil.copytree(HARBOR / "tb-greeting", tmp_path / "tb-greeting")
    toml = other / "task.toml"
    toml.write_text(toml.read_text().replace('category = "files"', 'category = "other"'))
    data = _tgz({"a/tb-greeting": HARBOR / "tb-greeting", "b/tb-greeting": other})
    answer = _post(client, admin, data)
    assert answer.status_code == 200, answer.text
    tasks = answer.json()["tasks"]
    assert [t["status"] for t in tasks] == ["imported with changes", "refused"]
    assert "also the id of" in tasks[1]["reason"] and "/tmp" not in str(tasks)
    with session_scope() as s:
        task = s.get(Task, "tb-greeting")
        assert task is not None and task.family_id == "files" and len(task.versions) == 1
