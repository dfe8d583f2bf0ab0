"""Pinned and published analyses: `?analysis=` links, the `/analyses` history, publishing (admins
only), the default view preferring the published analysis, and "Compute CI" for another window."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.auth import create_token
from core.db import session_scope
from core.migrate import upgrade
from core.models import AnalysisResult, ApiToken
from core.schemas import AnalysisRequest
from core.settings import Settings
from tests.factories import make_agent, make_task
from tests.web.conftest import post_form, sign_in, sign_in_with, simulated_report, store_result
from tests.web.test_dashboard import _complete_one_run

PIN_RE = re.compile(r"<strong>Analysis #(\d+)</strong>")


def _shown(page: str) -> int:
    found = PIN_RE.search(page)
    assert found, "the page names no analysis"
    return int(found.group(1))


def _permalink(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" id="permalink">', page)
    assert found, "no permanent link"
    return html.unescape(found.group(1))


def _analysis_count() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(AnalysisResult)) or 0


def test_pinned_link_shows_that_analysis_and_keeps_its_id(client: TestClient) -> None:
    report = simulated_report()
    old = store_result(report, params={**report["params"], "bootstrap": 60, "regularization": 1e-5})
    newest = store_result(simulated_report(seed=2))
    assert _shown(client.get("/").text) == newest

    page = client.get(f"/?analysis={old}&metric=p80&window=paper").text
    assert _shown(page) == old
    assert "bootstrap 60" in page and "preset" in page
    # Every control and agent link keeps the pinned id; the permanent link names the whole view.
    assert f'<input type="hidden" name="analysis" value="{old}">' in page
    assert f"/agents/agent-2020?analysis={old}" in page
    link = _permalink(page)
    assert link.startswith(f"/?analysis={old}") and "metric=p80" in link and "window=paper" in link
    assert _shown(client.get(link).text) == old
    # Not the newest: said in words, with a link to the newest.
    assert "It is not the newest" in page and f'href="/?analysis={newest}"' in page
    # The agent page follows the pinned analysis too.
    agent_page = client.get(f"/agents/agent-2020?analysis={old}")
    assert agent_page.status_code == 200


def test_pinned_newest_is_not_called_old(client: TestClient) -> None:
    newest = store_result(simulated_report())
    page = client.get(f"/?analysis={newest}").text
    assert _shown(page) == newest and "not the newest" not in page


def test_pinned_stale_analysis_says_so(client: TestClient) -> None:
    make_task("t1")
    agent_id = make_agent("agent-2023", "oracle")
    only = store_result(simulated_report())
    _complete_one_run("t1", agent_id)
    page = client.get(f"/?analysis={only}").text
    assert "may be out of date" in page and "a newer fit may differ" in page


def test_unknown_and_hostile_analysis_ids(client: TestClient) -> None:
    store_result(simulated_report())
    unknown = client.get("/?analysis=999999")
    assert unknown.status_code == 404 and "There is no analysis #999999" in unknown.text
    for bad in ("0", "-1", "2147483648", "9" * 30, "1e3", "abc", "1;DROP TABLE analysis_results"):
        r = client.get("/", params={"analysis": bad})
        assert r.status_code == 422, bad
        assert "Traceback" not in r.text
    assert client.get("/agents/agent-2020?analysis=999999").status_code == 404


def test_pinned_analysis_without_result_yet(client: TestClient) -> None:
    done = store_result(simulated_report())
    queued = store_result({}, status="queued")
    page = client.get(f"/?analysis={queued}")
    assert page.status_code == 200
    assert f"Analysis #{queued} is queued" in page.text and 'http-equiv="refresh"' in page.text
    assert f'href="/?analysis={done}"' in page.text
    failed = store_result({}, status="failed")
    assert "it failed" in client.get(f"/?analysis={failed}").text


def test_history_lists_every_analysis_and_pages(client: TestClient) -> None:
    sign_in(client, "submitter")
    with session_scope() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "test submitter"))
    report = simulated_report()
    request = AnalysisRequest().model_dump(mode="json")  # what a fit of this database stores
    first = store_result(
        report, params=request, created_by_token_id=token_id, inputs_fingerprint="abcdef0123456789" * 4
    )
    ids = [first] + [store_result({}, status="failed") for _ in range(26)]
    page = client.get("/analyses")
    assert page.status_code == 200
    shown = [int(x) for x in re.findall(r'data-analysis="(\d+)"', page.text)]
    assert shown == sorted(ids, reverse=True)[:25]
    assert "page 1 of 2" in page.text
    second = client.get("/analyses?page=2").text
    rows = [int(x) for x in re.findall(r'data-analysis="(\d+)"', second)]
    assert rows == sorted(ids, reverse=True)[25:]
    row = second.split(f'data-analysis="{first}"')[1].split("</tr>")[0]
    assert "test submitter" in row and "abcdef012345" in row and f'href="/?analysis={first}"' in row
    assert "current" in row and "preset calibrated" in row
    assert "system" in page.text  # rows the system queued
    assert client.get("/analyses?page=0").status_code == 422
    assert client.get("/analyses?page=99999999999").status_code == 422
    # The nav links the history.
    assert 'href="/analyses"' in client.get("/runs").text


def test_history_hides_token_names_from_anonymous(client: TestClient) -> None:
    with session_scope() as s:
        token = ApiToken(name="secret-team-name", role="submitter", token_hash="0" * 64)
        s.add(token)
        s.flush()
        token_id = token.id
    store_result(simulated_report(), created_by_token_id=token_id)
    page = client.get("/analyses").text
    assert "secret-team-name" not in page and "a user" in page


def test_only_admins_publish_and_the_default_view_prefers_published(client: TestClient) -> None:
    published = store_result(simulated_report())
    newer = store_result(simulated_report(seed=2))
    assert _shown(client.get("/").text) == newer

    # Anonymous: sent to sign in; a viewer and a submitter: 403; nothing changes.
    r = post_form(client, f"/analyses/{published}/publish", {}, follow_redirects=False)
    assert r.status_code == 303 and "/signin" in r.headers["location"]
    for role in ("viewer", "submitter"):
        sign_in(client, role)
        r = post_form(client, f"/analyses/{published}/publish", {})
        assert r.status_code == 403, role
        assert "Publish" not in client.get("/").text.split('id="analysis-pin"')[1].split("</div>")[0]
    # Without the CSRF token even an admin is refused.
    sign_in(client, "admin")
    assert client.post(f"/analyses/{published}/publish", data={}).status_code == 403
    with session_scope() as s:
        assert s.scalar(select(func.count()).where(AnalysisResult.published_at.is_not(None))) == 0

    r = post_form(client, f"/analyses/{published}/publish", {}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/?analysis={published}"
    page = client.get("/").text
    assert _shown(page) == published and 'id="published-badge"' in page
    assert f"A newer fit, analysis #{newer}, is not published" in page
    assert f'href="/?analysis={newer}"' in page
    # An automatic refit after a batch does not change the published view.
    later = store_result(simulated_report(seed=3))
    assert _shown(client.get("/").text) == published
    assert f"analysis #{later}, is not published" in client.get("/").text
    # Unknown ids and unfinished analyses cannot be published.
    assert post_form(client, "/analyses/999999/publish", {}).status_code == 404
    queued = store_result({}, status="queued")
    assert post_form(client, f"/analyses/{queued}/publish", {}).status_code == 409
    # Unpublished again, the newest is shown.
    post_form(client, f"/analyses/{published}/unpublish", {})
    assert _shown(client.get("/").text) == later


def test_compute_ci_queues_the_window_with_the_same_params(client: TestClient) -> None:
    report = simulated_report()
    base = store_result(
        report,
        params={"regularization": 0.1, "bootstrap": 200, "weighting": "equal", "reason": "batch 1 finished"},
    )
    # A window the stored analysis did not cover: a point estimate, and the button for a submitter.
    view = "/?window=from_2023_on"
    assert 'id="compute-ci-form"' not in client.get(view).text  # anonymous sees no button
    sign_in(client, "submitter")
    page = client.get(view).text
    assert 'id="compute-ci-form"' in page
    assert 'id="compute-ci-form"' not in client.get("/").text  # the stored window has its CI
    # p80 over that window has no stored trend either: the same button (the fit stores both trends).
    assert 'id="compute-ci-form"' in client.get(view + "&metric=p80").text
    assert 'id="compute-ci-form"' not in client.get("/?metric=p80").text

    r = post_form(
        client,
        "/analyses/ci",
        {"analysis": base, "after": "2023-01-01", "before": "2030-01-01"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    new_id = int(r.headers["location"].removeprefix("/?analysis="))
    with session_scope() as s:
        row = s.get(AnalysisResult, new_id)
        assert row is not None
        assert row.params["window_after"] == "2023-01-01" and row.params["window_before"] == "2030-01-01"
        assert row.params["regularization"] == 0.1 and row.params["weighting"] == "equal"
        assert row.params["bootstrap"] == 200
    assert client.get(r.headers["location"]).status_code == 200


def test_compute_ci_bounds_and_quota(client: TestClient) -> None:
    base = store_result(simulated_report())
    sign_in(client, "submitter")
    before = _analysis_count()
    for bad in (
        {"analysis": base, "after": "2024-13-01"},
        {"analysis": base, "after": "x" * 5000},
        {"analysis": base, "after": "2025-01-01", "before": "2024-01-01"},
        {"analysis": "99999999999"},
        {"analysis": "abc"},
        {"analysis": base, "after": "2023-01-01", "bootstrap": "100000"},  # ignored: params come from #base
    ):
        r = post_form(client, "/analyses/ci", bad)
        if "bootstrap" in bad:
            assert r.status_code == 200
            continue
        assert r.status_code == 422, bad
    assert post_form(client, "/analyses/ci", {"analysis": 999999}).status_code == 404
    with session_scope() as s:
        rows = s.scalars(select(AnalysisResult).where(AnalysisResult.id > base)).all()
        assert rows and all(r.params["bootstrap"] == 60 for r in rows)  # base's, not the form's
    assert _analysis_count() == before + 1
    # A viewer may not queue analyses; no CSRF token, no analysis.
    sign_in(client, "viewer")
    assert post_form(client, "/analyses/ci", {"analysis": base}).status_code == 403
    assert client.post("/analyses/ci", data={"analysis": base}).status_code == 403
    # The per-token quota of queued analyses holds here as on the API.
    sign_in(client, "submitter")
    with session_scope() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "test submitter 2"))
    for _ in range(2):
        store_result({}, status="queued", created_by_token_id=token_id)
    count = _analysis_count()
    r = post_form(client, "/analyses/ci", {"analysis": base, "after": "2023-01-01"})
    assert r.status_code == 429 and "HORIZON_QUOTA_ANALYSES" in r.text
    assert _analysis_count() == count


def test_fit_now_queues_the_chosen_parameters_and_refuses_bad_ones(client: TestClient) -> None:
    assert 'id="fit-now-form"' not in client.get("/analyses").text  # anonymous: no form
    sign_in(client, "submitter")
    page = client.get("/analyses").text
    assert 'id="fit-now-form"' in page and 'value="1000"' in page  # the recommended preset's bootstrap
    before = _analysis_count()
    for bad, why in (
        ({"bootstrap": "-1"}, "bootstrap"),
        (
            {"bootstrap": "2001"},
            "at most 2000",
        ),  # the submitter's cap (HORIZON_ANALYSIS_MAX_BOOTSTRAP_SUBMITTER)
        ({"regularization": "0"}, "regularization"),
        ({"regularization": "x" * 5000}, "regularization"),
        ({"weighting": "loud"}, "weighting"),
        ({"window_after": "2025-01-01", "window_before": "2024-01-01"}, "window_after must be before"),
        ({"window_after": "2024-13-01"}, "window_after"),
        ({"doubling_ci": "guess"}, "doubling_ci"),
    ):
        r = post_form(client, "/analyses/new", bad)
        assert r.status_code == 422 and why in html.unescape(r.text), (bad, r.text[-2000:])
        assert 'id="fit-now" open' in r.text  # the form stays open with the values typed
    assert _analysis_count() == before

    chosen = {
        "bootstrap": "150",
        "regularization": "0.1",
        "weighting": "equal",
        "window_after": "2022-01-01",
        "window_before": "2026-01-01",
        "doubling_ci": "positive_doublings",
        "partial_scoring": "on",
    }
    r = post_form(client, "/analyses/new", chosen, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/?analysis=")
    new_id = int(r.headers["location"].removeprefix("/?analysis="))
    with session_scope() as s:
        row = s.get(AnalysisResult, new_id)
        assert row is not None and row.status in ("queued", "running", "done")
        assert row.params["bootstrap"] == 150 and row.params["regularization"] == 0.1
        assert row.params["weighting"] == "equal" and row.params["doubling_ci"] == "positive_doublings"
        assert row.params["window_after"] == "2022-01-01" and row.params["window_before"] == "2026-01-01"
        assert row.params["partial_scoring"] is True and row.params["include_unhealthy_tasks"] is False
        assert row.created_by_token_id is not None
    assert client.get(r.headers["location"]).status_code == 200
    # The per-token quota of queued analyses (2) holds as on the API; viewers may not fit.
    post_form(client, "/analyses/new", {})
    r = post_form(client, "/analyses/new", {})
    assert r.status_code == 429 and "HORIZON_QUOTA_ANALYSES" in r.text
    sign_in(client, "viewer")
    assert post_form(client, "/analyses/new", {}).status_code == 403


def test_publish_and_pin_on_sqlite(tmp_path: Path) -> None:
    """The same on the embedded database (naive datetimes, SQLite's migrated schema)."""
    from api.app import create_app

    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(settings)
    report = simulated_report()
    with session_scope(settings) as s:
        _, token = create_token(s, "sqlite admin", "admin")
        rows = [AnalysisResult(status="done", params=report["params"], result=report) for _ in range(2)]
        s.add_all(rows)
        s.flush()
        older, newest = rows[0].id, rows[1].id
    with TestClient(create_app(settings)) as client:
        sign_in_with(client, token)
        assert _shown(client.get("/").text) == newest
        r = post_form(client, f"/analyses/{older}/publish", {}, follow_redirects=False)
        assert r.status_code == 303
        page = client.get("/").text
        assert _shown(page) == older and f"A newer fit, analysis #{newest}, is not published" in page
        assert _shown(client.get(f"/?analysis={newest}").text) == newest
        assert "published" in client.get("/analyses").text


def test_hostile_stored_params_are_bounded_and_escaped(client: TestClient) -> None:
    hostile = {
        "bootstrap": "<script>alert(1)</script>" * 2000,
        "regularization": list(range(5000)),
        "window": [{"a": 1}, "<img src=x onerror=alert(1)>" * 100],
        "window_after": 12345,
    }
    pinned = store_result(simulated_report(), params=hostile)
    for path in ("/analyses", f"/?analysis={pinned}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert len(page.text) < 2_000_000
