"""Attack: pages fed hostile data (team-safety issue, items 12 and 13).

(a) A stored trend whose doubling time is tiny against its date span, release dates in years 1 and
    9999, horizons of 1e300 and integers past a float's range: the dashboard and agent pages
    answer 200 (the line leaves a gap where it leaves the chart), never 500.
(b) Names with markup (an `<a href>`, a `<script>`) reach plotly's hovers and legends only
    escaped, so a hover never holds a live link.
(c) Archives with `t/x` and `t/x/y`, or `t/.`, are refused with 422 and store nothing; a task
    whose files clash the same way is refused by the API; an environment file named `中.txt`
    downloads with an RFC 5987 file name.
(d) Fuzzing: hostile names, Unicode, huge and non-finite numbers, extreme dates and deep nesting,
    stored through the API and as raw rows, then every GET route of the web and the API (path
    parameters filled with the stored ids) as anonymous and as an admin: no 5xx, and no injected
    markup unescaped in any HTML page or plotly figure.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import re
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.auth import create_token
from core.db import session_scope
from core.models import (
    Agent,
    AnalysisResult,
    Batch,
    Run,
    Task,
    TaskHealthCheck,
    TaskVersion,
)
from core.models_baselining import BaseliningAttempt
from core.services.runs import save_transcript
from core.settings import Settings
from core.states import StopReason
from tests.web.conftest import sign_in_with

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
FIGURE_RE = re.compile(r'data-figure="([^"]*)"')
# What must never appear as live markup: each is checked against every page.
LINK = '<a href="https://evil.example/">evil</a>'
SCRIPT = '<script>alert("pwned")</script>'
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"{LINK}{SCRIPT}{IMG} 中文 \u202eRTL %{{customdata[0]}} {{{{7*7}}}}"
MARKERS = ('<a href="https://evil.example/', "<script>alert(", "<img src=x")


@pytest.fixture
def settings(db: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db, data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings) -> Any:
    from api.app import create_app

    return create_app(settings)


def _token(settings: Settings, name: str, role: str) -> str:
    with session_scope(settings) as s:
        return create_token(s, name, role)[1]


@pytest.fixture
def admin_client(app: Any, settings: Settings) -> Iterator[TestClient]:
    secret = _token(settings, "pages admin", "admin")
    with TestClient(app) as client:
        sign_in_with(client, secret)
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


@pytest.fixture
def submitter_client(app: Any, settings: Settings) -> Iterator[TestClient]:
    secret = _token(settings, "pages submitter", "submitter")
    with TestClient(app) as client:
        sign_in_with(client, secret)
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


def _assert_no_live_markup(text: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in text, f"unescaped {marker!r} on {where}"


def _figure_strings(page: str) -> list[str]:
    """Every string in the page's plotly figures (decoded as the browser hands them to plotly)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for raw in FIGURE_RE.findall(page):
        walk(json.loads(html.unescape(raw))["data"])
    return found


# ---------------------------------------------------------------- (a) and (b) figures


def _agent(name: str, release: str, p50: Any, **extra: Any) -> dict[str, Any]:
    return {
        "agent": name,
        "release_date": release,
        "p50": p50,
        "p50_ci": [p50 / 2, p50 * 2] if isinstance(p50, float) else None,
        "p80": p50 / 4 if isinstance(p50, float) else None,
        "frontier": True,
        "intercept": 1.0,
        "coefficient": -0.7,
        "n_runs": 12,
        **extra,
    }


def _store_result(result: dict[str, Any], params: dict[str, Any] | None = None) -> int:
    with session_scope() as s:
        row = AnalysisResult(
            status="done", params=params or {}, result=result, n_runs=1, inputs_fingerprint="f" * 64
        )
        s.add(row)
        s.flush()
        return row.id


