"""Ownership of tasks, models, agents, batches, runs and analyses (team issue, item 3).

A row's owner is the token that made it. Every write operation of the API (enumerated from
`/openapi.json`) and of the web pages (enumerated from the web routers) is classified here: a new
one fails `test_every_write_route_is_classified` until it is. For each operation that changes an
existing row: bob (a submitter) on alice's row and on a row without owner (made by a task-folder
sync or the CLI) gets 403 and every table stays as it was; a viewer gets 403; alice on her own row
succeeds; an admin succeeds on anyone's. Creating rows records their owner (API and web forms),
the API shows it as `owner` (read-only), and token names are unique (API and CLI).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from core.db import session_scope
from core.models import ApiToken, Base, Batch, Model, Run, Task
from core.settings import Settings
from tests.reliability.support import tiny_task
from tests.support.processes import wait_until
from tests.web.conftest import sign_in_with

REPO = Path(__file__).resolve().parents[2]
FOLDER_TASK = "count-error-lines"  # a bundled task folder, synced as the operator would
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PEOPLE = {"alice": "submitter", "bob": "submitter", "viewer": "viewer", "admin": "admin"}
# Token names that no message would contain by chance (a refusal must name no token).
NAMES = {"alice": "alice", "bob": "bob", "viewer": "carol", "admin": "dave"}
# Changes on every use of a token (at most once a minute), not by the request under test.
VOLATILE = {("api_tokens", "last_used_at")}


# ---------------------------------------------------------------- the world


@dataclass
class Objects:
    """One owner's set of rows: a task, a model, an agent using it, a batch of two runs, an analysis."""

    task: str
    model: int
    agent: int
    batch: int
    runs: list[int]
    analysis: int


@dataclass
class World:
    client: TestClient
    secrets: dict[str, str]
    token_ids: dict[str, int]
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    sets: dict[str, Objects] = field(default_factory=dict)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _api_set(client: TestClient, secret: str, prefix: str) -> Objects:
    headers = _bearer(secret)
    r = client.post("/api/tasks", json=tiny_task(f"{prefix}-task", [prefix]), headers=headers)
    assert r.status_code == 201, r.text
    model = {"name": f"{prefix}-model", "provider": "openai", "base_url": "http://127.0.0.1:9/v1"}
    r = client.post("/api/models", json=model, headers=headers)
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    agent = {"name": f"{prefix}-agent", "scaffold": "react", "model": f"{prefix}-model"}
    r = client.post("/api/agents", json=agent, headers=headers)
    assert r.status_code == 201, r.text
    agent_id = r.json()["id"]
    batch = {"agents": [agent_id], "tasks": [f"{prefix}-task"], "repeats": 2}
    r = client.post("/api/batches", json=batch, headers=headers)
    assert r.status_code == 201, r.text
    batch_id = r.json()["id"]
    runs = client.get("/api/runs", params={"batch_id": batch_id}).json()["items"]
    r = client.post("/api/analyses", json={"bootstrap": 10}, headers=headers)
    assert r.status_code == 202, r.text
    return Objects(
        f"{prefix}-task", model_id, agent_id, batch_id, sorted(x["id"] for x in runs), r.json()["id"]
    )


def _system_set(settings: Settings, tmp_path: Path) -> Objects:
    """Rows without an owner, made the way the operator makes them: a task-folder sync and the
    services the CLI calls."""
    from pydantic import HttpUrl

    from core.schemas import AgentCreate, AnalysisRequest, BatchCreate, ModelCreate
    from core.services import analyses, batches, catalog
    from core.services.task_sync import sync_tree

    shutil.copytree(REPO / "tasks" / "lookup" / FOLDER_TASK, tmp_path / "folders" / "lookup" / FOLDER_TASK)
    with session_scope(settings) as s:
        sync_tree(s, tmp_path / "folders")
        model = catalog.create_model(
            s,
            ModelCreate(name="system-model", provider="openai", base_url=HttpUrl("http://127.0.0.1:9/v1")),
            settings,
            is_admin=True,
        )
        agent = catalog.create_agent(
            s, AgentCreate(name="system-agent", scaffold="react", model="system-model")
        )
        batch = batches.create_batch(s, BatchCreate(agents=[agent.id], tasks=[FOLDER_TASK], repeats=2))
        analysis = analyses.request_analysis(s, AnalysisRequest(bootstrap=10))
        s.flush()
        runs = sorted(s.scalars(select(Run.id).where(Run.batch_id == batch.id)))
        out = Objects(FOLDER_TASK, model.id, agent.id, batch.id, runs, analysis.id)
        assert s.get(Task, FOLDER_TASK).owner_token_id is None  # type: ignore[union-attr]
    return out


