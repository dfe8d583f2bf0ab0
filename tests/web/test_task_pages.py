"""Task list, task page and the submission form (fields, uploads, archives) on real PostgreSQL."""

from __future__ import annotations

import html
import io
import re
import tarfile
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import HumanBaseline, Task, TaskHealthCheck, TaskVersion
from tests.factories import make_task
from tests.web.conftest import csrf_token

SCORE = "import pathlib\nprint(1 if pathlib.Path('answer.txt').read_text().strip() == 'hello' else 0)\n"


def form_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "id": "say-hello",
        "family": "greetings",
        "title": "Say hello",
        "tags": "easy, python",
        "instructions": "Write hello into answer.txt.",
        "environment.dockerfile": "",
        "environment.workdir": "/home/agent",
        "scorer.command": "python3 /scorer/score.py",
        "scorer.threshold": "1",
        "scorer.timeout_s": "60",
        "solution.command": "sh /solution/solve.sh",
        "limits.cpus": "1",
        "limits.memory_mb": "256",
        "limits.pids": "64",
        "limits.disk_mb": "64",
        "time_limit_s": "600",
        "baselines.0.baseliner": "ann",
        "baselines.0.minutes": "2.5",
        "baselines.0.succeeded": "yes",
        "baselines.0.source": "baseline",
        "baselines.0.notes": "",
        "baselines.1.baseliner": "",
        "baselines.1.minutes": "",
        "baselines.1.succeeded": "yes",
        "baselines.1.source": "baseline",
        "baselines.1.notes": "",
    }
    fields.update(overrides)
    return fields


def upload_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("scorer.files", ("score.py", SCORE.encode(), "text/x-python")),
        ("solution.files", ("solve.sh", b"echo hello > answer.txt\n", "text/plain")),
        ("environment.files", ("README.txt", b"nothing here\n", "text/plain")),
    ]


def submit(client: TestClient, path: str, fields: dict[str, str], files: Any = None) -> Any:
    return client.post(
        path, data={**fields, "csrf_token": csrf_token(client)}, files=files or [], follow_redirects=False
    )


def count(model: Any) -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def field_error(page: str, name: str) -> str | None:
    found = re.search(rf'data-error-for="{re.escape(name)}">([^<]*)<', page)
    return html.unescape(found.group(1)) if found else None


def test_create_task_through_the_form(submitter_client: TestClient) -> None:
    r = submit(submitter_client, "/tasks/new", form_fields(), upload_files())
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/tasks/say-hello?created=1"
    with session_scope() as s:
        task = s.get(Task, "say-hello")
        assert task is not None and task.tags == ["easy", "python"]
        assert task.human_minutes == 2.5 and task.human_minutes_source == "baseline"
        version = s.scalars(select(TaskVersion).where(TaskVersion.task_id == "say-hello")).one()
        assert version.scorer["files"] == {"score.py": SCORE}
        assert version.solution == {
            "command": "sh /solution/solve.sh",
            "files": {"solve.sh": "echo hello > answer.txt\n"},
        }
        assert version.environment["files"] == {"README.txt": "nothing here\n"}
        assert version.limits["memory_mb"] == 256 and version.time_limit_s == 600
    listed = submitter_client.get("/tasks?q=hello")
    assert ">say-hello</a>" in listed.text
    page = submitter_client.get(r.headers["location"])
    assert "Task created." in page.text and "2.5 min" in page.text and "measured" in page.text


def test_validation_errors_are_shown_next_to_fields_and_nothing_is_stored(
    submitter_client: TestClient,
) -> None:
    fields = form_fields(
        **{"id": "has space", "limits.cpus": "-2", "baselines.0.minutes": "0", "scorer.command": ""}
    )
    r = submit(submitter_client, "/tasks/new", fields, upload_files())
    assert r.status_code == 422
    assert "Nothing was stored" in r.text
    assert "letters, digits" in (field_error(r.text, "id") or "")
    assert "greater than 0" in (field_error(r.text, "limits.cpus") or "")
    assert "at least 0.01667" in (field_error(r.text, "baselines.0.minutes") or "")
    assert field_error(r.text, "scorer.command") is not None
    # What the person typed is kept; uploads must be chosen again and the page says so.
    assert 'value="has space"' in r.text and "choose the files again" in r.text
    assert count(Task) == 0 and count(HumanBaseline) == 0 and count(TaskVersion) == 0


