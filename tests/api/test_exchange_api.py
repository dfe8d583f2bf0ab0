"""POST /api/imports/inspect (admins only, upload-bounded, all or nothing) and GET
/api/runs/export (METR's runs format, streamed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import session_scope
from core.settings import Settings
from tests.reliability.support import table_counts
from tests.support.inspect_logs import AGENT, PROBE_SAMPLES, SampleSpec, write_log

URL = "/api/imports/inspect"


def _counts() -> dict[str, int]:
    with session_scope() as s:
        return table_counts(s)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inspect-api-logs")
    return {
        "probe": write_log(folder, PROBE_SAMPLES, epochs=2),
        "numbered": write_log(folder, [SampleSpec(1, (True,)), SampleSpec(2, (False,))], log_format="json"),
    }


def _upload(
    client: TestClient, headers: dict[str, str], log: bytes, mapping: bytes | None = None, **params: Any
) -> Any:
    files = {"log": ("run.eval", log, "application/octet-stream")}
    if mapping is not None:
        files["mapping"] = ("map.csv", mapping, "text/csv")
    return client.post(URL, headers=headers, files=files, params=params)


def _export(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/api/runs/export", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in answer.text.splitlines()]


def test_an_admin_imports_a_log_once_and_readers_export_it(
    client: TestClient, admin: dict[str, str], logs: dict[str, Path]
) -> None:
    data = logs["probe"].read_bytes()
    first = _upload(client, admin, data, release_date="2025-02-01")
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["runs_added"], body["tasks_added"], body["agent"], body["scorer"]) == (12, 6, AGENT, "match")
    again = _upload(client, admin, data)
    assert (again.json()["runs_added"], again.json()["runs_already_present"]) == (0, 12)

    runs = client.get("/api/runs", params={"agent": AGENT}).json()
    assert runs["total"] == 12
    assert runs["items"][0]["import_details"]["scorer"] == "match"
    rows = _export(client)
    assert len(rows) == 12 and {r["alias"] for r in rows} == {AGENT}
    assert sum(r["invsqrt_task_weight"] for r in rows) == pytest.approx(1)
    assert {r["run_id"] for r in rows} == {str(r["id"]) for r in runs["items"]}
    assert _export(client, agent="someone else") == []
    assert len(_export(client, agent=[AGENT, "someone else"])) == 12


def test_a_mapping_names_the_tasks_of_numbered_samples(
    client: TestClient, admin: dict[str, str], logs: dict[str, Path]
) -> None:
    data = logs["numbered"].read_bytes()
    refused = _upload(client, admin, data)
    assert refused.status_code == 422 and "bare number" in refused.json()["detail"]
    mapping = b"sample_id,task_id,task_family,human_minutes\n1,quiz/one,quiz,3\n2,quiz/two,quiz,\n"
    done = _upload(client, admin, data, mapping, agent="quizzer", threshold=0.5)
    assert done.status_code == 200, done.text
    assert done.json()["tasks_without_human_time_listed"] == ["quiz/two"]
    assert [r["task_id"] for r in _export(client)] == ["quiz/one"]  # quiz/two has no human time


def test_only_admins_import(
    client: TestClient,
    submitter: dict[str, str],
    viewer: dict[str, str],
    logs: dict[str, Path],
) -> None:
    before = _counts()
    data = logs["probe"].read_bytes()
    assert _upload(client, submitter, data).status_code == 403
    assert _upload(client, viewer, data).status_code == 403
    assert _upload(client, {}, data).status_code == 401
    assert _counts() == before


def test_an_oversized_upload_is_refused_before_it_is_read(
    settings: Settings, admin: dict[str, str], logs: dict[str, Path]
) -> None:
    from api.app import create_app

    small = settings.model_copy(update={"max_upload_bytes": 4096})
    before = _counts()
    with TestClient(create_app(small)) as client:
        answer = _upload(client, admin, logs["probe"].read_bytes())
    assert answer.status_code == 413, answer.text
    assert _counts() == before


@pytest.mark.parametrize(
    ("log", "mapping", "params", "message"),
    [
        (b"PK\x03\x04garbage", None, {}, "not a readable zip archive"),
        (b'{"eval": 1}', None, {}, "not a readable Inspect log"),
        (b"\x00\x01binary", None, {}, "neither an Inspect .eval archive nor a .json log"),
        ("probe", b"sample_id,task_id\nprobe/t1,../x\n", {}, "is not a task id"),
        ("probe", b"sample_id\n\xff\n", {}, "not UTF-8"),
        ("probe", None, {"scorer": "exact"}, "no sample has a score from 'exact'"),
        ("probe", None, {"agent": " padded "}, "agent name"),
        ("probe", None, {"threshold": 0}, "threshold"),
        ("probe", None, {"threshold": 2}, "threshold"),
        ("probe", None, {"release_date": "soon"}, "release_date"),
    ],
)
def test_a_malformed_upload_is_a_422_and_stores_nothing(
    client: TestClient,
    admin: dict[str, str],
    logs: dict[str, Path],
    log: bytes | str,
    mapping: bytes | None,
    params: dict[str, Any],
    message: str,
) -> None:
    before = _counts()
    data = logs[log].read_bytes() if isinstance(log, str) else log
    answer = _upload(client, admin, data, mapping, **params)
    assert answer.status_code == 422, answer.text
    assert message in answer.text
    assert _counts() == before


def test_export_parameters_are_bounded(client: TestClient) -> None:
    assert client.get("/api/runs/export", params={"agent": ["a"] * 101}).status_code == 422
    assert client.get("/api/runs/export", params={"agent": "x" * 201}).status_code == 422
    assert client.get("/api/runs/export").text == ""
    assert client.get("/api/runs/12").status_code == 404  # the run route still answers
