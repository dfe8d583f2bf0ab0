"""`horizon doctor` (core/services/doctor.py) on SQLite and PostgreSQL: cached values made wrong by
hand with SQL are found with their stored and derived values, left alone without repair, repaired
in one pass, and a second pass finds nothing; waiting work and a stale analysis are reported and
never touched; every service path that writes baselines leaves no drift behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from core.db import session_scope
from core.models import AnalysisResult, RunAttempt
from core.schemas import AnalysisRequest, BaselineCreate
from core.services.doctor import doctor
from core.services.doctor_report import CheckOut, DoctorOut
from core.settings import Settings
from core.states import AnalysisStatus
from tests.factories import make_agent, make_run, make_task, make_task_folder


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The session's PostgreSQL (emptied), or a new migrated SQLite file."""
    if request.param == "postgresql":
        return Settings(database_url=request.getfixturevalue("db"), data_dir=tmp_path / "data")
    from core.migrate import upgrade

    url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
    upgrade(url=url)
    return Settings(database_url=url, data_dir=tmp_path / "data")


def _check(report: DoctorOut, kind: str) -> CheckOut:
    return next(c for c in report.checks if c.kind == kind)


def _sql(settings: Settings, statement: str, **params: Any) -> list[Any]:
    with session_scope(settings) as s:
        result = s.execute(text(statement), params)
        return [tuple(row) for row in result] if statement.startswith("SELECT") else []


BASELINES = [
    {"baseliner": "ann", "minutes": 4, "succeeded": True},
    {"baseliner": "bob", "minutes": 9, "succeeded": True},
    {"baseliner": "cy", "minutes": 30, "succeeded": False},
]


def _drifted_world(settings: Settings) -> dict[str, int]:
    """Two tasks, runs with attempts, and four cached values made wrong by hand; plus a queued
    run whose message is overdue and a running run whose worker went silent."""
    make_task("timed", baselines=BASELINES, settings=settings)  # geometric mean of 4 and 9: 6
    make_task("other", settings=settings)
    agent = make_agent("oracle", settings=settings)
    spent = make_run("timed", agent, status="completed", attempt=2, settings=settings)
    left = make_run("other", agent, status="completed", attempt=1, settings=settings)
    queued = make_run("other", agent, status="queued", settings=settings)
    silent = make_run("other", agent, status="running", attempt=1, heartbeat_age_s=3600, settings=settings)
    with session_scope(settings) as s:
        s.add_all(
            [
                RunAttempt(run_id=spent, attempt=1, status="infra_error", cost_usd=0.125),
                RunAttempt(run_id=spent, attempt=2, status="completed", cost_usd=0.25),
                RunAttempt(run_id=left, attempt=1, status="running", cost_usd=0.0),
                RunAttempt(run_id=silent, attempt=1, status="running", cost_usd=0.0),
            ]
        )
    _sql(settings, "UPDATE tasks SET human_minutes = 99, n_successful_baselines = 7 WHERE id = 'timed'")
    _sql(settings, "UPDATE runs SET spend_usd = 5 WHERE id = :id", id=spent)
    _sql(settings, "UPDATE tasks SET current_version = 3 WHERE id = 'other'")
    return {"spent": spent, "left": left, "queued": queued, "silent": silent}


def test_drift_is_reported_repaired_and_gone(backend: Settings) -> None:
    ids = _drifted_world(backend)

    found = doctor(backend)
    assert found.drifted == 4 and found.waiting == 2
    human = _check(found, "task_human_time")
    assert (human.checked, human.drifted, human.repaired) == (2, 1, 0)
    (example,) = human.examples
    assert example.id == "timed"
    assert example.stored == {
        "human_minutes": 99.0,
        "human_minutes_source": "baseline",
        "n_successful_baselines": 7,
    }
    assert example.derived["n_successful_baselines"] == 2
    assert example.derived["human_minutes"] == pytest.approx(6.0)
    spend = _check(found, "run_spend")
    assert (spend.checked, spend.drifted) == (3, 1)  # runs with attempt rows only
    assert spend.examples[0].id == str(ids["spent"])
    assert spend.examples[0].stored == {"spend_usd": 5.0} and spend.examples[0].derived == {
        "spend_usd": 0.375
    }
    version = _check(found, "task_current_version")
    assert (version.checked, version.drifted) == (2, 1) and version.examples[0].id == "other"
    assert version.examples[0].stored == {"current_version": 3} and version.examples[0].derived == {
        "current_version": 1
    }
    attempts = _check(found, "running_attempt")
    assert (attempts.checked, attempts.drifted) == (2, 1)  # the silent run still runs its attempt
    assert attempts.examples[0].id == f"{ids['left']}/1"
    overdue = _check(found, "queued_run_message_overdue")
    assert (overdue.checked, overdue.drifted, overdue.repairable) == (1, 1, False)
    assert overdue.examples[0].id == str(ids["queued"]) and "requeue_lost" in overdue.note
    silent = _check(found, "running_run_silent")
    assert (silent.drifted, silent.examples[0].id) == (1, str(ids["silent"]))
    # Without --repair nothing changed.
    assert _sql(backend, "SELECT human_minutes, n_successful_baselines FROM tasks WHERE id = 'timed'") == [
        (99.0, 7)
    ]
    assert _sql(backend, "SELECT spend_usd FROM runs WHERE id = :id", id=ids["spent"]) == [(5.0,)]

    repaired = doctor(backend, repair=True)
    assert repaired.drifted == 0 and repaired.waiting == 2
    assert [c.repaired for c in repaired.checks if c.repairable] == [1, 1, 1, 1]
    ((minutes, n, source),) = _sql(
        backend,
        "SELECT human_minutes, n_successful_baselines, human_minutes_source FROM tasks WHERE id = 'timed'",
    )
    assert minutes == pytest.approx(6.0) and (n, source) == (2, "baseline")
    assert _sql(backend, "SELECT spend_usd FROM runs WHERE id = :id", id=ids["spent"]) == [(0.375,)]
    assert _sql(backend, "SELECT current_version FROM tasks WHERE id = 'other'") == [(1,)]
    rows = _sql(
        backend,
        "SELECT run_id, status FROM run_attempts WHERE status IN ('running', 'abandoned') ORDER BY run_id",
    )
    assert rows == [(ids["left"], "abandoned"), (ids["silent"], "running")]
    # Waiting work is the requeue and reaper jobs' to handle: untouched.
    assert _sql(backend, "SELECT status, enqueued_at FROM runs WHERE id = :id", id=ids["queued"]) == [
        ("queued", None)
    ]

    again = doctor(backend)
    assert again.drifted == 0 and all(c.drifted == 0 for c in again.checks if c.repairable)


