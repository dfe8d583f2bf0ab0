"""Fixtures for the web pages: the real app on real PostgreSQL, signed-in clients, stored analyses.

Stored analysis results are produced by the real analysis (`analysis.report.run_analysis`) on
simulated runs of agents on a trend, so the pages are tested on the JSON the analysis writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_token
from tests.workers.conftest import docker_backend, docker_instance  # noqa: F401  (Docker fixtures)

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(db: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db, data_dir=tmp_path / "data")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


def csrf_token(client: TestClient, path: str = "/signin") -> str:
    """The CSRF token of the client's session, read from a page's hidden field."""
    page = client.get(path)
    found = CSRF_RE.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in_with(client: TestClient, token: str) -> None:
    """Sign the client in with an existing API token."""
    r = client.post(
        "/signin",
        data={"token": token, "csrf_token": csrf_token(client), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def sign_in(client: TestClient, role: str) -> str:
    """Sign the client in with a new token of `role`; returns the token."""
    token = make_token(role)
    sign_in_with(client, token)
    return token


def post_form(client: TestClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST a form with the session's CSRF token (taken from the sign-in page)."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client)}, **kwargs)


@pytest.fixture
def submitter_client(client: TestClient) -> TestClient:
    sign_in(client, "submitter")
    return client


@pytest.fixture
def viewer_client(client: TestClient) -> TestClient:
    sign_in(client, "viewer")
    return client


@pytest.fixture
def admin_client(client: TestClient) -> TestClient:
    sign_in(client, "admin")
    return client


# ---------------------------------------------------------------- stored analyses

RELEASES = {
    "agent-2020": dt.date(2020, 3, 1),
    "agent-2021": dt.date(2021, 6, 1),
    "agent-2022": dt.date(2022, 9, 1),
    "agent-2023": dt.date(2023, 11, 1),
    "agent-2024": dt.date(2024, 10, 1),
}


def simulated_report(
    seed: int = 1, releases: dict[str, dt.date] | None = None, n_bootstrap: int = 60
) -> dict[str, Any]:
    """A real analysis report (`run_analysis`) of simulated runs of agents on a 200-day trend."""
    from analysis.report import AnalysisParams, run_analysis
    from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite

    releases = releases or RELEASES
    rng = np.random.default_rng(seed)
    suite = synthetic_suite(rng, n_families=20, max_minutes=960)
    agents = agents_on_trend(releases, doubling_days=200, anchor_p50=30.0, anchor_date=dt.date(2023, 1, 1))
    runs = simulate_runs(suite, agents, repeats=4, rng=rng)
    params = AnalysisParams(n_bootstrap=n_bootstrap)
    return run_analysis(runs, releases, params)


def store_result(report: dict[str, Any], **columns: Any) -> int:
    """Store `report` as a finished analysis row (as the analysis job does); returns its id."""
    from core.db import session_scope
    from core.models import AnalysisResult

    with session_scope() as s:
        row = AnalysisResult(
            status=columns.pop("status", "done"),
            params=columns.pop("params", report.get("params", {})),
            result=report,
            n_runs=report.get("n_runs", 0),
            inputs_fingerprint=columns.pop("inputs_fingerprint", "f" * 64),
            **columns,
        )
        s.add(row)
        s.flush()
        return row.id
