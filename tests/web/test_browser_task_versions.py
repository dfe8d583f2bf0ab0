"""Browser journey: read an old task version's diff, delete a baseline and undo it (Chromium).

Screenshots of the diff page and of the task page with a deleted baseline, at 1400 and 390 px,
go to `test-output/screenshots/`.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.db import session_scope
from core.models import ApiToken, HumanBaseline
from core.ownership import SYSTEM
from core.schemas import BaselineCreate, TaskCreate, TaskUpdate
from core.services import tasks as task_svc
from tests.factories import make_token
from tests.web.test_browser import chromium, live_env, page, server, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

WIDTHS = {"wide": 1400, "phone": 390}
OLD_FIRST_LINE = "Count the lines that start with ERROR in app.log."


def _owned_task() -> None:
    """Task `diffed` owned by the newest token, at version 2, with two hand-recorded baselines."""
    with session_scope() as s:
        owner = s.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()).limit(1))
        body = {
            "id": "diffed",
            "family": "demo",
            "title": "Count the error lines",
            "instructions": f"{OLD_FIRST_LINE}\nWrite the count to answer.txt.\n",
            "environment": {"files": {"app.log": "INFO start\nERROR one\nINFO ok\n", "notes.txt": "old\n"}},
            "scorer": {"command": "python3 /scorer/score.py", "files": {"score.py": "print(1)\n"}},
            "limits": {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 32},
            "time_limit_s": 600,
        }
        task_svc.create_task(s, TaskCreate.model_validate(body), owner_token_id=owner)
        change = {
            "instructions": "Count the lines that start with ERROR (any case) in app.log.\n"
            "Write the count to answer.txt.\n",
            "environment": {"files": {"app.log": "INFO start\nERROR one\nerror two\nINFO ok\n"}},
            "limits": {"cpus": 2, "memory_mb": 512, "pids": 64, "disk_mb": 32},
        }
        task_svc.update_task(s, "diffed", TaskUpdate.model_validate(change), actor=SYSTEM)
        for who, minutes in (("ann", 4.0), ("bob", 16.0)):
            data = BaselineCreate.model_validate(
                {"baseliner": who, "minutes": minutes, "succeeded": True, "source": "baseline"}
            )
            task_svc.add_baseline(s, "diffed", data, recorded_by=owner)


def _sign_in_with(tab: Any, secret: str) -> None:
    tab.goto("/signin")
    tab.fill("#token", secret)
    tab.click("form[action='/signin'] button[type=submit]")
    tab.wait_for_selector("text=Sign out")


def _shots(tab: Any, name: str) -> None:
    for label, width in WIDTHS.items():
        tab.set_viewport_size({"width": width, "height": 900})
        shot(tab, f"{name}-{label}")
        wide = tab.evaluate("document.documentElement.scrollWidth")
        assert wide <= width + 1, f"{name} at {width} px is {wide} px wide"
    tab.set_viewport_size({"width": 1300, "height": 900})


def test_diff_an_old_version_then_delete_and_undo_a_baseline(page: Any) -> None:  # noqa: F811
    secret = make_token("submitter")
    _owned_task()
    _sign_in_with(page, secret)
    page.goto("/tasks/diffed")
    assert page.inner_text("#human-time").startswith("8 min")
    page.click("text=diff from v1")
    page.wait_for_selector("section.diff")
    assert (
        page.locator(".diff .del", has_text="-Count the lines that start with ERROR in app.log.").count() == 1
    )
    assert page.locator(".diff .add", has_text="+error two").count() == 1
    assert page.locator(".diff h3", has_text="environment/files/notes.txt").count() == 1
    _shots(page, "task-diff")

    page.goto("/tasks/diffed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[aria-label^='Delete the baseline by bob']")
    page.wait_for_selector("text=Baseline deleted")
    assert page.inner_text("#human-time").startswith("4 min")
    assert page.locator("#deleted-baselines-table tr.deleted").count() == 1
    _shots(page, "task-deleted-baseline")

    page.click("button[aria-label^='Undo the deletion of the baseline by bob']")
    page.wait_for_selector("text=Baseline restored")
    assert page.inner_text("#human-time").startswith("8 min")
    with session_scope() as s:
        rows = s.scalars(select(HumanBaseline).where(HumanBaseline.task_id == "diffed")).all()
        assert all(b.deleted_at is None for b in rows)
