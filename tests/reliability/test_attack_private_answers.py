"""Attack: reading a task's answers (team-safety issue, item 1).

A task's scorer (expected outputs, hidden tests) and reference solution are private to its owner
and admins. A canary is put in the scorer's and the solution's commands, file names and file
contents, and in the oracle's scorer output kept with a health check; anonymous readers, a viewer
and another submitter then read every API route and every web page that takes the task (task,
versions, version by number, lists, the task page, the edit form, baselining start and attempt
pages, the environment file download) and none of them may contain it. The owner and an admin do
see it, in the API and on the task page.

Run transcripts hold the answers too: a real `oracle` run (in-process queue, Docker sandbox) of a
task whose solution and scorer print the canary, and one whose scorer fails printing it, are read
by the same people through the API transcript, the run, the run list, the runs export and the run
page: only the owner and an admin see the scorer's and the solution's command and output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.auth import create_token
from core.db import session_scope
from core.models import Task, TaskHealthCheck, TaskVersion
from core.services.transcripts import HIDDEN_SCORER, HIDDEN_SOLUTION
from core.settings import Settings, get_settings
from tests.support.processes import wait_until
from workers.sandbox.docker.backend import DockerBackend

CANARY = "canary-7f3a9e-EXPECTED-15"
TASK = "private/answers"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _task_body() -> dict[str, Any]:
    return {
        "id": TASK,
        "family": "private",
        "title": "Add the numbers",
        "instructions": "Write the sum of the numbers in numbers.txt into submission.txt.",
        "environment": {"files": {"numbers.txt": "7 8\n", "中.txt": "unicode name\n"}},
        "scorer": {
            "command": f"python3 /scorer/score.py # {CANARY}",
            "files": {"score.py": f"EXPECTED = '15'  # {CANARY}\n", f"{CANARY}.txt": "15\n"},
            "threshold": 0.5,
        },
        "solution": {
            "command": f"sh /solution/solve.sh # {CANARY}",
            "files": {"solve.sh": f"echo 15 > submission.txt # {CANARY}\n"},
        },
    }


@pytest.fixture
def settings(db: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db, data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings) -> Any:
    from api.app import create_app

    return create_app(settings)


@pytest.fixture
def tokens(settings: Settings) -> dict[str, str]:
    """Secrets of the owner, another submitter, a viewer and an admin (names are unique)."""
    found = {}
    with session_scope(settings) as s:
        for who, role in (
            ("owner", "submitter"),
            ("other", "submitter"),
            ("viewer", "viewer"),
            ("admin", "admin"),
        ):
            _, found[who] = create_token(s, f"private-answers {who}", role)
    return found


@pytest.fixture
def stored(app: Any, settings: Settings, tokens: dict[str, str]) -> None:
    """The task, made by the owner through the API, in two versions, with a health check."""
    owner = {"Authorization": f"Bearer {tokens['owner']}"}
    with TestClient(app) as client:
        r = client.post("/api/tasks", json=_task_body(), headers=owner)
        assert r.status_code == 201, r.text
        # The creator sees its own answers in the answer to the POST.
        assert CANARY in r.text
        r = client.patch(f"/api/tasks/{TASK}", json={"instructions": "Sum them, again."}, headers=owner)
        assert r.status_code == 200, r.text
    with session_scope(settings) as s:
        task = s.get(Task, TASK)
        assert task is not None and task.owner_token_id is not None  # the API filled the owner
        version = next(v for v in task.versions if v.version == 2)
        s.add(
            TaskHealthCheck(
                task_version_id=version.id,
                healthy=True,
                details={"oracle": [{"scorer_output": f"expected 15 {CANARY}"}], "problems": []},
            )
        )


@contextmanager
def _client(app: Any, tokens: dict[str, str], who: str) -> Iterator[TestClient]:
    """A client for `who`: the API token as a bearer header and, when it can, a web session."""
    with TestClient(app) as client:
        if who != "anonymous":
            page = client.get("/signin").text
            csrf = CSRF_RE.search(page)
            assert csrf
            r = client.post(
                "/signin",
                data={"token": tokens[who], "csrf_token": csrf.group(1), "next": "/"},
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text
            client.headers["Authorization"] = f"Bearer {tokens[who]}"
        yield client


def _start_attempt(client: TestClient) -> int | None:
    """A baselining attempt on the task (submitters only); its id, or None when refused."""
    csrf = CSRF_RE.search(client.get(f"/baselining/tasks/{TASK}").text)
    if csrf is None:
        return None
    r = client.post(
        "/baselining/start", data={"task_id": TASK, "csrf_token": csrf.group(1)}, follow_redirects=False
    )
    if r.status_code != 303:
        return None
    return int(r.headers["location"].rsplit("/", 1)[1])


def _reads(attempt_id: int | None) -> list[str]:
    """Every GET that shows the task: the API's reads and lists, and the web's pages."""
    paths = [
        f"/api/tasks/{TASK}",
        f"/api/tasks/{TASK}/versions",
        f"/api/tasks/{TASK}/versions/1",
        f"/api/tasks/{TASK}/versions/2",
        f"/api/tasks/{TASK}/baselines",
        "/api/tasks",
        f"/api/tasks?q={TASK}",
        f"/tasks/{TASK}",
        f"/tasks/{TASK}/edit",
        "/tasks",
        f"/baselining/tasks/{TASK}",
        "/baselining",
    ]
    if attempt_id is not None:
        paths += [
            f"/baselining/attempts/{attempt_id}",
            f"/baselining/attempts/{attempt_id}/state",
            f"/baselining/attempts/{attempt_id}/files/numbers.txt",
            f"/baselining/attempts/{attempt_id}/files/中.txt",
        ]
    return paths


@pytest.mark.parametrize("who", ["anonymous", "viewer", "other"])
def test_others_never_read_the_answers(app: Any, tokens: dict[str, str], stored: None, who: str) -> None:
    with _client(app, tokens, who) as client:
        attempt_id = _start_attempt(client) if who == "other" else None
        if who == "other":
            assert attempt_id is not None, "a submitter may time a baseline of anyone's task"
        for path in _reads(attempt_id):
            r = client.get(path)
            assert r.status_code < 500, (path, r.status_code, r.text[:300])
            assert CANARY not in r.text, f"{who} read the answers at {path}"
            assert "EXPECTED" not in r.text and "score.py" not in r.text, f"{who} at {path}"

        # The redacted shape: counts only, the scorer's threshold kept; documented in OpenAPI.
        version = client.get(f"/api/tasks/{TASK}").json()["version"]
        assert version["scorer"] == {"hidden": True, "files": 2, "threshold": 0.5}
        assert version["solution"] == {"hidden": True, "files": 1, "threshold": None}
        assert version["environment"]["files"]["numbers.txt"] == "7 8\n"  # the agent sees it anyway
        if who == "other":
            # The edit form is the owner's: it would show the scorer and the solution.
            assert client.get(f"/tasks/{TASK}/edit").status_code == 403
            # The environment file downloads, with a name any browser reads (RFC 5987).
            r = client.get(f"/baselining/attempts/{attempt_id}/files/中.txt")
            assert r.status_code == 200 and r.text == "unicode name\n"
            assert "filename*=UTF-8''%E4%B8%AD.txt" in r.headers["content-disposition"]
    schema = app.openapi()["components"]["schemas"]["TaskVersionOut"]["properties"]["scorer"]
    assert "owner" in schema["description"] and "hidden" in schema["description"]


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owner_and_admin_read_the_answers(app: Any, tokens: dict[str, str], stored: None, who: str) -> None:
    with _client(app, tokens, who) as client:
        for path in (f"/api/tasks/{TASK}", f"/api/tasks/{TASK}/versions", f"/api/tasks/{TASK}/versions/1"):
            r = client.get(path)
            assert r.status_code == 200 and CANARY in r.text, (who, path)
        version = client.get(f"/api/tasks/{TASK}/versions/2").json()
        assert version["scorer"]["files"]["score.py"] == f"EXPECTED = '15'  # {CANARY}\n"
        assert version["solution"]["command"] == f"sh /solution/solve.sh # {CANARY}"
        page = client.get(f"/tasks/{TASK}")
        assert page.status_code == 200 and CANARY in page.text  # scorer command and health details
        form = client.get(f"/tasks/{TASK}/edit")
        assert form.status_code == 200 and CANARY in form.text


def test_unowned_tasks_are_admin_only(app: Any, settings: Settings, tokens: dict[str, str]) -> None:
    """A task from a folder or an import has no owner: only admins read its answers."""
    with session_scope(settings) as s:
        from core.schemas import TaskCreate
        from core.services.tasks import create_task

        create_task(s, TaskCreate.model_validate(_task_body()))
        assert s.query(TaskVersion).count() == 1
    for who, sees in (("owner", False), ("other", False), ("admin", True)):
        with _client(app, tokens, who) as client:
            r = client.get(f"/api/tasks/{TASK}")
            assert r.status_code == 200 and (CANARY in r.text) is sees, who


# ---------------------------------------------------------------- run transcripts

# The solution and the scorer print the canary on stdout and stderr; one scorer then scores 1,
# the other fails without a score (an infrastructure error whose message the run keeps).
SOLVE_SH = f"echo 15 > answer.txt\necho '{CANARY} solved'\necho '{CANARY} solve-err' >&2\n"
SCORE_PY = f"""import sys
print("expected 15 {CANARY}")
print("{CANARY} score-err", file=sys.stderr)
print(1 if open("/home/agent/answer.txt").read().strip() == "15" else 0)
"""
BROKEN_PY = f"""import sys
print("expected 15 {CANARY}")
sys.exit("{CANARY} broken")
"""


def _run_task(task_id: str, score_py: str) -> dict[str, Any]:
    return {
        **_task_body(),
        "id": task_id,
        "environment": {"files": {}},
        "scorer": {"command": f"python3 /scorer/score.py # {CANARY}", "files": {"score.py": score_py}},
        "solution": {"command": f"sh /solution/solve.sh # {CANARY}", "files": {"solve.sh": SOLVE_SH}},
        "limits": {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 64},
        "time_limit_s": 120,
    }


@pytest.fixture
def oracle_runs(
    app: Any,
    tokens: dict[str, str],
    docker_backend: DockerBackend,
    worker_jobs: None,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, int]:
    """Run ids by outcome ("scored", "broken"): an oracle agent's batch on two tasks, made by the
    owner through the API and run by the worker's job on the in-process queue, in Docker."""
    # The job reads its settings from the environment: the test database, this session's
    # sandboxes, and one attempt (a broken scorer would otherwise be retried).
    monkeypatch.setenv("HORIZON_SANDBOX_INSTANCE", docker_backend.instance)
    monkeypatch.setenv("HORIZON_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    owner = {"Authorization": f"Bearer {tokens['owner']}"}
    with TestClient(app) as client:
        for task_id, score_py in (("private/scored", SCORE_PY), ("private/broken", BROKEN_PY)):
            r = client.post("/api/tasks", json=_run_task(task_id, score_py), headers=owner)
            assert r.status_code == 201, r.text
        r = client.post("/api/agents", json={"name": "the-oracle", "scaffold": "oracle"}, headers=owner)
        assert r.status_code == 201, r.text
        body = {"agents": ["the-oracle"], "tasks": ["private/scored", "private/broken"]}
        r = client.post("/api/batches", json=body, headers=owner)
        assert r.status_code == 201, r.text
        batch_id = r.json()["id"]

        def runs() -> list[dict[str, Any]]:
            return list(client.get(f"/api/runs?batch_id={batch_id}", headers=owner).json()["items"])

        wait_until(
            lambda: all(r["status"] in ("completed", "infra_error") for r in runs()), 240, "the oracle runs"
        )
        found = {r["task_id"]: r for r in runs()}
    get_settings.cache_clear()
    assert found["private/scored"]["status"] == "completed", found
    assert found["private/scored"]["score_cont"] == 1.0
    assert found["private/broken"]["status"] == "infra_error", found
    assert docker_backend.managed_containers() == []
    return {"scored": found["private/scored"]["id"], "broken": found["private/broken"]["id"]}


def _run_reads(run_id: int) -> list[str]:
    return [
        f"/api/runs/{run_id}/transcript",
        f"/api/runs/{run_id}/transcript?offset=1&limit=2",
        f"/api/runs/{run_id}",
        "/api/runs",
        "/api/runs/export?include_unhealthy=true",  # the runs export (METR's runs format)
        f"/runs/{run_id}",
        "/runs",
    ]


def _events(client: TestClient, run_id: int) -> dict[str, dict[str, Any]]:
    r = client.get(f"/api/runs/{run_id}/transcript")
    assert r.status_code == 200, r.text
    return {e["kind"]: e for e in r.json()["events"]}


@pytest.mark.docker
@pytest.mark.timeout(600)
def test_run_transcripts_show_the_answers_to_the_owner_and_admins_only(
    app: Any, tokens: dict[str, str], oracle_runs: dict[str, int]
) -> None:
    scored, broken = oracle_runs["scored"], oracle_runs["broken"]
    for who in ("anonymous", "viewer", "other"):
        with _client(app, tokens, who) as client:
            for run_id in (scored, broken):
                for path in _run_reads(run_id):
                    r = client.get(path)
                    assert r.status_code == 200, (who, path, r.text[:300])
                    assert CANARY not in r.text, f"{who} read the answers at {path}"
            # The redacted shape: what happened and when stays, the texts are hidden.
            events = _events(client, scored)
            scorer = events["scorer"]
            assert scorer["command"] == scorer["stdout"] == scorer["stderr"] == HIDDEN_SCORER
            assert scorer["exit_code"] == 0 and isinstance(scorer["duration_s"], float)
            assert events["score"]["score"] == 1.0 and events["task_end"]["score"] == 1.0
            command = events["command"]
            assert command["command"] == command["stdout"] == command["stderr"] == HIDDEN_SOLUTION
            assert command["exit_code"] == 0 and "stdout_bytes" not in command
            assert events["submit"]["submission"] == HIDDEN_SOLUTION
            assert events["task_start"]["scaffold"] == "oracle"
            failed = _events(client, broken)["infra_error"]
            assert (failed["reason"], failed["message"]) == ("scorer", HIDDEN_SCORER)
            assert "scorer exited 1" in client.get(f"/api/runs/{broken}").json()["error"]
            page = client.get(f"/runs/{scored}").text
            assert "admins see the scorer]" in page and "admins see the reference solution]" in page
    for who in ("owner", "admin"):
        with _client(app, tokens, who) as client:
            events = _events(client, scored)
            assert events["scorer"]["command"] == f"python3 /scorer/score.py # {CANARY}"
            assert f"expected 15 {CANARY}" in events["scorer"]["stdout"]
            assert f"{CANARY} score-err" in events["scorer"]["stderr"]
            assert events["command"]["command"] == f"sh /solution/solve.sh # {CANARY}"
            assert f"{CANARY} solve-err" in events["command"]["stderr"]
            assert events["submit"]["submission"] == f"{CANARY} solved"
            assert f"{CANARY} broken" in _events(client, broken)["scorer"]["stderr"]
            for run_id in (scored, broken):
                r = client.get(f"/runs/{run_id}")
                assert r.status_code == 200 and CANARY in r.text, (who, run_id)


def test_old_rows_keep_the_scorer_output_from_others() -> None:
    """Rows written before scorer failures left out the scorer's output: the run's public error
    and a baselining attempt's message cut it; admins read stored run errors whole."""
    from core.services.baselining import _shown_message
    from core.services.runs import public_error

    run_error = (
        "attempt 1: scorer: scorer exited 1 without a score in [0, 1] (the last stdout line must be a "
        f"number):\nexpected 15 {CANARY}\n--- stderr ---\nTraceback (most recent call last):\n  x"
    )
    shown = public_error(run_error)
    assert shown is not None and CANARY not in shown and "scorer exited 1" in shown
    message = (
        "the answer could not be scored because of a problem with the task or the sandbox (scorer), "
        f"not with the answer: scorer exited 1 ... number):\nexpected 15 {CANARY}"
    )
    assert CANARY not in _shown_message(message) and "(scorer)" in _shown_message(message)
