"""Chromium journey through pinned analyses: the history page (reached from the phone menu), an
analysis opened pinned, and the pin kept through the metric switch, the permanent link and the
agent links. Uses the live `horizon serve` and Chromium fixtures of `test_browser.py`."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import simulated_report, store_result
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    chromium,
    live_env,
    page,
    server,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_history_to_a_pinned_analysis_that_keeps_its_id(page: Any) -> None:  # noqa: F811
    older = store_result(simulated_report())
    newest = store_result(simulated_report(seed=2))
    sign_in(page, "viewer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.inner_text("#analysis-pin strong") == f"Analysis #{newest}"
    page.click(".nav-toggle")
    page.click("#site-nav a[href='/analyses']")
    page.wait_for_url("**/analyses")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#analyses-table tbody tr").count() == 2
    shot(page, "analyses-history-390")

    page.set_viewport_size({"width": 1300, "height": 900})
    page.click(f"tr[data-analysis='{older}'] a:has-text('Open pinned')")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    assert _query(page.url)["analysis"] == [str(older)]
    assert page.inner_text("#analysis-pin strong") == f"Analysis #{older}"
    assert "It is not the newest" in page.inner_text("#pinned-notice")

    page.select_option("#metric", "p80")
    page.click("#controls button[type=submit]")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    query = _query(page.url)
    assert query["analysis"] == [str(older)] and query["metric"] == ["p80"]
    assert page.inner_text("#analysis-pin strong") == f"Analysis #{older}"
    shot(page, "dashboard-pinned-p80")

    page.click("#permalink")
    page.wait_for_selector("#trend-plot[data-rendered='1']")
    query = _query(page.url)
    assert query["analysis"] == [str(older)] and query["metric"] == ["p80"]

    page.click("#agents-table tbody tr:first-child td:first-child a")
    page.wait_for_selector("#agent-plot[data-rendered='1']")
    assert _query(page.url)["analysis"] == [str(older)]

    page.goto("/")  # the default view: the newest, with no pin notice
    assert page.locator("#pinned-notice").count() == 0
    assert page.inner_text("#analysis-pin strong") == f"Analysis #{newest}"
