"""Old task versions and their diffs, and deleting and restoring baselines, on the task pages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import ApiToken, HumanBaseline, Task, TaskVersion
from tests.factories import make_task, make_token
from tests.web.conftest import csrf_token, sign_in_with
from web.version_diff import MAX_DIFF_LINES, diff_versions

SECRET_SCORER = "print(1)  # the-secret-answer\n"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _task(task_id: str = "versioned") -> dict[str, Any]:
    return {
        "id": task_id,
        "family": "demo",
        "title": "Versioned task",
        "instructions": "Line one.\nLine two.\nLine three.\n",
        "environment": {"files": {"data.txt": "1 2 3\n", "gone.txt": "bye\n"}},
        "scorer": {"command": "python3 /scorer/score.py", "files": {"score.py": "print(0)\n"}},
        "solution": {"command": "sh /solution/solve.sh", "files": {"solve.sh": "echo 6\n"}},
        "limits": {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 64},
        "time_limit_s": 600,
        "baselines": [{"baseliner": "author", "minutes": 5, "succeeded": True, "source": "estimate"}],
    }


def _two_versions(client: TestClient, owner: str) -> None:
    """The task at version 1, then version 2 with instructions, files, limits and scorer changed."""
    assert client.post("/api/tasks", json=_task(), headers=_bearer(owner)).status_code == 201
    change = {
        "instructions": "Line one.\nLine 2, changed.\nLine three.\n",
        "environment": {"files": {"data.txt": "1 2 3 4\n", "new.txt": "hello\n"}},
        "scorer": {"command": "python3 /scorer/score.py", "files": {"score.py": SECRET_SCORER}},
        "limits": {"cpus": 2, "memory_mb": 256, "pids": 64, "disk_mb": 64},
    }
    r = client.patch("/api/tasks/versioned", json=change, headers=_bearer(owner))
    assert r.status_code == 200, r.text


def _post(client: TestClient, path: str, with_csrf: bool = True) -> Any:
    data = {"csrf_token": csrf_token(client)} if with_csrf else {}
    return client.post(path, data=data, follow_redirects=False)


def test_version_page_and_diff_show_changes_and_hide_answers_from_others(client: TestClient) -> None:
    owner = make_token("submitter")
    _two_versions(client, owner)
    sign_in_with(client, owner)
    task_page = client.get("/tasks/versioned").text
    assert 'href="/tasks/versioned/versions/1"' in task_page
    assert 'href="/tasks/versioned/versions/1/diff/2">diff from v1' in task_page

    old = client.get("/tasks/versioned/versions/1")
    assert old.status_code == 200
    assert "Line two." in old.text and "old version" in old.text
    assert "data.txt" in old.text and "gone.txt" in old.text and "new.txt" not in old.text
    assert "print(0)" in old.text and "echo 6" in old.text  # the owner sees the answers
    with session_scope() as s:
        v1 = s.scalars(select(TaskVersion).where(TaskVersion.version == 1)).one()
        assert v1.content_hash in old.text

    diff = client.get("/tasks/versioned/versions/1/diff/2")
    assert diff.status_code == 200
    text = diff.text
    assert '<span class="del">-Line two.</span>' in text
    assert '<span class="add">+Line 2, changed.</span>' in text
    assert '<span class="del">-1 2 3</span>' in text and '<span class="add">+1 2 3 4</span>' in text
    assert "environment/files/gone.txt" in text and "removed" in text
    assert "environment/files/new.txt" in text and "added" in text
    assert '<span class="del">-cpus: 1.0</span>' in text and '<span class="add">+cpus: 2.0</span>' in text
    assert "the-secret-answer" in text and "scorer/files/score.py" in text
    assert "Truncated" not in text
    # The compare form leads to the same diff; unknown versions are 404.
    r = client.get("/tasks/versioned/versions/1/diff?to=2", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tasks/versioned/versions/1/diff/2"
    assert client.get("/tasks/versioned/versions/9").status_code == 404
    assert client.get("/tasks/versioned/versions/1/diff/9").status_code == 404

    # Another submitter (and a signed-out reader) sees instructions, files and limits, not answers.
    sign_in_with(client, make_token("submitter"))
    for path in ("/tasks/versioned/versions/1", "/tasks/versioned/versions/1/diff/2"):
        page = client.get(path).text
        assert "print(0)" not in page and "the-secret-answer" not in page and "echo 6" not in page, path
        assert "scorer/files" not in page
    other_diff = client.get("/tasks/versioned/versions/1/diff/2").text
    assert "+Line 2, changed." in other_diff and "left out" in other_diff
    assert "Hidden" in client.get("/tasks/versioned/versions/2").text


def test_long_diffs_are_truncated_with_a_note(client: TestClient) -> None:
    make_task("long", instructions="\n".join(f"old {i}" for i in range(MAX_DIFF_LINES + 500)))
    with session_scope() as s:
        from core.ownership import SYSTEM
        from core.schemas import TaskUpdate
        from core.services.tasks import update_task

        new = "\n".join(f"new {i}" for i in range(MAX_DIFF_LINES + 500))
        update_task(s, "long", TaskUpdate.model_validate({"instructions": new}), actor=SYSTEM)
    page = client.get("/tasks/long/versions/1/diff/2").text
    assert 'id="diff-truncated"' in page and "truncated here" in page
    assert page.count('<span class="del">') + page.count('<span class="add">') <= MAX_DIFF_LINES
    with session_scope() as s:
        versions = sorted(s.scalars(select(TaskVersion)).all(), key=lambda v: v.version)
        found = diff_versions(versions[0], versions[1], private=False)
        assert found.truncated and sum(len(p.lines) for p in found.parts) == MAX_DIFF_LINES


def _human_minutes(task_id: str) -> float | None:
    with session_scope() as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task.human_minutes


def _baseline_ids(task_id: str) -> list[int]:
    with session_scope() as s:
        rows = s.scalars(select(HumanBaseline).where(HumanBaseline.task_id == task_id))
        return sorted(b.id for b in rows if b.source == "baseline")


def test_delete_and_undo_a_baseline_change_the_human_time(client: TestClient) -> None:
    recorder = make_token("submitter")
    make_task("t")
    sign_in_with(client, recorder)
    for minutes in ("4", "16"):
        data = {
            "minutes": minutes,
            "succeeded": "yes",
            "source": "baseline",
            "csrf_token": csrf_token(client),
        }
        assert client.post("/tasks/t/baselines", data=data, follow_redirects=False).status_code == 303
    first, second = _baseline_ids("t")
    assert _human_minutes("t") == pytest.approx(8.0)  # geometric mean of 4 and 16
    page = client.get("/tasks/t").text
    assert f'action="/tasks/t/baselines/{first}/delete"' in page

    # Without the CSRF token nothing happens.
    assert _post(client, f"/tasks/t/baselines/{second}/delete", with_csrf=False).status_code == 403
    assert _human_minutes("t") == pytest.approx(8.0)

    r = _post(client, f"/tasks/t/baselines/{second}/delete")
    assert r.status_code == 303 and r.headers["location"] == "/tasks/t?baseline=deleted#baselines"
    assert _human_minutes("t") == pytest.approx(4.0)
    page = client.get(r.headers["location"]).text
    assert "Baseline deleted" in page and 'id="deleted-baselines"' in page
    assert f'action="/tasks/t/baselines/{second}/restore"' in page
    assert '<p class="big-figure" id="human-time">' in page and "4 min" in page
    with session_scope() as s:
        row = s.get(HumanBaseline, second)
        token = s.scalar(select(ApiToken.id).where(ApiToken.name == "test submitter"))
        assert row is not None and row.deleted_at is not None and row.deleted_by_token_id == token
    # Deleting it again, or restoring a live one, finds nothing.
    assert _post(client, f"/tasks/t/baselines/{second}/delete").status_code == 404
    assert _post(client, f"/tasks/t/baselines/{first}/restore").status_code == 404

    # Another submitter sees no buttons and is refused; so is a viewer.
    sign_in_with(client, make_token("submitter"))
    page = client.get("/tasks/t").text
    assert "/delete" not in page and "/restore" not in page
    assert _post(client, f"/tasks/t/baselines/{first}/delete").status_code == 403
    assert _post(client, f"/tasks/t/baselines/{second}/restore").status_code == 403
    sign_in_with(client, make_token("viewer"))
    assert _post(client, f"/tasks/t/baselines/{second}/restore").status_code == 403
    assert _human_minutes("t") == pytest.approx(4.0)

    # The recorder undoes the deletion: it counts again and the deleter is cleared.
    sign_in_with(client, recorder)
    r = _post(client, f"/tasks/t/baselines/{second}/restore")
    assert r.status_code == 303 and r.headers["location"] == "/tasks/t?baseline=restored#baselines"
    assert _human_minutes("t") == pytest.approx(8.0)
    assert "Baseline restored" in client.get(r.headers["location"]).text
    with session_scope() as s:
        row = s.get(HumanBaseline, second)
        assert row is not None and row.deleted_at is None and row.deleted_by_token_id is None


def test_timed_baselines_and_unowned_ones_only_admins_delete(client: TestClient) -> None:
    make_task("t")  # its estimate has no recorder: only an admin may delete it
    with session_scope() as s:
        estimate = s.scalars(select(HumanBaseline).where(HumanBaseline.task_id == "t")).one().id
    sign_in_with(client, make_token("submitter"))
    assert f"/baselines/{estimate}/delete" not in client.get("/tasks/t").text
    assert _post(client, f"/tasks/t/baselines/{estimate}/delete").status_code == 403
    sign_in_with(client, make_token("admin"))
    assert f"/baselines/{estimate}/delete" in client.get("/tasks/t").text
    assert _post(client, f"/tasks/t/baselines/{estimate}/delete").status_code == 303
    assert _human_minutes("t") is None
    assert _post(client, f"/tasks/t/baselines/{estimate}/restore").status_code == 303
    assert _human_minutes("t") == pytest.approx(5.0)