HOSTILE_RESULTS: dict[str, dict[str, Any]] = {
    # Doubling every 0.01 days across 9,998 years: exp() of ~2.5e8 would overflow.
    "short doubling": {
        "agents": [
            _agent("old", "0001-01-01", 1.0),
            _agent("new", "9999-12-31", 60.0),
            _agent(HOSTILE, "2024-06-01", 30.0),
        ],
        "trend": {
            "window": [None, None],
            "agents": ["old", "new", HOSTILE],
            "doubling_days": 0.01,
            "doubling_days_ci": [0.005, 0.02],
            "confidence": 0.95,
        },
    },
    "huge numbers": {
        "agents": [
            _agent("a", "2023-01-01", 1e300, n_runs=10**400, n_tasks=10**400),
            _agent("b", "2024-01-01", 1e-300),
            _agent(
                "c",
                "2025-01-01",
                5.0,
                p50_ci=[1e-308, 1.7e308],
                average=10**400,
                empirical_buckets=[
                    {"bucket": HOSTILE, "lo": 1e-300, "hi": 1e300, "rate": 0.5, "n_runs": 10**18},
                    {"bucket": "x", "lo": 10**400, "hi": 2, "rate": 10**400, "n_runs": 10**400},
                ],
            ),
        ],
        "trend": {
            "window": [None, None],
            "agents": ["a", "b", "c"],
            "doubling_days": 1e-300,
            "doubling_days_ci": [1e-300, 1e300],
            "confidence": 10**400,
        },
    },
    "garbage shapes": {
        "agents": [{"agent": HOSTILE, "release_date": "99999-01-01", "p50": "NaN"}, "not an agent", 7],
        "trend": {"window": "nope", "agents": [1, None], "doubling_days": [], "doubling_days_ci": "x"},
    },
}
DASHBOARD_QUERIES = (
    "/",
    "/?metric=p80",
    "/?window=all_time",
    "/?window=paper&metric=p80",
    "/?window=custom&after=0001-01-01&before=9999-12-31",
    "/?window=custom&after=9999-12-30&before=9999-12-31",
    "/agents",
)


@pytest.mark.parametrize("case", list(HOSTILE_RESULTS))
def test_dashboard_and_agent_pages_survive_hostile_results(app: Any, settings: Settings, case: str) -> None:
    result = HOSTILE_RESULTS[case]
    _store_result(result)
    # A published overlay with a hostile label is drawn as an extra series.
    _store_result(result, params={"source": "published", "label": HOSTILE})
    names = [a["agent"] for a in result["agents"] if isinstance(a, dict)]
    with TestClient(app) as client:
        for path in (*DASHBOARD_QUERIES, *(f"/agents/{quote(n, safe='')}" for n in names)):
            r = client.get(path)
            assert r.status_code < 500, (case, path, r.text[-500:])
            _assert_no_live_markup(r.text, path)
            for text in _figure_strings(r.text):
                _assert_no_live_markup(text, f"a figure on {path}")
        page = client.get("/")
        if case == "short doubling":
            # The trend is drawn (with gaps where it leaves the chart) and the hostile agent is a
            # point whose hover shows its name as text.
            strings = _figure_strings(page.text)
            assert any("&lt;a href=&quot;https://evil.example/&quot;&gt;" in s for s in strings)
            assert "Doubling time" in page.text


def test_trend_figure_clamps_out_of_range_values() -> None:
    """The figure module itself: extreme dates and slopes give gaps, not exceptions."""
    from analysis.trend import DateWindow
    from web.figures.trend import build_trend_figure
    from web.results import StoredResult

    stored = StoredResult(
        id=1,
        label="x",
        created_at=dt.datetime.now(dt.UTC),
        simulated=False,
        n_runs=1,
        inputs_fingerprint=None,
        params={},
        agents=[],
        trend=None,
    )
    from web.results import AgentHorizon, Trend

    agents = [AgentHorizon.from_json(a) for a in HOSTILE_RESULTS["short doubling"]["agents"]]
    trend = Trend.from_json(HOSTILE_RESULTS["short doubling"]["trend"])
    built = build_trend_figure(
        StoredResult(**{**stored.__dict__, "agents": agents, "trend": trend}), "p50", DateWindow()
    )
    # The CI band's doubling times (0.005 to 0.02 days) leave the chart within hours of its
    # centroid, between two points of the grid: the band is all gaps, the fitted line is drawn.
    band = next(t for t in built.figure.data if t.name == "trend CI upper")
    assert band.y and all(v is None for v in band.y)
    line = next(t for t in built.figure.data if t.name and t.name.startswith("exponential trend"))
    assert all(v is not None and math.isfinite(v) for v in line.y)
    assert built.figure.layout.xaxis.range[0].startswith("0001-01-01")
    assert built.figure.layout.xaxis.range[1].startswith("9999-12-31")


# ---------------------------------------------------------------- (c) file names


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x\n")
    return buffer.getvalue()


