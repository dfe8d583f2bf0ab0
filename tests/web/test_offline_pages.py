"""Nothing leaves the machine from the web pages: every page of the web UI, /docs and /redoc load in
Chromium with every request to another host blocked and recorded, and none may be attempted.

Uses the live `horizon serve` and Chromium fixtures of `test_browser.py` (the `page` fixture also
fails the test on any JavaScript error or Content-Security-Policy violation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from core.db import session_scope
from core.schemas import RunResult
from core.services.runs import claim_run, finish_run
from core.states import StopReason
from tests.factories import make_agent, make_batch, make_task
from tests.web.conftest import simulated_report, store_result
from tests.web.test_analysis_extras_pages import import_simulated_runs
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    chromium,
    live_env,
    page,
    server,
    sign_in,
)
from tests.web.test_runs_pages import TRANSCRIPT

pytestmark = pytest.mark.browser

WIDTHS = (1400, 390)


@pytest.fixture
def outside_requests(page: Any, server: str) -> Iterator[list[str]]:  # noqa: F811
    """Every request for another origin than the live server is aborted and its URL kept."""
    origin = urlsplit(server)
    attempted: list[str] = []

    def gate(route: Any) -> None:
        url = urlsplit(route.request.url)
        if (url.scheme, url.netloc) == (origin.scheme, origin.netloc):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.context.route("**/*", gate)
    yield attempted


def _seed() -> dict[str, str]:
    """Data for every page: a stored analysis (charts), imported runs (compare), a task, two agents,
    a batch whose first run finished with a transcript. Returns the paths that depend on ids."""
    store_result(simulated_report())
    import_simulated_runs()  # agents "strong" and "weak" with runs on shared tasks: the compare page
    make_task("hello", tags=["easy"])
    oracle = make_agent("oracle-agent", "oracle")
    null = make_agent("null-agent", "null")
    batch_id, run_ids = make_batch([oracle, null], ["hello"])
    with session_scope() as s:
        attempt = claim_run(s, run_ids[0], "w")
        assert attempt is not None
        finish_run(
            s, run_ids[0], attempt, RunResult(StopReason.SUBMITTED, 1.0, 1, 500, 40, 0.002, TRANSCRIPT)
        )
    return {"batch": f"/batches/{batch_id}", "run": f"/runs/{run_ids[0]}"}


def _pages(ids: dict[str, str]) -> list[tuple[str, str]]:
    """(path, a selector that shows the page's main content is there)."""
    return [
        ("/", "#trend-plot[data-rendered='1']"),
        ("/agents", "main"),
        ("/agents/agent-2022", "#agent-plot[data-rendered='1']"),
        ("/compare?a=strong&b=weak", "#compare-table"),
        ("/tasks", "#tasks-table"),
        ("/tasks/hello", "#human-time"),
        ("/runs", "main"),
        (ids["run"], "#transcript [data-kind=tool_output]"),
        ("/batches", "main"),
        (ids["batch"], "#batch-progress"),
        ("/schedule", "#schedule-form"),
        ("/baselining", "main"),
        ("/baselining/tasks/hello", "main"),
        ("/tasks/new", "#task-form"),
        ("/docs", "#swagger-ui .opblock-summary"),
        ("/redoc", ".api-content"),
    ]


def test_no_page_reaches_another_host(page: Any, outside_requests: list[str]) -> None:  # noqa: F811
    ids = _seed()
    sign_in(page, "submitter")
    for path, ready in _pages(ids):
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        assert outside_requests == [], f"{path} tried to reach {outside_requests}"
        assert page.evaluate("window.__csp || []") == [], path
    page.context.clear_cookies()  # the sign-in page as a visitor sees it
    page.goto("/signin")
    page.wait_for_load_state("networkidle")
    assert outside_requests == []


def test_api_docs_render_from_local_assets(page: Any, outside_requests: list[str]) -> None:  # noqa: F811
    page.goto("/docs")
    page.wait_for_selector("#swagger-ui .opblock-summary")
    # The operation list is drawn: many operations, an API path among them, no validator badge.
    assert page.locator("#swagger-ui .opblock").count() > 20
    assert page.locator("#swagger-ui .opblock-summary-path", has_text="/api/tasks").count() >= 1
    assert page.locator("#swagger-ui .validator-badge, img[src*='validator']").count() == 0
    page.goto("/redoc")
    page.wait_for_selector(".api-content h2")
    assert "/api/tasks" in page.inner_text(".api-content")
    page.wait_for_load_state("networkidle")
    assert outside_requests == []
    assert page.evaluate("window.__csp || []") == []


def test_chart_mode_bar_offers_no_cloud_link(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    outside_requests: list[str],
) -> None:
    store_result(simulated_report())
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        page.wait_for_selector("#trend-plot[data-rendered='1']")
        plot = page.locator("#trend-plot")
        plot.scroll_into_view_if_needed()
        plot.hover()
        page.wait_for_selector("#trend-plot .modebar", state="visible")
        titles = page.eval_on_selector_all(
            "#trend-plot .modebar-btn", "bs => bs.map(b => b.getAttribute('data-title') || '')"
        )
        assert any("png" in t.lower() for t in titles), titles  # the download stays
        lowered = " ".join(titles).lower()
        assert "cloud" not in lowered and "chart studio" not in lowered and "plotly" not in lowered
        # No link to plotly's servers anywhere on the chart (logo, "edit chart" link).
        hrefs = page.eval_on_selector_all("#trend-plot a[href]", "as => as.map(a => a.href)")
        assert all(h.startswith(server) for h in hrefs), hrefs
        plot.screenshot(path=str(SCREENSHOTS / f"offline-dashboard-modebar-{width}.png"))
        for path, ready in (("/docs", "#swagger-ui .opblock-summary"), ("/redoc", ".api-content h2")):
            page.goto(path)
            page.wait_for_selector(ready)
            # The viewport only: the whole ReDoc page is tens of thousands of pixels high.
            page.screenshot(path=str(SCREENSHOTS / f"offline-{path.strip('/')}-{width}.png"))
    assert outside_requests == []