def _sign_in(client: TestClient, secret: str) -> dict[str, str]:
    client.cookies.clear()
    sign_in_with(client, secret)
    return dict(client.cookies)


@pytest.fixture
def world(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from api.app import create_app
    from core.auth import create_token

    # No job runs in this process: runs and analyses stay queued, so each can still be cancelled.
    monkeypatch.setattr("core.queue._REGISTRY", {})
    settings = Settings(database_url=db, data_dir=tmp_path / "data")
    secrets, token_ids = {}, {}
    with session_scope(settings) as s:
        for name, role in PEOPLE.items():
            row, secrets[name] = create_token(s, NAMES[name], role)
            token_ids[name] = row.id
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        w = World(client, secrets, token_ids)
        # Alice's first set is hers to change; her second is the admin's to change.
        w.sets["alice"] = _api_set(client, secrets["alice"], "alice")
        w.sets["alice2"] = _api_set(client, secrets["alice"], "alice2")
        w.sets["system"] = _system_set(settings, tmp_path)
        for name in PEOPLE:
            w.cookies[name] = _sign_in(client, secrets[name])
        client.cookies.clear()
        yield w


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (to prove a refused request changed nothing at all)."""
    out = {}
    with session_scope() as s:
        for name, table in sorted(Base.metadata.tables.items()):
            columns = [c for c in table.columns if (name, c.name) not in VOLATILE]
            out[name] = sorted(repr(tuple(row)) for row in s.execute(select(*columns)))
    return out


# ---------------------------------------------------------------- the operations


@dataclass(frozen=True)
class Change:
    """How to change one owner's row through one route, and how to see that it happened."""

    kind: str  # "api" or "web"
    method: str
    route: str
    request: Callable[[Objects], tuple[str, Any]]  # -> (url, JSON body or form fields)
    changed: Callable[[Objects], bool]


def _task_title(o: Objects) -> str:
    with session_scope() as s:
        task = s.get(Task, o.task)
        assert task is not None
        return task.title


def _batch_cancelled(o: Objects) -> bool:
    with session_scope() as s:
        batch = s.get(Batch, o.batch)
        return batch is not None and batch.cancelled_at is not None


def _run_status(o: Objects) -> str:
    with session_scope() as s:
        return str(s.scalar(select(Run.status).where(Run.id == o.runs[0])))


def _model_price(o: Objects) -> float:
    with session_scope() as s:
        model = s.get(Model, o.model)
        assert model is not None
        return model.input_price_per_mtok


def _analysis_status(o: Objects) -> str:
    from core.models import AnalysisResult

    with session_scope() as s:
        return str(s.scalar(select(AnalysisResult.status).where(AnalysisResult.id == o.analysis)))


def _check_pending(o: Objects) -> bool:
    from core.services.health_requests import pending_check

    with session_scope() as s:
        return pending_check(s, o.task) is not None


def _edit_form(o: Objects) -> dict[str, str]:
    """The task's edit form as the page fills it, with a new title."""
    from core.services.tasks import current_version, get_task
    from web.task_form import values_from_task

    with session_scope() as s:
        task = get_task(s, o.task)
        values = values_from_task(task, current_version(task))
    return {**values, "title": "renamed by the form"}


CHANGES = [
    Change(
        "api",
        "PATCH",
        "/api/tasks/{task_id}",
        lambda o: (f"/api/tasks/{o.task}", {"title": "renamed"}),
        lambda o: _task_title(o) == "renamed",
    ),
    Change(
        "api",
        "PATCH",
        "/api/models/{model_id}",
        lambda o: (f"/api/models/{o.model}", {"input_price_per_mtok": 99.0, "release_date": "2020-01-01"}),
        lambda o: _model_price(o) == 99.0,
    ),
    Change(
        "api",
        "POST",
        "/api/runs/{run_id}/cancel",
        lambda o: (f"/api/runs/{o.runs[0]}/cancel", None),
        lambda o: _run_status(o) == "cancelled",
    ),
    Change(
        "api",
        "POST",
        "/api/batches/{batch_id}/cancel",
        lambda o: (f"/api/batches/{o.batch}/cancel", None),
        _batch_cancelled,
    ),
    Change(
        "api",
        "POST",
        "/api/analyses/{analysis_id}/cancel",
        lambda o: (f"/api/analyses/{o.analysis}/cancel", None),
        lambda o: _analysis_status(o) == "cancelled",
    ),
    Change(
        "web",
        "POST",
        "/tasks/{task_id:path}/edit",
        lambda o: (f"/tasks/{o.task}/edit", _edit_form(o)),
        lambda o: _task_title(o) == "renamed by the form",
    ),
    Change(
        "api",
        "POST",
        "/api/tasks/{task_id}/health-check",
        lambda o: (f"/api/tasks/{o.task}/health-check", None),
        _check_pending,
    ),
    Change(
        "web",
        "POST",
        "/tasks/{task_id:path}/health-check",
        lambda o: (f"/tasks/{o.task}/health-check", {}),
        _check_pending,
    ),
    Change(
        "web",
        "POST",
        "/batches/{batch_id}/cancel",
        lambda o: (f"/batches/{o.batch}/cancel", {}),
        _batch_cancelled,
    ),
]

# Write routes that change no existing row of someone else's, and why.
NOT_OWNED = {
    ("POST", "/api/tasks"): "creates a task owned by the caller",
    ("POST", "/api/models"): "creates a model owned by the caller",
    ("POST", "/api/agents"): "creates an agent owned by the caller (anyone's model may be used)",
    ("POST", "/api/batches"): "creates a batch owned by the caller (anyone's agents and tasks)",
    ("POST", "/api/analyses"): "requests an analysis owned by the caller",
    ("POST", "/api/tokens"): "admin only (test_access.py)",
    ("POST", "/api/tokens/{token_id}/revoke"): "admin only (test_access.py)",
    ("POST", "/api/imports/inspect"): "admin only (test_access.py); stores external agents' runs",
    ("POST", "/api/imports/tasks"): "admin only (test_access.py); stores imported tasks",
    ("POST", "/tasks/new"): "creates a task owned by the caller",
    ("POST", "/models/new"): "admin only (tests/web/test_catalog_forms.py); a model of the caller's",
    ("POST", "/agents/new"): "creates an agent owned by the caller (anyone's model may be used)",
    ("POST", "/schedule"): "creates a batch owned by the caller",
    ("POST", "/analyses/ci"): "requests an analysis owned by the caller (quota as POST /api/analyses)",
    ("POST", "/analyses/new"): "requests an analysis owned by the caller (quota as POST /api/analyses)",
    ("POST", "/analyses/{analysis_id}/publish"): "admin only (tests/web/test_analysis_history.py)",
    ("POST", "/analyses/{analysis_id}/unpublish"): "admin only (tests/web/test_analysis_history.py)",
    ("POST", "/signin"): "starts the caller's own session",
    ("POST", "/signout"): "ends the caller's own session",
}


def _is_baseline_route(path: str) -> bool:
    # Baselines and timed baselining attempts have rules of their own (who recorded them, the
    # attempt's token), tested with them.
    return "/baselin" in path


def _api_writes() -> set[tuple[str, str]]:
    from api.app import create_app

    paths = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    return {(m.upper(), p) for p, item in paths.items() for m in item if m.upper() in WRITE_METHODS}


def _web_writes() -> set[tuple[str, str]]:
    import web.routes

    found = set()
    for info in pkgutil.iter_modules(web.routes.__path__):
        module = importlib.import_module(f"web.routes.{info.name}")
        for route in getattr(getattr(module, "router", None), "routes", []):
            for method in (getattr(route, "methods", None) or set()) & WRITE_METHODS:
                found.add((method, route.path))
    return found


def test_every_write_route_is_classified() -> None:
    owned = {(c.method, c.route) for c in CHANGES}
    api_owned = {(c.method, c.route) for c in CHANGES if c.kind == "api"}
    unclassified = {
        op
        for op in _api_writes() | _web_writes()
        if op not in owned and op not in NOT_OWNED and not _is_baseline_route(op[1])
    }
    assert not unclassified, f"write routes with no ownership rule in this test: {sorted(unclassified)}"
    assert api_owned <= _api_writes(), "a route this test changes rows through is gone"


def _act(w: World, who: str, change: Change, target: Objects) -> Any:
    url, body = change.request(target)
    client = w.client
    if change.kind == "api":
        return client.request(change.method, url, json=body, headers=_bearer(w.secrets[who]))
    client.cookies.clear()
    client.cookies.update(w.cookies[who])
    found = CSRF_RE.search(client.get("/signin").text)
    assert found
    try:
        return client.post(url, data={**body, "csrf_token": found.group(1)}, follow_redirects=False)
    finally:
        client.cookies.clear()


@pytest.mark.parametrize("change", CHANGES, ids=[f"{c.method} {c.route}" for c in CHANGES])
def test_only_the_owner_or_an_admin_changes_a_row(world: World, change: Change) -> None:
    w = world
    alice, alice2, system = w.sets["alice"], w.sets["alice2"], w.sets["system"]
    before = snapshot()
    refusals = [("bob", alice), ("viewer", alice), ("bob", system), ("alice", system), ("viewer", system)]
    for who, target in refusals:
        r = _act(w, who, change, target)
        assert r.status_code == 403, f"{who} on {target.task}'s row: {r.status_code} {r.text[:300]}"
        # The refusal says why without naming anyone's token.
        for name in NAMES.values():
            assert name not in (r.json()["detail"] if change.kind == "api" else r.text.split("<main")[-1])
        assert snapshot() == before, f"{who}'s refused {change.method} {change.route} changed the database"
        assert not change.changed(target)
    for who, target in [("alice", alice), ("admin", alice2), ("admin", system)]:
        r = _act(w, who, change, target)
        # 202: a queued health check (the job is not run in this process).
        assert r.status_code in (200, 202, 303), (
            f"{who} on {target.task}'s row: {r.status_code} {r.text[:300]}"
        )
        assert change.changed(target), f"{who}'s {change.method} {change.route} did not happen"


def test_runs_and_batches_stay_their_owners_after_cancel_by_admin(world: World) -> None:
    """A cancelled run of alice's batch is still hers: bob cannot cancel its sibling."""
    w, alice = world, world.sets["alice"]
    r = w.client.post(f"/api/runs/{alice.runs[0]}/cancel", headers=_bearer(w.secrets["admin"]))
    assert r.status_code == 200
    r = w.client.post(f"/api/runs/{alice.runs[1]}/cancel", headers=_bearer(w.secrets["bob"]))
    assert r.status_code == 403
    assert w.client.get(f"/api/runs/{alice.runs[1]}").json()["status"] == "queued"


# ---------------------------------------------------------------- owners recorded and shown


def test_creates_record_their_owner_and_the_api_shows_it(world: World, tmp_path: Path) -> None:
    w, client = world, world.client
    alice = w.sets["alice"]
    tasks = {t["id"]: t for t in client.get("/api/tasks").json()["items"]}
    assert tasks["alice-task"]["owner"] == "alice" and tasks[FOLDER_TASK]["owner"] is None
    assert client.get("/api/tasks/alice-task").json()["owner"] == "alice"
    models = {m["name"]: m for m in client.get("/api/models").json()}
    assert models["alice-model"]["owner"] == "alice" and models["system-model"]["owner"] is None
    assert client.get(f"/api/models/{alice.model}").json()["owner"] == "alice"
    assert client.get(f"/api/agents/{alice.agent}").json()["owner"] == "alice"
    agents = {a["name"]: a for a in client.get("/api/agents").json()}
    assert agents["system-agent"]["owner"] is None
    assert client.get(f"/api/batches/{alice.batch}").json()["owner"] == "alice"
    batches = {b["id"]: b for b in client.get("/api/batches").json()["items"]}
    assert batches[w.sets["system"].batch]["owner"] is None
    # Bob's batch may use alice's agent and task (reading is open); it is bob's.
    r = client.post(
        "/api/batches",
        json={"agents": ["alice-agent"], "tasks": ["alice-task"]},
        headers=_bearer(w.secrets["bob"]),
    )
    assert r.status_code == 201 and r.json()["owner"] == "bob", r.text
    # The owner is the server's to set: no body may name one.
    before = snapshot()
    headers = _bearer(w.secrets["bob"])
    for method, url, body in [
        ("POST", "/api/tasks", {**tiny_task("bobs", ["b"]), "owner": "alice"}),
        ("PATCH", "/api/tasks/alice-task", {"owner_token_id": w.token_ids["bob"]}),
        ("PATCH", f"/api/models/{alice.model}", {"owner": "bob"}),
        ("POST", "/api/agents", {"name": "x", "scaffold": "null", "owner_token_id": w.token_ids["alice"]}),
    ]:
        r = client.request(method, url, json=body, headers=headers)
        assert r.status_code in (403, 422), f"{method} {url}: {r.status_code} {r.text[:200]}"
    assert snapshot() == before

    # The web forms record the signed-in person's token.
    client.cookies.update(w.cookies["alice"])
    csrf = CSRF_RE.search(client.get("/schedule").text)
    assert csrf
    r = client.post(
        "/schedule",
        data={"agents": "system-agent", "tasks": "alice-task", "repeats": "1", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    web_batch = int(r.headers["location"].rsplit("/", 1)[-1])
    form = {**_edit_form(alice), "id": "alice-web-task", "family": "web", "csrf_token": csrf.group(1)}
    r = client.post("/tasks/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.cookies.clear()
    with session_scope() as s:
        assert s.get(Batch, web_batch).owner_token_id == w.token_ids["alice"]  # type: ignore[union-attr]
        assert s.get(Task, "alice-web-task").owner_token_id == w.token_ids["alice"]  # type: ignore[union-attr]
    # The pages offer Edit and Cancel only to those who may use them.
    for who, shown in [("alice", True), ("bob", False), ("admin", True)]:
        client.cookies.update(w.cookies[who])
        assert ('href="/tasks/alice-task/edit"' in client.get("/tasks/alice-task").text) is shown, who
        assert ("Cancel batch" in client.get(f"/batches/{web_batch}").text) is shown, who
        assert client.get("/tasks/alice-task/edit").status_code == (200 if shown else 403), who
        client.cookies.clear()


# ---------------------------------------------------------------- token names


def test_token_names_are_unique_on_the_api_and_the_cli(world: World) -> None:
    from cli.main import app

    w = world
    before = snapshot()
    r = w.client.post(
        "/api/tokens", json={"name": "alice", "role": "admin"}, headers=_bearer(w.secrets["admin"])
    )
    assert r.status_code == 409 and "already exists" in r.json()["detail"], r.text
    assert snapshot() == before
    result = CliRunner().invoke(app, ["token", "create", "--name", "alice", "--role", "admin"])
    assert result.exit_code == 2 and "already exists" in result.output, result.output
    result = CliRunner().invoke(app, ["token", "create", "--name", " bob ", "--role", "admin"])
    assert result.exit_code == 2 and "already exists" in result.output, result.output
    assert snapshot() == before
    with session_scope() as s:
        assert s.scalars(select(ApiToken.name).where(ApiToken.name == "alice")).all() == ["alice"]


def _someone_waits_on_a_lock() -> bool:
    """Whether a session of this database is blocked waiting for another's lock."""
    with session_scope() as s:
        waiting = s.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


def test_two_tokens_racing_for_one_name_store_one(db: str) -> None:
    """The unique constraint decides a race that the check before the insert cannot see: the
    second insert waits on the first's uncommitted row, then fails as a 409-style Conflict."""
    from core.auth import create_token
    from core.db import get_session_factory
    from core.errors import Conflict

    outcome: list[BaseException | str] = []

    def second() -> None:
        session = get_session_factory()()
        try:
            create_token(session, "twin", "viewer")  # passes the check, then waits on the index
            session.commit()
            outcome.append("stored")
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            session.rollback()
            outcome.append(exc)
        finally:
            session.close()

    first = get_session_factory()()
    try:
        create_token(first, "twin", "viewer")  # flushed, not committed: invisible to the other
        racer = threading.Thread(target=second)
        racer.start()
        wait_until(_someone_waits_on_a_lock, 30, "the racer to block on the unique index")
        first.commit()
    finally:
        first.close()
    racer.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert "already exists" in outcome[0].message
    with session_scope() as s:
        assert s.scalars(select(ApiToken.name).where(ApiToken.name == "twin")).all() == ["twin"]