def _targz(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 2
            archive.addfile(info, io.BytesIO(b"x\n"))
    return buffer.getvalue()


def _count(model: Any) -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    "names",
    [["t/task.yaml", "t/x", "t/x/y"], ["t/x/y", "t/x"], ["t/.", "t/task.yaml"], ["t/task.yaml", "t/a/./b"]],
    ids=["file-then-folder", "folder-then-file", "dot", "inner-dot"],
)
@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_archives_with_clashing_or_dotted_names_are_refused(
    submitter_client: TestClient, names: list[str], kind: str
) -> None:
    data = _zip(names) if kind == "zip" else _targz(names)
    csrf = CSRF_RE.search(submitter_client.get("/tasks/new").text)
    assert csrf
    r = submitter_client.post(
        "/tasks/new",
        data={"csrf_token": csrf.group(1)},
        files=[("archive", (f"task.{kind}", data, "application/octet-stream"))],
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text[-500:]
    assert "same name" in r.text or "stay inside" in r.text
    assert _count(Task) == 0 and _count(TaskVersion) == 0


def _body(task_id: str, files: dict[str, str]) -> dict[str, Any]:
    return {
        "id": task_id,
        "family": "names",
        "title": "names",
        "instructions": "x",
        "environment": {"files": files},
        "scorer": {"command": "true"},
    }


@pytest.mark.parametrize(
    "files",
    [{"a": "1", "a/b": "2"}, {".": "1"}, {"a/./b": "1"}, {"a\u0085b": "1"}, {"a//b": "1"}],
    ids=["file-and-folder", "dot", "inner-dot", "c1-control", "double-slash"],
)
def test_api_refuses_file_names_that_cannot_be_written(
    submitter_client: TestClient, files: dict[str, str]
) -> None:
    r = submitter_client.post("/api/tasks", json=_body("bad-names", files))
    assert r.status_code == 422, r.text
    assert _count(Task) == 0


def test_unicode_file_names_download(submitter_client: TestClient) -> None:
    r = submitter_client.post("/api/tasks", json=_body("unicode", {"中.txt": "zh\n", 'q"u;o%te.txt': "q\n"}))
    assert r.status_code == 201, r.text
    csrf = CSRF_RE.search(submitter_client.get("/baselining/tasks/unicode").text)
    assert csrf
    r = submitter_client.post(
        "/baselining/start", data={"task_id": "unicode", "csrf_token": csrf.group(1)}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    attempt = r.headers["location"]
    for name, text, encoded in (
        ("中.txt", "zh\n", "%E4%B8%AD.txt"),
        ('q"u;o%te.txt', "q\n", "q%22u%3Bo%25te.txt"),
    ):
        r = submitter_client.get(f"{attempt}/files/{name}")
        assert r.status_code == 200 and r.text == text
        disposition = r.headers["content-disposition"]
        assert (
            disposition.startswith('attachment; filename="') and f"filename*=UTF-8''{encoded}" in disposition
        )
        assert disposition.count('"') == 2  # the quoted fallback cannot be broken out of
    page = submitter_client.get(attempt)
    assert page.status_code == 200 and "中.txt" in page.text


# ---------------------------------------------------------------- (d) every page, hostile data


def _deep(depth: int) -> Any:
    value: Any = HOSTILE
    for i in range(depth):
        value = {f"k{i}": value, "list": [value] if i % 50 == 0 else []}
    return value


def _store_hostile(client: TestClient, settings: Settings) -> dict[str, str]:
    """Hostile data through the API and as raw rows; returns path parameter values."""
    r = client.post(
        "/api/tasks",
        json={
            **_body("hostile/task", {"中.txt": HOSTILE, "a/b.html": HOSTILE}),
            "title": HOSTILE,
            "instructions": HOSTILE,
            "tags": ["x"],
            "baselines": [{"baseliner": HOSTILE, "minutes": 43_200, "succeeded": True, "notes": HOSTILE}],
        },
    )
    assert r.status_code == 201, r.text
    r = client.post("/api/models", json={"name": HOSTILE, "api_model": HOSTILE, "release_date": "9999-12-31"})
    assert r.status_code in (201, 403, 422), r.text
    r = client.post("/api/agents", json={"name": HOSTILE, "scaffold": "null", "release_date": "0001-01-01"})
    assert r.status_code == 201, r.text
    csrf = CSRF_RE.search(client.get("/baselining/tasks/hostile/task").text)
    assert csrf
    r = client.post(
        "/baselining/start",
        data={"task_id": "hostile/task", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    attempt_id = r.headers["location"].rsplit("/", 1)[1]
    with session_scope(settings) as s:
        task = s.get(Task, "hostile/task")
        assert task is not None
        # Values a float column holds but no API accepts.
        task.human_minutes = float("inf")
        version = task.versions[0]
        agent = s.scalar(select(Agent).where(Agent.name == HOSTILE))
        assert agent is not None
        agent_id = agent.id
        batch = Batch(name=HOSTILE, repeats=2**31 - 1, request=_deep(300), created_by=HOSTILE)
        s.add(batch)
        s.flush()
        runs = []
        outcomes = ((float("nan"), "completed"), (float("inf"), "infra_error"), (None, "queued"))
        for repeat, (score, status) in enumerate(outcomes):
            run = Run(
                batch_id=batch.id,
                repeat_index=repeat,
                agent_id=agent.id,
                task_version_id=version.id,
                task_id=task.id,
                status=status,
                # The database refuses stop reasons outside StopReason (CHECK constraint).
                stop_reason=StopReason.SUBMITTED,
                score_cont=score,
                score_binarized=1,
                tokens_in=2**31 - 1,
                tokens_out=2**31 - 1,
                cost_usd=float("inf"),
                worker=HOSTILE[:200],
                error=HOSTILE * 3,
                started_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                finished_at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
            )
            s.add(run)
            runs.append(run)
        s.flush()
        events = [
            {"kind": HOSTILE, "t": 1e300, "seq": -1, "content": _deep(300)},
            {"kind": "command", "t": float("nan"), "command": HOSTILE, "stdout": HOSTILE, "stderr": None},
            {"kind": "model", "content": [HOSTILE, {"x": HOSTILE}], "usage": {"input_tokens": 10**400}},
            "not an event",
            None,
        ]
        # JSON columns hold no NaN on PostgreSQL: the transcript keeps what JSON allows.
        save_transcript(s, runs[0].id, 1, json.loads(json.dumps(events).replace("NaN", "null")))
        s.add(TaskHealthCheck(task_version_id=version.id, healthy=False, flaky=True, details=_deep(300)))
        attempt = s.get(BaseliningAttempt, int(attempt_id))
        assert attempt is not None
        attempt.message = HOSTILE
        attempt.answer = HOSTILE
    analysis_id = _store_result(HOSTILE_RESULTS["short doubling"])
    return {
        "task_id": "hostile/task",
        "name": HOSTILE,
        "run_id": str(runs[0].id),
        "batch_id": str(batch.id),
        "attempt_id": attempt_id,
        "path": "中.txt",
        "version": "1",
        "other": "1",
        "model_id": "1",
        "agent_id": str(agent_id),
        "analysis_id": str(analysis_id),
    }


def _get_paths(values: dict[str, str]) -> list[str]:
    """Every GET route of the web's and the API's routers (as `create_app` and `mount_web`
    include them), its path parameters filled from `values`."""
    from api.routes import analyses, catalog, system
    from api.routes import runs as api_runs
    from api.routes import tasks as api_tasks
    from web.routes import account, agents, assets, baselining, dashboard, runs, tasks

    paths = []
    modules = (assets, account, dashboard, agents, tasks, runs, baselining)
    for module in (*modules, api_tasks, catalog, api_runs, analyses, system):
        for route in module.router.routes:
            if "GET" not in getattr(route, "methods", ()):
                continue
            path = route.path
            for name in re.findall(r"{(\w+)(?::\w+)?}", path):
                assert name in values, f"no value for {{{name}}} in {route.path}: extend the fuzz data"
                # Percent-quoted, so no backslash: a literal replacement string.
                path = re.sub(rf"{{{name}(?::\w+)?}}", quote(values[name], safe="/"), path)
            paths.append(path)
    return paths


def test_every_page_survives_hostile_data(app: Any, settings: Settings, admin_client: TestClient) -> None:
    values = _store_hostile(admin_client, settings)
    paths = _get_paths(values)
    assert len(paths) >= 38  # every page and API read, not a sample
    queries = ("", "?q=%3Cscript%3E&page=99999999&tag=%00&metric=p80&window=custom&after=0001-01-01")
    with TestClient(app) as anonymous:
        for client, who in ((admin_client, "admin"), (anonymous, "anonymous")):
            for path in paths:
                for query in queries:
                    r = client.get(path + query)
                    assert r.status_code < 500, (who, path + query, r.status_code, r.text[-800:])
                    if not r.headers.get("content-type", "").startswith("text/html"):
                        continue  # JSON and the downloaded file: no browser renders them as HTML
                    _assert_no_live_markup(r.text, f"{path + query} as {who}")
                    for text in _figure_strings(r.text):
                        _assert_no_live_markup(text, f"a figure on {path} as {who}")
