"""Browser tests: Debian's Chromium driven by Playwright against a real `horizon serve` process.

The server runs on 127.0.0.1 on the test PostgreSQL database with Celery on Redis; runs and
scoring jobs are executed by a real `horizon worker` process in Docker sandboxes. Screenshots go
to `test-output/screenshots/`. Skipped, with the reason, when Chromium or Playwright is missing.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from core.db import session_scope
from core.models import HumanBaseline, Run, Task
from core.models_baselining import BaseliningAttempt
from core.states import RunStatus
from tests.factories import make_agent, make_task, make_token
from tests.support.processes import OUTPUT, Proc, horizon_cmd, start_worker
from tests.web.conftest import RELEASES, simulated_report, store_result

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("HORIZON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = OUTPUT / "screenshots"
SCORE_HELLO = (
    "import pathlib\n"
    "p = pathlib.Path('answer.txt')\n"
    "print(1 if p.exists() and p.read_text().strip() == 'hello' else 0)\n"
)
SCORE_SUBMISSION = (
    "import pathlib\nprint(1 if pathlib.Path('submission.txt').read_text().strip() == 'hello' else 0)\n"
)
SMALL_LIMITS = {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 32}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (the dev extra)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_env(pg_url: str, redis_url: str, docker_instance: str) -> dict[str, str]:
    redis.Redis.from_url(redis_url).flushdb()
    return {
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis_url,
        "HORIZON_DATA_DIR": str(OUTPUT / "data-browser"),
        "HORIZON_SANDBOX_INSTANCE": docker_instance,
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
    }


@pytest.fixture(scope="module")
def server(chromium: Any, live_env: dict[str, str]) -> Iterator[str]:
    """`horizon serve` (uvicorn) on a free port of 127.0.0.1."""
    port = _free_port()
    proc = Proc(
        horizon_cmd("serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"),
        live_env,
        "web-server",
    )
    try:
        proc.wait_for_log("Uvicorn running", timeout=90)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def worker(server: str, live_env: dict[str, str]) -> Iterator[Proc]:
    """A real Celery worker executing runs and scoring jobs (started on first use)."""
    proc = start_worker(live_env, "web-worker", queues="default,runs,analysis")
    yield proc
    proc.stop()


@pytest.fixture
def page(chromium: Any, server: str, db: str) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1300, "height": 900}, base_url=server)
    # Content-Security-Policy violations are reported as events and console errors; none may occur.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => (window.__csp = window.__csp || [])"
        ".push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, role: str) -> None:
    page.goto("/signin")
    page.fill("#token", make_token(role))
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_selector("text=Sign out")


def count(model: Any) -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# ---------------------------------------------------------------- tasks


def fill_task_form(page: Any, task_id: str) -> None:
    page.fill("#f-id", task_id)
    page.fill("#f-family", "greetings")
    page.fill("#f-title", "Say hello")
    page.fill("#f-tags", "easy, browser")
    page.fill("#f-instructions", "Write hello into answer.txt.")
    page.fill("[id='f-scorer.command']", "python3 /scorer/score.py")
    page.set_input_files(
        "#f-scorer-files",
        files=[{"name": "score.py", "mimeType": "text/x-python", "buffer": SCORE_HELLO.encode()}],
    )
    page.fill("[id='f-solution.command']", "sh /solution/solve.sh")
    page.set_input_files(
        "#f-solution-files",
        files=[{"name": "solve.sh", "mimeType": "text/plain", "buffer": b"echo hello > answer.txt\n"}],
    )
    page.fill("input[name='baselines.0.baseliner']", "ann")
    page.fill("input[name='baselines.0.minutes']", "3")


def test_submit_a_task_and_find_it_listed(page: Any) -> None:
    sign_in(page, "submitter")
    page.goto("/tasks/new")
    fill_task_form(page, "say-hello")
    page.click("#add-baseline")  # a third baseline row appears (client-side)
    assert page.locator(".baseline-row").count() == 3
    page.fill("input[name='baselines.2.baseliner']", "bob")
    page.fill("input[name='baselines.2.minutes']", "12")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("text=Task created.")
    assert page.inner_text("#human-time").startswith("6 min")  # geometric mean of 3 and 12
    shot(page, "task-created")
    page.goto("/tasks")
    page.fill("input[name=q]", "hello")
    page.click("form[role=search] button[type=submit]")
    row = page.locator("#tasks-table tbody tr", has_text="say-hello")
    assert row.count() == 1 and "measured" in row.inner_text()
    shot(page, "tasks-list")


def test_validation_error_next_to_the_field_and_nothing_stored(page: Any) -> None:
    sign_in(page, "submitter")
    page.goto("/tasks/new")
    fill_task_form(page, "bad id with spaces")
    page.fill("[id='f-limits.memory_mb']", "1")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    id_field = page.locator(".field", has=page.locator("#f-id"))
    assert "has-error" in (id_field.get_attribute("class") or "")
    assert "letters, digits" in id_field.locator(".field-error").inner_text()
    memory = page.locator(".field", has=page.locator("[id='f-limits.memory_mb']"))
    assert "at least 16" in memory.locator(".field-error").inner_text()
    assert page.input_value("#f-title") == "Say hello"  # what was typed is kept
    shot(page, "task-validation-error")
    assert count(Task) == 0 and count(HumanBaseline) == 0


# ---------------------------------------------------------------- scheduling


@pytest.mark.docker
def test_schedule_a_batch_and_watch_it_complete(page: Any, worker: Proc, docker_backend: Any) -> None:
    make_task(
        "hello",
        scorer={"command": "python3 /scorer/score.py", "files": {"score.py": SCORE_HELLO}},
        solution={"command": "sh /solution/solve.sh", "files": {"solve.sh": "echo hello > answer.txt\n"}},
        limits=SMALL_LIMITS,
        time_limit_s=120,
    )
    make_agent("oracle-agent", "oracle")
    make_agent("null-agent", "null")
    sign_in(page, "submitter")
    page.goto("/schedule")
    page.check("#agent-picker label:has-text('oracle-agent') input")
    page.check("#agent-picker label:has-text('null-agent') input")
    page.check("#task-picker label:has-text('hello') input")
    page.fill("#f-repeats", "1")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_url("**/batches/*")
    # Mark this document: if the page reloaded, the mark would be gone.
    page.evaluate("window.__sameDocument = true")
    shot(page, "batch-in-progress")
    page.wait_for_selector("#batch-progress[data-done='1']", timeout=240_000)
    assert page.evaluate("window.__sameDocument") is True
    assert page.inner_text("[data-count=completed]") == "2"
    assert page.inner_text("[data-finished]") == "2"
    scores = {
        page.inner_text(f"tr[data-run-id='{rid}'] td:nth-child(2)"): page.inner_text(
            f"tr[data-run-id='{rid}'] [data-field=score]"
        )
        for rid in page.eval_on_selector_all("tr[data-run-id]", "rows => rows.map(r => r.dataset.runId)")
    }
    assert scores == {"oracle-agent": "1.00", "null-agent": "0.00"}
    shot(page, "batch-done")
    with session_scope() as s:
        statuses = set(s.scalars(select(Run.status)))
    assert statuses == {RunStatus.COMPLETED}
    # The transcript of a finished run can be read.
    page.click("tr[data-run-id] a")
    page.wait_for_selector("#transcript")
    assert page.locator("[data-kind=score]").count() == 1
    shot(page, "run-transcript")


# ---------------------------------------------------------------- dashboard


def test_dashboard_plot_holds_the_stored_points_and_trend(page: Any) -> None:
    report = simulated_report()
    store_result(report)
    page.goto("/")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    traces = page.evaluate(
        "() => document.getElementById('trend-plot').data.map(t => ({name: t.name, x: t.x, y: t.y,"
        " names: (t.customdata || []).map(c => c[0])}))"
    )
    agents = {a["agent"]: a for a in report["agents"]}
    frontier = next(t for t in traces if t["name"] == "Frontier")
    assert sorted(frontier["names"]) == sorted(report["trend"]["agents"])
    assert frontier["y"] == [agents[n]["p50"] for n in frontier["names"]]
    line = next(t for t in traces if t["name"] == "exponential trend")
    days = (dt.date.fromisoformat(line["x"][-1]) - dt.date.fromisoformat(line["x"][0])).days
    doubling = math.log(2) * days / math.log(line["y"][-1] / line["y"][0])
    assert math.isclose(doubling, report["trend"]["doubling_days"], rel_tol=1e-3)
    title = page.text_content("#trend-plot .gtitle") or ""
    assert title.startswith(f"Doubling time: {report['trend']['doubling_days']:.0f} days (95% CI")

    # Hovering a point names the agent, its horizon, CI and number of runs.
    index = next(i for i, t in enumerate(traces) if t["name"] == "Frontier")
    page.evaluate(f"() => Plotly.Fx.hover('trend-plot', [{{curveNumber: {index}, pointNumber: 0}}])")
    hover = page.text_content("#trend-plot .hoverlayer") or ""
    first = agents[frontier["names"][0]]
    assert frontier["names"][0] in hover and "CI:" in hover and f"runs: {first['n_runs']}" in hover
    shot(page, "dashboard-p50")

    page.select_option("#metric", "p80")
    page.click("#controls button[type=submit]")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    points = page.evaluate(
        "() => document.getElementById('trend-plot').data.filter(t => t.mode === 'markers')"
        ".flatMap(t => t.customdata.map((c, i) => [c[0], t.y[i]]))"
    )
    assert {name: y for name, y in points} == {n: agents[n]["p80"] for n, _ in points}
    shot(page, "dashboard-p80")

    page.goto("/agents/agent-2022")
    page.wait_for_selector("#agent-plot[data-rendered='1']")
    names = page.evaluate("() => document.getElementById('agent-plot').data.map(t => t.name)")
    assert "fitted logistic" in names and "CI band (from p50/p80 CIs)" in names
    shot(page, "agent-page")
    assert set(RELEASES) >= set(frontier["names"])


def test_clicking_a_trend_point_opens_its_agent_page_and_png_downloads(page: Any) -> None:
    report = simulated_report()
    analysis_id = store_result(report)
    page.goto(f"/?analysis={analysis_id}")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    names = page.evaluate("() => document.getElementById('trend-plot').data.map(t => t.name)")
    index = names.index("Frontier")
    first = page.evaluate(f"() => document.getElementById('trend-plot').data[{index}].customdata[0][0]")
    point = page.locator(f"#trend-plot .scatterlayer .trace:nth-child({index + 1}) .point").first
    box = point.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # The agent's page, still pinned to the analysis the dashboard showed.
    assert page.url.endswith(f"/agents/{first}?analysis={analysis_id}")
    page.wait_for_selector("#agent-plot[data-rendered='1']")

    # The PNG is drawn in the browser with the figure's title and caption: a download, no request.
    page.goto("/")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    with page.expect_download() as download:
        page.click("#download-png")
    assert download.value.suggested_filename == "horizon-trend.png"
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_render_under_the_content_security_policy(page: Any) -> None:
    store_result(simulated_report())
    for path, plot in (("/", "#trend-plot"), ("/agents/agent-2022", "#agent-plot")):
        response = page.goto(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
        page.wait_for_selector(f"{plot}[data-rendered='1']")
        page.hover(plot)  # hover labels and the mode bar: plotly's styles and handlers at work
        assert page.locator(f"{plot} .main-svg").count() >= 1
        assert page.evaluate("window.__csp || []") == [], path


def test_the_schedule_page_counts_the_runs_it_will_queue(page: Any) -> None:
    make_task("c1", tags=["pair"])
    make_task("c2", tags=["pair"])
    make_task("c3", tags=["other"])
    make_agent("count-oracle", "oracle")
    make_agent("count-null", "null")
    sign_in(page, "submitter")
    page.goto("/schedule")
    page.check("#agent-picker label:has-text('count-oracle') input")
    page.check("#agent-picker label:has-text('count-null') input")
    page.check("#tag-picker input[value='pair']")
    page.check("#task-picker input[value='c2']")  # already in by its tag: counted once
    page.check("#task-picker input[value='c3']")
    page.fill("#f-repeats", "4")
    assert page.inner_text("#run-count") == "This batch queues 24 runs (2 agents × 3 tasks × 4 repeats)."
    page.click("button[type=submit].big")
    page.wait_for_url("**/batches/*")
    assert "24" in page.inner_text("main")


def test_the_header_folds_its_links_behind_menu_on_a_phone(page: Any) -> None:
    sign_in(page, "submitter")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/tasks")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.is_visible(".nav-toggle") and not page.is_visible("#site-nav")
    page.focus(".nav-toggle")
    page.keyboard.press("Enter")  # a real button: the keyboard opens it too
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    page.click("#site-nav a[href='/runs']")
    page.wait_for_url("**/runs")
    page.click(".nav-toggle")
    page.keyboard.press("Escape")
    assert not page.is_visible("#site-nav")
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "false"
    page.set_viewport_size({"width": 1400, "height": 900})
    assert page.is_visible("#site-nav") and not page.is_visible(".nav-toggle")


# ---------------------------------------------------------------- baselining


@pytest.mark.docker
def test_timer_start_pause_resume_submit_stores_the_active_time(
    page: Any, worker: Proc, docker_backend: Any
) -> None:
    make_task(
        "hello",
        scorer={"command": "python3 /scorer/score.py", "files": {"score.py": SCORE_SUBMISSION}},
        limits=SMALL_LIMITS,
    )
    sign_in(page, "submitter")
    page.goto("/baselining/tasks/hello")
    page.click("#start-button")
    page.wait_for_selector("#pause-button")
    assert "Write hello into answer.txt." in page.inner_text("#instructions")
    page.wait_for_timeout(1500)
    page.click("#pause-button")
    page.wait_for_selector("#resume-button")
    paused_clock = page.inner_text("#timer")
    page.wait_for_timeout(2000)
    assert page.inner_text("#timer") == paused_clock  # the clock stands still while paused
    shot(page, "timer-paused")
    page.click("#resume-button")
    page.wait_for_selector("#pause-button")
    page.wait_for_timeout(1000)
    page.fill("#answer", "hello")
    page.click("#submit-button")
    page.wait_for_selector("#scoring-notice, #result-notice")
    shot(page, "timer-scoring")
    # The page polls and reloads itself when the score arrives.
    page.wait_for_selector("#result-notice", timeout=180_000)
    assert "Succeeded" in page.inner_text("#result-notice")
    shown_minutes = float(page.inner_text("#baseline-minutes"))
    shot(page, "timer-scored")

    with session_scope() as s:
        attempt = s.scalars(select(BaseliningAttempt)).one()
        events = {e.kind: e.at for e in attempt.events}
        baseline = s.get(HumanBaseline, attempt.baseline_id)
        assert baseline is not None and baseline.succeeded and baseline.source == "timed"
        assert baseline.attempt_id == attempt.id
        active = (events["pause"] - events["start"]).total_seconds() + (
            events["submit"] - events["resume"]
        ).total_seconds()
        wall = (events["submit"] - events["start"]).total_seconds()
    # The stored minutes are the active time from the server's events, pauses excluded.
    assert baseline.minutes * 60 == pytest.approx(active, abs=1e-3)
    assert wall - active == pytest.approx((events["resume"] - events["pause"]).total_seconds(), abs=1e-3)
    assert shown_minutes == pytest.approx(baseline.minutes, rel=1e-3)
    page.goto("/tasks/hello")
    assert "timed in Horizon" in page.inner_text("#baselines-table")