def test_service_errors_are_mapped_too(submitter_client: TestClient) -> None:
    make_task("say-hello")
    r = submit(submitter_client, "/tasks/new", form_fields(), upload_files())
    assert r.status_code == 422
    assert "already exists" in (field_error(r.text, "id") or "")
    assert count(Task) == 1


def test_bad_file_path_and_binary_upload(submitter_client: TestClient) -> None:
    files = [("scorer.files", ("score.bin", b"\xff\xfe\x00binary", "application/octet-stream"))]
    r = submit(submitter_client, "/tasks/new", form_fields(), files)
    assert r.status_code == 422
    assert "not UTF-8" in (field_error(r.text, "scorer.files") or "")
    assert count(Task) == 0


def _task_folder_files(task_id: str = "packed", family: str = "archives") -> dict[str, str]:
    return {
        "task.yaml": (
            f"id: {task_id}\nfamily: {family}\ntitle: Packed task\nversion: 1\ntime_limit_s: 300\n"
            "tags: [archive]\nscorer:\n  command: python3 /scorer/score.py\n"
            "estimate:\n  minutes: 7\n  source: author\n  rationale: typing a word\n"
        ),
        "instructions.md": "Write hello into answer.txt.\n",
        "scorer/score.py": SCORE,
        "solution/solve.sh": "echo hello > answer.txt\n",
        "environment/data.txt": "x\n",
    }