def test_a_stale_latest_analysis_is_reported_and_left_alone(backend: Settings) -> None:
    from core.services.analyses import gather_inputs
    from core.services.tasks import add_baseline

    make_task("timed", baselines=BASELINES, settings=backend)
    agent = make_agent("oracle", settings=backend)
    make_run("timed", agent, status="completed", score_cont=1.0, score_binarized=1, settings=backend)
    request = AnalysisRequest()
    with session_scope(backend) as s:
        fingerprint = gather_inputs(s, request).fingerprint
        s.add(
            AnalysisResult(
                status=AnalysisStatus.DONE,
                params=request.model_dump(mode="json"),
                inputs_fingerprint=fingerprint,
                result={},
            )
        )
    assert _check(doctor(backend), "latest_analysis_stale").drifted == 0

    with session_scope(backend) as s:  # a new human time for a task: the fit's inputs changed
        add_baseline(
            s, "timed", BaselineCreate(baseliner="dee", minutes=60, succeeded=True), recorded_by=None
        )
    stale = _check(doctor(backend, repair=True), "latest_analysis_stale")
    assert (stale.checked, stale.drifted, stale.repairable) == (1, 1, False)
    assert stale.examples[0].stored == {"inputs_fingerprint": fingerprint[:16]}
    assert "human times changed" in str(stale.examples[0].derived["why"])
    assert _sql(backend, "SELECT inputs_fingerprint FROM analysis_results") == [(fingerprint,)]


def test_every_baseline_write_path_leaves_no_drift(db: str, tmp_path: Path) -> None:
    """Folders, runs imports, hand-recorded, deleted, restored and timed baselines each refresh the
    human time in their own transaction (the recompute job only repeats it)."""
    from analysis.simulate import SimulatedAgent, simulate_runs, synthetic_suite
    from core.ownership import SYSTEM
    from core.services import tasks as task_svc
    from core.services.imports import import_runs
    from core.services.task_sync import sync_tree

    settings = Settings(database_url=db)
    make_task_folder(tmp_path / "suite", "from-folder")
    rng = np.random.default_rng(3)
    suite = synthetic_suite(rng, n_families=2, min_minutes=1.0, max_minutes=60)
    agent = SimulatedAgent("sim", 8.0, release_date=dt.date(2024, 1, 1))
    with session_scope(settings) as s:
        sync_tree(s, tmp_path / "suite")
        import_runs(s, simulate_runs(suite, [agent], repeats=1, rng=rng), "simulated", {})
    make_task("by-hand", settings=settings)
    with session_scope(settings) as s:
        row = task_svc.add_baseline(
            s, "by-hand", BaselineCreate(baseliner="e", minutes=3, succeeded=True), recorded_by=None
        )
        kept = task_svc.add_timed_baseline(
            s,
            "by-hand",
            attempt_id=1,
            token_id=None,
            baseliner="f",
            minutes=12.0,
            succeeded=True,
            notes="",
            recorded_at=None,
            task_version=1,
        )
        row_id, kept_id = row.id, kept.id
    with session_scope(settings) as s:
        task_svc.delete_baseline(s, "by-hand", row_id, actor=SYSTEM)
        task_svc.delete_baseline(s, "by-hand", kept_id, actor=SYSTEM)
    with session_scope(settings) as s:
        task_svc.restore_baseline(s, "by-hand", kept_id, actor=SYSTEM)

    report = doctor(settings)
    human = _check(report, "task_human_time")
    assert human.checked >= 3 and human.drifted == 0, human.examples
    assert report.drifted == 0
