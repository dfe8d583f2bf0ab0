"""Hostile task content is refused the same way at every edge: the REST API, the web form (fields
and archive uploads) and task folders, all checked with core.taskspec's rules.

Archive bombs (a huge pax header, a high-ratio zip, 100,000 tiny members) must be refused with a
4xx quickly while the server's Python memory stays bounded (tracemalloc peak in-process); a
work directory that would add a Dockerfile step, nonsense human times, `..` task ids, oversized
files and file floods are refused naming the field. Every refusal leaves every table unchanged.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import session_scope
from core.settings import Settings
from core.taskfolder import validate_task_folder
from core.taskspec import MAX_FILE_BYTES, MAX_FILES
from tests.factories import edit_task_folder_spec, make_task_folder, make_token, task_body
from tests.reliability.support import table_counts
from tests.web.conftest import csrf_token, sign_in
from tests.web.test_task_pages import _task_folder_files, field_error, form_fields, upload_files

MEMORY_BOUND = 50 * 1024 * 1024
TIME_BOUND_S = 10.0


@pytest.fixture
def app(db: str, tmp_path: Path) -> Iterator[TestClient]:
    """The API and the web pages on the test database, signed in on the web as a submitter."""
    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db, data_dir=tmp_path / "data"))) as client:
        sign_in(client, "submitter")
        yield client


@pytest.fixture
def api_headers(db: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('submitter')}"}


def _counts() -> dict[str, int]:
    with session_scope() as session:
        return table_counts(session)


def _refused_changing_nothing(call: Callable[[], Any], status: int = 422) -> tuple[Any, int, float]:
    """Make the request; assert it was refused and wrote nothing. Returns (response, peak Python
    memory growth in bytes while it ran, seconds)."""
    before = _counts()
    tracemalloc.start()
    start_mem = tracemalloc.get_traced_memory()[0]
    started = time.monotonic()
    try:
        response = call()
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] - start_mem
        tracemalloc.stop()
    assert response.status_code == status, response.text[:500]
    assert _counts() == before
    return response, peak, elapsed


def _upload(client: TestClient, name: str, data: bytes) -> Any:
    fields = {"csrf_token": csrf_token(client, "/tasks/new")}
    return client.post(
        "/tasks/new", data=fields, files=[("archive", (name, data, "application/octet-stream"))]
    )


def _form(client: TestClient, **overrides: str) -> Any:
    return client.post(
        "/tasks/new",
        data={**form_fields(**overrides), "csrf_token": csrf_token(client, "/tasks/new")},
        files=upload_files(),
        follow_redirects=False,
    )


def _archive_error(page: str) -> str:
    return field_error(page, "archive") or ""


def _api_errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


# ---------------------------------------------------------------- (a) archive bombs


def _tar_header(name: str, kind: bytes, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _pax_bomb(header_bytes: int) -> bytes:
    """A .tar.gz whose first record is a pax header of `header_bytes`, streamed (never in memory)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as gz:
        gz.write(_tar_header("././@PaxHeader", tarfile.XHDTYPE, header_bytes))
        chunk = b"a" * (1024 * 1024)
        left = -(-header_bytes // 512) * 512
        while left:
            gz.write(chunk[: min(left, len(chunk))])
            left -= min(left, len(chunk))
        data = b"hello\n"
        gz.write(_tar_header("x/task.yaml", tarfile.REGTYPE, len(data)) + data.ljust(512, b"\0"))
        gz.write(bytes(1024))
    return buffer.getvalue()


def _zip_bomb(files: int, size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for i in range(files):
            with archive.open(f"x/environment/zeros{i}.txt", "w") as member:
                for _ in range(0, size, 1024 * 1024):
                    member.write(bytes(min(1024 * 1024, size)))
    return buffer.getvalue()


def _many_members_zip(n: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(n):
            archive.writestr(f"x/environment/{i}", b"")
    return buffer.getvalue()


def _many_members_targz(n: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for i in range(n):
            tar.addfile(tarfile.TarInfo(f"x/environment/{i}"), io.BytesIO(b""))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("pax-100mb.tar.gz", lambda: _pax_bomb(100_000_000), "larger than"),
        ("pax-1mb.tar.gz", lambda: _pax_bomb(1_000_000), "extended header"),
        ("bomb-one.zip", lambda: _zip_bomb(1, 60_000_000), "larger than"),
        ("bomb-ratio.zip", lambda: _zip_bomb(8, 900_000), "zip bomb"),
        ("members.zip", lambda: _many_members_zip(100_000), "entries"),
        ("members.tar.gz", lambda: _many_members_targz(100_000), "than"),
        ("members-5000.tar.gz", lambda: _many_members_targz(5_000), "entries"),
    ],
)
def test_archive_bombs_are_refused_quickly_in_bounded_memory(
    app: TestClient, name: str, make: Callable[[], bytes], says: str
) -> None:
    data = make()
    assert len(data) < 12_000_000  # small uploads that would unpack to far more
    response, peak, elapsed = _refused_changing_nothing(lambda: _upload(app, name, data))
    assert peak < MEMORY_BOUND + 3 * len(data), f"{name}: Python memory grew by {peak:,} bytes"
    assert elapsed < TIME_BOUND_S, f"{name}: refused after {elapsed:.1f} s"
    assert says in _archive_error(response.text)


def test_a_lying_zip_entry_is_caught_by_the_bounded_read(app: TestClient) -> None:
    """An entry that declares 10 bytes but holds 900 KB: only the declared bytes are read and the
    checksum then fails, so the archive is refused."""
    buffer = io.BytesIO()
    files = _task_folder_files()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel, text in files.items():
            archive.writestr(f"packed/{rel}", text)
        archive.writestr("packed/environment/big.txt", bytes(900_000))
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.rfind(signature)  # the last entry's local and central headers
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    response, peak, _ = _refused_changing_nothing(lambda: _upload(app, "liar.zip", bytes(data)))
    assert peak < MEMORY_BOUND
    assert "not a valid zip archive" in _archive_error(response.text)


def test_a_well_formed_archive_still_works(app: TestClient) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel, text in _task_folder_files().items():
            info = tarfile.TarInfo(f"packed/{rel}")
            info.size = len(text.encode())
            info.pax_headers = {"comment": "a small pax header is fine"}
            tar.addfile(info, io.BytesIO(text.encode()))
    response = _upload(app, "fine.tar.gz", buffer.getvalue())
    assert response.status_code in (200, 303), _archive_error(response.text)


# ---------------------------------------------------------------- (b) work directories

BAD_WORKDIRS = ["/home/agent\nRUN echo injected", "home/agent", "/", "/proc/self", "/home/agent/../../etc"]


@pytest.mark.parametrize("workdir", BAD_WORKDIRS)
def test_bad_workdir_is_refused_at_every_edge(
    app: TestClient, api_headers: dict[str, str], tmp_path: Path, workdir: str
) -> None:
    body = task_body(environment={"files": {"check.py": "print(1)\n"}, "workdir": workdir})
    response, _, _ = _refused_changing_nothing(lambda: app.post("/api/tasks", json=body, headers=api_headers))
    assert "environment.workdir" in _api_errors(response)

    response, _, _ = _refused_changing_nothing(lambda: _form(app, **{"environment.workdir": workdir}))
    assert field_error(response.text, "environment.workdir")

    folder = make_task_folder(tmp_path / workdir.encode().hex())
    edit_task_folder_spec(folder, workdir=workdir)
    assert any(p.field == "workdir" for p in validate_task_folder(folder))


# ---------------------------------------------------------------- (c) human times


@pytest.mark.parametrize("minutes", [1e-300, 0.0001, "5", True, 43_201, float("inf")])
def test_nonsense_baseline_minutes_are_refused(
    app: TestClient, api_headers: dict[str, str], tmp_path: Path, minutes: Any
) -> None:
    baseline = {"baseliner": "ann", "minutes": minutes, "succeeded": True}
    if minutes != float("inf"):  # JSON has no infinity
        body = task_body(baselines=[baseline])
        response, _, _ = _refused_changing_nothing(
            lambda: app.post("/api/tasks", json=body, headers=api_headers)
        )
        assert "baselines.0.minutes" in _api_errors(response)

    if not isinstance(minutes, str | bool):
        response, _, _ = _refused_changing_nothing(
            lambda: _form(app, **{"baselines.0.minutes": str(minutes)})
        )
        assert field_error(response.text, "baselines.0.minutes")

    folder = make_task_folder(tmp_path)
    edit_task_folder_spec(folder, baselines=[baseline])
    assert any(p.field == "baselines[0].minutes" for p in validate_task_folder(folder))


def test_baseline_endpoint_refuses_strings_booleans_and_tiny_minutes(
    app: TestClient, api_headers: dict[str, str]
) -> None:
    assert app.post("/api/tasks", json=task_body(), headers=api_headers).status_code == 201
    for minutes in (1e-300, 0.0001, "5", True):
        baseline = {"baseliner": "ann", "minutes": minutes, "succeeded": True}
        post = partial(app.post, "/api/tasks/fix-bug/baselines", json=baseline, headers=api_headers)
        response, _, _ = _refused_changing_nothing(post)
        assert "minutes" in _api_errors(response)
    ok = {"baseliner": "ann", "minutes": 0.25, "succeeded": True}
    assert app.post("/api/tasks/fix-bug/baselines", json=ok, headers=api_headers).status_code == 201


def test_numbers_are_strict_in_the_api(app: TestClient, api_headers: dict[str, str]) -> None:
    for override in (
        {"time_limit_s": "600"},
        {"time_limit_s": True},
        {"limits": {"cpus": "1"}},
        {"limits": {"memory_mb": 256.5}},
        {"scorer": {"command": "true", "threshold": "1"}},
    ):
        body = task_body(**override)
        _refused_changing_nothing(partial(app.post, "/api/tasks", json=body, headers=api_headers))


# ---------------------------------------------------------------- (d) task ids


@pytest.mark.parametrize("task_id", ["x/../y", "x/./y", "x//y", "x/", "../x"])
def test_path_like_task_ids_are_refused(app: TestClient, api_headers: dict[str, str], task_id: str) -> None:
    body = task_body(task_id)
    response, _, _ = _refused_changing_nothing(lambda: app.post("/api/tasks", json=body, headers=api_headers))
    assert "id" in _api_errors(response)
    response, _, _ = _refused_changing_nothing(lambda: _form(app, id=task_id))
    assert "parts separated by /" in (field_error(response.text, "id") or "")


def test_slashes_between_plain_segments_still_work(app: TestClient, api_headers: dict[str, str]) -> None:
    assert app.post("/api/tasks", json=task_body("suite/x.y/z"), headers=api_headers).status_code == 201


# ---------------------------------------------------------------- (e) sizes and counts


def test_a_5mb_file_is_refused(app: TestClient, api_headers: dict[str, str]) -> None:
    body = task_body(environment={"files": {"big.txt": "x" * 5_000_000}})
    response, _, _ = _refused_changing_nothing(lambda: app.post("/api/tasks", json=body, headers=api_headers))
    assert any(f.startswith("environment.files") for f in _api_errors(response))


def test_a_task_over_the_total_size_is_refused(app: TestClient, api_headers: dict[str, str]) -> None:
    files = {f"part{i}.txt": "x" * (MAX_FILE_BYTES - 10) for i in range(9)}
    body = task_body(environment={"files": files})
    response, _, _ = _refused_changing_nothing(lambda: app.post("/api/tasks", json=body, headers=api_headers))
    assert "8,000,000" in response.json()["detail"]


def test_50000_files_are_refused_quickly(app: TestClient, api_headers: dict[str, str]) -> None:
    body = task_body(environment={"files": {f"f{i}.txt": "x" for i in range(50_000)}})
    response, _, elapsed = _refused_changing_nothing(
        lambda: app.post("/api/tasks", json=body, headers=api_headers)
    )
    assert "environment.files" in _api_errors(response)
    assert elapsed < 5.0, f"refusing 50,000 files took {elapsed:.1f} s"


def test_file_count_is_capped_in_folders_too(tmp_path: Path) -> None:
    folder = make_task_folder(tmp_path)
    for i in range(MAX_FILES + 1):
        (folder / "environment" / f"f{i}.txt").write_text("x")
    messages = " ".join(p.message for p in validate_task_folder(folder))
    assert f"{MAX_FILES:,}" in messages


def test_update_cannot_grow_a_task_past_its_limits(app: TestClient, api_headers: dict[str, str]) -> None:
    files = {f"part{i}.txt": "x" * (MAX_FILE_BYTES - 10) for i in range(5)}
    body = task_body(environment={"files": files})
    assert app.post("/api/tasks", json=body, headers=api_headers).status_code == 201
    more = {
        "scorer": {"command": "true", "files": {f"s{i}.txt": "y" * (MAX_FILE_BYTES - 10) for i in range(5)}}
    }
    _refused_changing_nothing(lambda: app.patch("/api/tasks/fix-bug", json=more, headers=api_headers))


def test_the_bundled_tasks_still_validate() -> None:
    from core.taskfolder import validate_tree

    assert validate_tree(Path(__file__).resolve().parents[2] / "tasks") == []