def _zip(files: dict[str, str], prefix: str = "packed/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(prefix + name, text)
    return buffer.getvalue()


def _targz(files: dict[str, str], prefix: str = "x/") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(prefix + name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_create_from_zip_and_targz_archives(submitter_client: TestClient) -> None:
    empty = {k: "" for k in form_fields()}
    r = submit(
        submitter_client,
        "/tasks/new",
        empty,
        [("archive", ("packed.zip", _zip(_task_folder_files()), "application/zip"))],
    )
    assert r.status_code == 303, r.text
    r = submit(
        submitter_client,
        "/tasks/new",
        empty,
        [("archive", ("other.tar.gz", _targz(_task_folder_files("other", "more")), "application/gzip"))],
    )
    assert r.status_code == 303, r.text
    with session_scope() as s:
        task = s.get(Task, "packed")
        assert task is not None and task.family_id == "archives"
        assert task.human_minutes == 7 and task.human_minutes_source == "estimate"
        version = s.scalars(select(TaskVersion).where(TaskVersion.task_id == "packed")).one()
        assert version.environment["files"] == {"data.txt": "x\n"}
        assert version.solution is not None and version.solution["files"] == {
            "solve.sh": "echo hello > answer.txt\n"
        }
        assert s.get(Task, "other") is not None
    page = submitter_client.get("/tasks/packed")
    assert "estimate" in page.text


def test_bad_archives_store_nothing(submitter_client: TestClient) -> None:
    empty = {k: "" for k in form_fields()}
    broken = _task_folder_files()
    broken["task.yaml"] = broken["task.yaml"].replace(
        "command: python3 /scorer/score.py", "command: python3 /scorer/missing.py"
    )
    r = submit(
        submitter_client, "/tasks/new", empty, [("archive", ("b.zip", _zip(broken), "application/zip"))]
    )
    assert r.status_code == 422
    assert "scorer/missing.py does not exist" in r.text
    escape = _zip({"../evil.txt": "x"}, prefix="")
    r = submit(submitter_client, "/tasks/new", empty, [("archive", ("e.zip", escape, "application/zip"))])
    assert r.status_code == 422 and "stay inside" in r.text
    # Folders and the API share one tag rule (core.taskspec.Tag): the folder refuses it, in the
    # same words, shown under the upload.
    spaced = _task_folder_files()
    spaced["task.yaml"] = spaced["task.yaml"].replace("tags: [archive]", 'tags: ["two words"]')
    r = submit(
        submitter_client, "/tasks/new", empty, [("archive", ("s.zip", _zip(spaced), "application/zip"))]
    )
    assert r.status_code == 422
    assert "tags[0]: tag 'two words': use letters" in (field_error(r.text, "archive") or "")
    # Valid as a folder, refused by the task schema (the estimate's source becomes a baseliner
    # name, which has no leading space): shown under the upload too.
    padded = _task_folder_files()
    padded["task.yaml"] = padded["task.yaml"].replace("source: author", 'source: " author"')
    r = submit(
        submitter_client, "/tasks/new", empty, [("archive", ("p.zip", _zip(padded), "application/zip"))]
    )
    assert r.status_code == 422
    assert "baselines.0.baseliner" in (field_error(r.text, "archive") or "")
    r = submit(submitter_client, "/tasks/new", empty, [("archive", ("n.txt", b"hello", "text/plain"))])
    assert r.status_code == 422 and ".zip, .tar.gz" in r.text
    assert count(Task) == 0


def test_edit_makes_a_new_version_and_adds_baselines(submitter_client: TestClient) -> None:
    assert submit(submitter_client, "/tasks/new", form_fields(), upload_files()).status_code == 303
    page = submitter_client.get("/tasks/say-hello/edit")
    assert page.status_code == 200 and "Write hello into answer.txt." in page.text and "score.py" in page.text
    fields = form_fields(
        **{
            "instructions": "Write hello (lower case) into answer.txt.",
            "baselines.0.baseliner": "bob",
            "baselines.0.minutes": "4",
        }
    )
    fields["scorer.remove"] = "nothing-to-remove"
    r = submit(submitter_client, "/tasks/say-hello/edit", fields)
    assert r.status_code == 303 and r.headers["location"] == "/tasks/say-hello?version=new"
    with session_scope() as s:
        task = s.get(Task, "say-hello")
        assert task is not None and task.current_version == 2
        versions = s.scalars(select(TaskVersion).where(TaskVersion.task_id == "say-hello")).all()
        latest = max(versions, key=lambda v: v.version)
        assert latest.scorer["files"] == {"score.py": SCORE}  # stored files were kept
        # Human time: geometric mean of 2.5 and 4 minutes.
        assert task.human_minutes is not None and abs(task.human_minutes - (2.5 * 4) ** 0.5) < 1e-9
    # Saving the same content again makes no new version.
    r = submit(
        submitter_client,
        "/tasks/say-hello/edit",
        form_fields(
            **{
                "instructions": "Write hello (lower case) into answer.txt.",
                "baselines.0.baseliner": "",
                "baselines.0.minutes": "",
            }
        ),
    )
    assert r.headers["location"] == "/tasks/say-hello?saved=1"
    # A bad edit stores nothing, baselines included.
    r = submit(
        submitter_client,
        "/tasks/say-hello/edit",
        form_fields(**{"limits.memory_mb": "1", "baselines.0.baseliner": "eve"}),
    )
    assert r.status_code == 422 and field_error(r.text, "limits.memory_mb") is not None
    assert count(HumanBaseline) == 2


def test_add_baseline_from_the_task_page(submitter_client: TestClient) -> None:
    make_task("t")
    r = submit(
        submitter_client,
        "/tasks/t/baselines",
        {"baseliner": "", "minutes": "12", "succeeded": "yes", "source": "baseline"},
    )
    assert r.status_code == 303
    page = submitter_client.get("/tasks/t")
    assert "12 min" in page.text and "test submitter" in page.text and "measured" in page.text
    r = submit(
        submitter_client, "/tasks/t/baselines", {"minutes": "-1", "succeeded": "yes", "source": "baseline"}
    )
    assert r.status_code == 422 and field_error(r.text, "minutes") is not None


def test_task_page_shows_versions_health_estimate_and_search(client: TestClient) -> None:
    make_task("alpha", title="Alpha sorting")
    make_task("beta", title="Beta", tags=["other"])
    with session_scope() as s:
        version = s.scalars(select(TaskVersion).where(TaskVersion.task_id == "alpha")).one()
        s.add(TaskHealthCheck(task_version_id=version.id, healthy=False, flaky=True, details={"oracle": 0.0}))
    page = client.get("/tasks/alpha")
    assert page.status_code == 200
    assert "estimate" in page.text and "unhealthy" in page.text and "flaky" in page.text and "v1" in page.text
    listed = client.get("/tasks?q=sort").text
    assert ">alpha</a>" in listed and ">beta</a>" not in listed
    by_tag = client.get("/tasks?tag=other").text
    assert ">beta</a>" in by_tag and ">alpha</a>" not in by_tag
    assert client.get("/tasks/nope").status_code == 404


def test_task_ids_with_slashes(submitter_client: TestClient) -> None:
    r = submit(submitter_client, "/tasks/new", form_fields(id="fam/task-1"), upload_files())
    assert r.status_code == 303
    assert submitter_client.get("/tasks/fam/task-1").status_code == 200
    assert submitter_client.get("/tasks/fam/task-1/edit").status_code == 200


def test_gpus_through_the_form_are_stored_kept_on_edit_and_checked(submitter_client: TestClient) -> None:
    fields = form_fields(**{"limits.gpus": "2", "limits.gpu_memory_mb": "40000"})
    assert submit(submitter_client, "/tasks/new", fields, upload_files()).status_code == 303
    page = submitter_client.get("/tasks/say-hello")
    assert "2 GPUs (40000 MiB+ each)" in page.text
    # The edit form shows them, so saving it unchanged neither drops them nor makes a version.
    edit = submitter_client.get("/tasks/say-hello/edit").text
    assert 'name="limits.gpus" value="2"' in edit and 'name="limits.gpu_memory_mb" value="40000"' in edit
    kept = {**fields, "baselines.0.baseliner": "", "baselines.0.minutes": ""}
    r = submit(submitter_client, "/tasks/say-hello/edit", kept)
    assert r.headers["location"] == "/tasks/say-hello?saved=1"
    # Memory per GPU without GPUs, or a count past the ceiling: refused, nothing stored.
    for bad in ({"limits.gpus": "", "limits.gpu_memory_mb": "40000"}, {"limits.gpus": "9"}):
        r = submit(submitter_client, "/tasks/say-hello/edit", {**kept, **bad})
        assert r.status_code == 422, bad
    assert count(TaskVersion) == 1


def _listed(text: str) -> list[str]:
    return re.findall(r'<td><a href="/tasks/([^"]+)">', text)


def test_tasks_filter_by_family_and_human_time_and_sort_by_column(client: TestClient) -> None:
    for task_id, family, minutes in (("quick", "a", 2), ("middle", "b", 30), ("long", "a", 600)):
        make_task(
            task_id,
            family=family,
            baselines=[{"baseliner": "x", "minutes": minutes, "succeeded": True, "source": "baseline"}],
        )
    make_task("untimed", family="b", baselines=[])
    assert _listed(client.get("/tasks").text) == ["long", "middle", "quick", "untimed"]
    assert _listed(client.get("/tasks?family=a").text) == ["long", "quick"]
    assert _listed(client.get("/tasks?time=16-64").text) == ["middle"]
    assert _listed(client.get("/tasks?time=256-960&family=a").text) == ["long"]
    # Shortest first, then longest first; a task without a human time is last either way.
    by_time = client.get("/tasks?sort=human_time").text
    assert _listed(by_time) == ["quick", "middle", "long", "untimed"]
    assert 'aria-sort="ascending"' in by_time and "sort=-human_time" in by_time
    assert _listed(client.get("/tasks?sort=-human_time").text) == ["long", "middle", "quick", "untimed"]
    # The filters survive a click on a column header; an unknown sort or range is ignored.
    assert "family=a&amp;time=&amp;sort=human_time" in client.get("/tasks?family=a").text.replace(
        "q=&amp;tag=&amp;", ""
    )
    everything = ["long", "middle", "quick", "untimed"]
    assert _listed(client.get("/tasks?sort=nonsense&time=nope").text) == everything


def test_api_lists_tasks_by_human_time(client: TestClient) -> None:
    for task_id, minutes in (("a1", 3), ("a2", 90)):
        baseline = {"baseliner": "x", "minutes": minutes, "succeeded": True, "source": "baseline"}
        make_task(task_id, baselines=[baseline])
    items = client.get("/api/tasks?min_minutes=10&sort=-human_time").json()["items"]
    assert [t["id"] for t in items] == ["a2"]
    assert [t["id"] for t in client.get("/api/tasks?sort=-human_time").json()["items"]] == ["a2", "a1"]
    assert client.get("/api/tasks?sort=bogus").status_code == 422
    assert client.get("/api/tasks?max_minutes=0").status_code == 422
