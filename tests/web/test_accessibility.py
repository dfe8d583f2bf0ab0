"""Accessibility: axe-core, run inside Chromium on every main page of the web UI at a desktop and a
phone width, finds no violation of impact "serious" or "critical"; every form control is named
and keyboard focus is drawn.

axe-core is vendored for the tests only (`tests/web/vendor/axe-core/`, not served by the app) and
evaluated through the DevTools protocol, so the pages' Content-Security-Policy stays as it is.
Uses the live `horizon serve` and Chromium fixtures of `test_browser.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import (  # noqa: F401  (fixtures)
    chromium,
    live_env,
    page,
    server,
    shot,
    sign_in,
)
from tests.web.test_offline_pages import _seed

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 390)
BLOCKING = ("serious", "critical")

# Runs axe on the whole document; resolves to the violations that block, one line of data each.
RUN_AXE = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const found = [];
  for (const v of result.violations) {
    if (!impacts.includes(v.impact)) continue;
    for (const node of v.nodes) {
      found.push({rule: v.id, impact: v.impact, target: node.target.join(' '),
                  summary: (node.failureSummary || '').split('\\n').slice(0, 3).join(' ')});
    }
  }
  return found;
}"""


def _pages(ids: dict[str, str]) -> list[tuple[str, str]]:
    """(path, a selector that shows the page's main content is there), as an admin sees them."""
    return [
        ("/", "#trend-plot[data-rendered='1']"),
        ("/analyses", "#analyses-table"),
        ("/agents", "main"),
        ("/agents/agent-2022", "#agent-plot[data-rendered='1']"),
        ("/compare?a=strong&b=weak", "#compare-table"),
        ("/tasks", "#tasks-table"),
        ("/tasks/hello", "#human-time"),
        ("/tasks/new", "#task-form"),
        ("/runs", "main"),
        (ids["run"], "#transcript [data-kind=tool_output]"),
        ("/batches", "main"),
        (ids["batch"], "#batch-progress"),
        ("/schedule", "#schedule-form"),
        ("/baselining", "main"),
        ("/baselining/tasks/hello", "main"),
        ("/models/new", "main form"),
        ("/agents/new", "main form"),
    ]


def _violations(tab: Any, label: str) -> list[str]:
    """Injects axe-core (once per document) and returns its blocking findings as readable lines."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = tab.evaluate(RUN_AXE, list(BLOCKING))
    return [f"{label}: {f['rule']} ({f['impact']}) at {f['target']}: {f['summary']}" for f in found]


def _unnamed_controls(tab: Any) -> list[str]:
    """Visible form controls without an accessible name (a label, aria-label or aria-labelledby)."""
    found: list[str] = tab.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
          .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                        && !el.getAttribute('aria-labelledby') && !el.title)
          .map(el => el.outerHTML.slice(0, 120))"""
    )
    return found


def test_main_pages_have_no_serious_accessibility_violations(page: Any) -> None:  # noqa: F811
    ids = _seed()
    problems: list[str] = []
    sign_in(page, "admin")
    pages = _pages(ids)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path, ready in pages:
            response = page.goto(path)
            assert response is not None and response.status < 400, (path, response and response.status)
            page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
            problems += _violations(page, f"{path} @{width}px")
            problems += [f"{path} @{width}px: unlabelled {c}" for c in _unnamed_controls(page)]
    page.context.clear_cookies()  # the sign-in page as a visitor sees it
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/signin")
        page.wait_for_load_state("networkidle")
        problems += _violations(page, f"/signin @{width}px")
        problems += [f"/signin @{width}px: unlabelled {c}" for c in _unnamed_controls(page)]
    assert problems == [], "accessibility violations:\n" + "\n".join(problems)


def test_keyboard_focus_is_visible(page: Any) -> None:  # noqa: F811
    """Tabbing from the top of a page reaches the navigation and draws an outline on what has focus."""
    sign_in(page, "submitter")
    page.goto("/tasks")
    page.wait_for_load_state("networkidle")
    seen: list[str] = []
    for _ in range(6):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
                 return {tag: el.tagName, visible: el.matches(':focus-visible'),
                         outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0}; }"""
        )
        assert state["tag"] != "BODY"
        assert state["visible"] and state["outline"], state
        seen.append(state["tag"])
    assert "A" in seen  # the navigation links are reachable by keyboard
    shot(page, "keyboard-focus-tasks")


def test_an_added_baseline_row_has_its_own_labels(page: Any) -> None:  # noqa: F811
    """The task form's "+ another baseline" copies a row: the copy's labels name the copy's fields."""
    sign_in(page, "submitter")
    page.goto("/tasks/new")
    page.click("#add-baseline")
    row = page.locator(".baseline-row").nth(2)
    for field in ("baseliner", "minutes", "succeeded", "source", "notes"):
        control = row.locator(f"[name='baselines.2.{field}']")
        assert control.get_attribute("id") == f"baselines-2-{field}"
        assert row.locator(f"label[for='baselines-2-{field}']").count() == 1
    assert page.locator("[id^='baselines-'][id$='-baseliner']").count() == 3
    row.get_by_label("Who").fill("bob")
    assert page.input_value("input[name='baselines.2.baseliner']") == "bob"
    assert _unnamed_controls(page) == []
