"""Transcript storage (operations issue: transcripts): an ended attempt's events move into the
transcript archive and read back identically; a crash between the blob and the row delete loses
nothing; the retention policy removes old attempts' transcripts (dry run first) and keeps each
run's last; hostile keys never leave the archive folder. On PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from core.db import session_scope
from core.models import Run, RunAttempt, TranscriptArchive, TranscriptEvent, utcnow
from core.ownership import SYSTEM
from core.services import transcript_storage as storage
from core.services.runs import transcript_of
from core.services.transcript_append import append_events
from core.services.transcripts import summary_events, transcript_page
from core.settings import Settings, get_settings
from core.transcript_archive import ArchiveError, FilesystemStore, blob_key, check_key
from tests.factories import make_agent, make_run, make_task


@pytest.fixture(params=["postgresql", "sqlite"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings of the database under test (the session's PostgreSQL, emptied, or a new migrated
    SQLite file), with the transcript archive in the test's own folder; the environment says the
    same, for the CLI."""
    from core.db import dispose_engines

    if request.param == "postgresql":
        url = request.getfixturevalue("db")
    else:
        from core.migrate import upgrade

        url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
        upgrade(url=url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HORIZON_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield Settings(database_url=url, data_dir=tmp_path / "data")
    dispose_engines()
    get_settings.cache_clear()


def _events(attempt: int, n: int) -> list[Any]:
    """Plausible events: model turns with unicode and a long text, tool output, a non-dict entry."""
    events: list[Any] = [{"kind": "task_start", "t": 0.0}]
    for i in range(n):
        events.append({"kind": "model", "t": i, "content": f"attempt {attempt} turn {i} \u00e9\u6f22 " * 20})
        events.append({"kind": "tool", "t": i + 0.5, "output": "x" * (i * 50), "exit_code": 0})
    events += [
        "not a dict",
        {"kind": "score", "score": 1.0},
        {"kind": "task_end", "stop_reason": "submitted"},
    ]
    return events


def _run_with_attempts(
    settings: Settings,
    ages_days: list[float],
    *,
    status: str = "completed",
    n_events: int = 5,
    task: str = "hello",
) -> int:
    """A run whose attempts ended `ages_days` ago (the last is the run's current one), each with
    its transcript in rows and its spend on its attempt row."""
    agent = _agent(settings)
    run_id = make_run(
        task,
        agent,
        settings=settings,
        status=status,
        attempt=len(ages_days),
        score_cont=1.0,
        score_binarized=1,
    )
    now = utcnow()
    with session_scope(settings) as s:
        for attempt, age in enumerate(ages_days, start=1):
            ended = now - dt.timedelta(days=age)
            s.add(
                RunAttempt(
                    run_id=run_id,
                    attempt=attempt,
                    status="completed" if attempt == len(ages_days) else "infra_error",
                    started_at=ended - dt.timedelta(minutes=5),
                    finished_at=ended,
                    tokens_in=1000 * attempt,
                    cost_usd=0.5,
                )
            )
            append_events(s, run_id, attempt, enumerate(_events(attempt, n_events)))
    return run_id


def _agent(settings: Settings) -> int:
    """The `null` agent (made with the task `hello` the first time): not an oracle, so its
    transcript's texts are public."""
    from core.models import Agent

    with session_scope(settings) as s:
        found = s.scalar(select(Agent.id).where(Agent.name == "null"))
    if found is None:
        make_task("hello", settings=settings)
        found = make_agent("null", "null", settings=settings)
    return found


def _pages(settings: Settings, run_id: int, attempt: int, size: int = 4) -> tuple[list[Any], dict[str, Any]]:
    """Every event of the attempt read page by page, and the first page's JSON."""
    read: list[Any] = []
    offset: int | None = 0
    first: dict[str, Any] = {}
    with session_scope(settings) as s:
        while offset is not None:
            page = transcript_page(s, run_id, offset, size, reader=SYSTEM, attempt=attempt)
            first = first or page.as_json()
            read += page.events
            offset = page.next_offset
    return read, first


def _rows(settings: Settings, run_id: int, attempt: int) -> int:
    with session_scope(settings) as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(TranscriptEvent)
                .where(TranscriptEvent.run_id == run_id, TranscriptEvent.attempt == attempt)
            )
            or 0
        )


def test_archived_transcript_reads_the_same_everywhere(settings: Settings) -> None:
    run_id = _run_with_attempts(settings, [2.0, 1.0])
    before = {a: _pages(settings, run_id, a) for a in (1, 2)}
    with session_scope(settings) as s:
        whole_before = summary_events(s, run_id, 2, 1000)
        latest_before = transcript_of(s, run_id)
        first_before = transcript_of(s, run_id, 1)
    app_settings = settings.model_copy(update={"transcript_archive": True})
    with TestClient(_app(app_settings)) as client:
        api_before = client.get(f"/api/runs/{run_id}/transcript?attempt=2&limit=1000").json()

        # Off: nothing moves. On: both attempts move; the rows are gone, one blob each.
        storage.archive_ended_attempt(settings, run_id, 1)
        assert _rows(settings, run_id, 1) > 0
        for attempt in (1, 2):
            storage.archive_ended_attempt(app_settings, run_id, attempt)
            assert _rows(settings, run_id, attempt) == 0
        root = settings.transcript_archive_root
        assert sorted(FilesystemStore(root).keys()) == [blob_key(run_id, 1), blob_key(run_id, 2)]
        # Archiving again changes nothing.
        assert storage.archive_attempt(settings, run_id, 2) is False

        for attempt in (1, 2):
            assert _pages(settings, run_id, attempt) == before[attempt]
        with session_scope(settings) as s:
            assert summary_events(s, run_id, 2, 1000) == whole_before
            assert transcript_of(s, run_id) == latest_before
            assert transcript_of(s, run_id, 1) == first_before and first_before is not None
        api_after = client.get(f"/api/runs/{run_id}/transcript?attempt=2&limit=1000").json()
        assert api_after == api_before and api_after["total"] == len(_events(2, 5))
        page = client.get(f"/runs/{run_id}?attempt=1")
        assert page.status_code == 200 and "attempt 1 turn 4" in page.text


def _app(settings: Settings) -> Any:
    from api.app import create_app

    return create_app(settings)


def test_a_crash_between_blob_and_row_delete_loses_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _run_with_attempts(settings, [1.0])
    before = _pages(settings, run_id, 1)
    rows = _rows(settings, run_id, 1)

    def crash(*_: Any) -> bool:
        raise KeyboardInterrupt("the process dies after the blob is written")

    monkeypatch.setattr(storage, "_swap_rows_for_pointer", crash)
    with pytest.raises(KeyboardInterrupt):
        storage.archive_attempt(settings, run_id, 1)
    # The blob is whole on disk, the rows all there, no pointer: read from the rows.
    assert (settings.transcript_archive_root / blob_key(run_id, 1)).is_file()
    assert _rows(settings, run_id, 1) == rows
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(TranscriptArchive)) == 0
    assert _pages(settings, run_id, 1) == before

    # The next pass (beat, or `horizon transcripts archive`) finishes the move.
    monkeypatch.undo()
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("HORIZON_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    done = CliRunner().invoke(_cli(), ["transcripts", "archive"], catch_exceptions=False)
    assert done.exit_code == 0 and "archived the transcripts of 1 attempts" in done.output, done.output
    assert _rows(settings, run_id, 1) == 0
    assert _pages(settings, run_id, 1) == before


def _cli() -> Any:
    from cli.main import app

    return app


def test_rows_changed_while_archiving_stay_rows(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = _run_with_attempts(settings, [1.0])
    real_put = FilesystemStore.put

    def put_then_late_event(self: FilesystemStore, key: str, data: bytes) -> None:
        real_put(self, key, data)
        with session_scope(settings) as s:  # a late write lands between the blob and the swap
            append_events(s, run_id, 1, [(999, {"kind": "late"})])

    monkeypatch.setattr(FilesystemStore, "put", put_then_late_event)
    assert storage.archive_attempt(settings, run_id, 1) is False
    events, _ = _pages(settings, run_id, 1, size=1000)
    assert events[-1] == {"kind": "late"} and _rows(settings, run_id, 1) == len(events)


def test_retention_removes_old_attempts_and_keeps_each_runs_last(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_retried = _run_with_attempts(settings, [40.0, 39.0])  # attempt 1 expired, 2 is the last
    recent = _run_with_attempts(settings, [2.0, 1.0])  # nothing old enough
    archived_old = _run_with_attempts(settings, [50.0, 45.0, 44.0])  # attempts 1, 2 expired
    storage.archive_attempt(settings, archived_old, 1)
    blob = settings.transcript_archive_root / blob_key(archived_old, 1)
    assert blob.is_file()
    with session_scope(settings) as s:
        spend = sorted((a.run_id, a.attempt, a.tokens_in, a.cost_usd) for a in s.scalars(select(RunAttempt)))
        scores = sorted((r.id, r.score_cont, r.status) for r in s.scalars(select(Run)))
    total_before = sum(_rows(settings, r, a) for r in (old_retried, recent, archived_old) for a in (1, 2, 3))

    # No policy: nothing to do.
    assert storage.prune_transcripts(settings).attempts == 0

    policy = settings.model_copy(update={"transcript_retention_days": 30})
    monkeypatch.setenv("HORIZON_TRANSCRIPT_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    dry = CliRunner().invoke(_cli(), ["transcripts", "prune", "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    per_attempt = len(_events(1, 5))
    assert (
        f"would remove the transcripts of 3 attempts ({3 * per_attempt} events; 1 archived blobs"
        in dry.output
    )
    assert (
        sum(_rows(settings, r, a) for r in (old_retried, recent, archived_old) for a in (1, 2, 3))
        == total_before
    )
    assert blob.is_file()

    done = CliRunner().invoke(_cli(), ["transcripts", "prune"], catch_exceptions=False)
    assert done.exit_code == 0 and "removed the transcripts of 3 attempts" in done.output, done.output
    assert not blob.exists()
    for run_id, attempt in ((old_retried, 1), (archived_old, 1), (archived_old, 2)):
        assert _rows(settings, run_id, attempt) == 0
        events, first = _pages(settings, run_id, attempt)
        assert events == [] and first["removed"] is True and first["total"] == 0
    for run_id, attempt in ((old_retried, 2), (recent, 1), (recent, 2), (archived_old, 3)):
        assert _rows(settings, run_id, attempt) == per_attempt
    # Scores, tokens and costs stay; the run page says why the transcript is gone.
    with session_scope(settings) as s:
        assert (
            sorted((a.run_id, a.attempt, a.tokens_in, a.cost_usd) for a in s.scalars(select(RunAttempt)))
            == spend
        )
        assert sorted((r.id, r.score_cont, r.status) for r in s.scalars(select(Run))) == scores
        assert transcript_of(s, old_retried, 1) is None
        assert transcript_of(s, old_retried) is not None  # the last attempt's, kept
    with TestClient(_app(policy)) as client:
        page = client.get(f"/runs/{old_retried}?attempt=1")
        assert page.status_code == 200 and "transcript removed by retention policy" in page.text
        assert "attempt 1 turn" not in page.text
    assert storage.prune_transcripts(policy).attempts == 0  # already done

    # Every attempt: the runs' last ones too, once old enough; a running run's never.
    running = _run_with_attempts(settings, [60.0, 0.0], status="running")
    with session_scope(settings) as s:
        s.execute(
            update(RunAttempt)
            .where(RunAttempt.run_id == running, RunAttempt.attempt == 2)
            .values(finished_at=None, status="running")
        )
    everything = policy.model_copy(update={"transcript_retention_all": True})
    report = storage.prune_transcripts(everything)
    assert (report.attempts, report.events) == (
        3,
        3 * per_attempt,
    )  # old_retried 2, archived_old 3, running 1
    assert _rows(settings, old_retried, 2) == 0 and _rows(settings, archived_old, 3) == 0
    assert _rows(settings, running, 2) == per_attempt
    assert _rows(settings, recent, 2) == per_attempt


def test_backup_keeps_archived_transcripts(settings: Settings, tmp_path: Path) -> None:
    from core.backup import restore

    run_id = _run_with_attempts(settings, [3.0, 1.0])
    before = {a: _pages(settings, run_id, a) for a in (1, 2)}
    storage.archive_attempt(settings, run_id, 1)
    backup_file = tmp_path / "horizon.backup"
    done = CliRunner().invoke(_cli(), ["backup", str(backup_file)], catch_exceptions=False)
    assert done.exit_code == 0 and "1 archived transcripts" in done.output, done.output

    if settings.effective_database_url.startswith("sqlite"):
        target = f"sqlite:///{(tmp_path / 'restored.db').as_posix()}"
        restored_dir = tmp_path / "restored-archive"
        result = restore(target, backup_file, archive_dir=restored_dir)
        assert result.manifest.archive_files == 1
        restored = Settings(
            database_url=target, data_dir=tmp_path / "restored-data", transcript_archive_dir=restored_dir
        )
        for attempt in (1, 2):
            assert _pages(restored, run_id, attempt) == before[attempt]
    else:
        # Restored over the same database (forced), with the archive folder emptied first.
        blob = settings.transcript_archive_root / blob_key(run_id, 1)
        blob.unlink()
        restore(
            settings.effective_database_url,
            backup_file,
            force=True,
            archive_dir=settings.transcript_archive_root,
        )
        from core.db import dispose_engines

        dispose_engines()
        assert blob.is_file()
        for attempt in (1, 2):
            assert _pages(settings, run_id, attempt) == before[attempt]


def test_hostile_keys_never_leave_the_archive(settings: Settings, tmp_path: Path) -> None:
    for run_id, attempt in (("../../etc", 1), (-1, 1), (0, 1), (True, 1), (1, "../x"), (1.5, 1)):
        with pytest.raises(ValueError):
            blob_key(run_id, attempt)  # type: ignore[arg-type]
    for key in ("../x.jsonl.gz", "/etc/passwd", "runs/1/../../../x.jsonl.gz", "runs/1/1-1.jsonl.gz/..", ""):
        with pytest.raises(ArchiveError):
            check_key(key)
    # A folder of the archive that is a link out of it is refused too.
    outside = tmp_path / "outside"
    outside.mkdir()
    root = settings.transcript_archive_root
    (root / "runs").mkdir(parents=True)
    os.symlink(outside, root / "runs" / "7")
    with pytest.raises(ArchiveError):
        FilesystemStore(root).put(blob_key(7001, 1), b"x")
    assert list(outside.iterdir()) == []

    # A pointer row naming a path out of the archive (written by hand) reads as an empty page.
    secret = tmp_path / "secret.jsonl.gz"
    secret.write_bytes(b"not yours")
    run_id = _run_with_attempts(settings, [1.0])
    with session_scope(settings) as s:
        s.execute(delete(TranscriptEvent).where(TranscriptEvent.run_id == run_id))
        s.add(
            TranscriptArchive(
                run_id=run_id, attempt=1, state="archived", key="../../secret.jsonl.gz", events=1
            )
        )
    events, first = _pages(settings, run_id, 1)
    assert events == [] and first["total"] == 0
    with TestClient(_app(settings)) as client:
        answer = client.get(f"/api/runs/{run_id}/transcript?attempt=1")
        assert answer.status_code == 200 and answer.json()["events"] == []


def test_the_hourly_job_archives_then_applies_retention(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.celery_app import create_celery
    from workers.jobs import maintain_transcripts

    run_id = _run_with_attempts(settings, [40.0, 1.0])
    assert maintain_transcripts() == {"archived": 0, "removed": 0}  # neither is set: nothing
    monkeypatch.setenv("HORIZON_TRANSCRIPT_ARCHIVE", "true")
    monkeypatch.setenv("HORIZON_TRANSCRIPT_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    before = _pages(settings, run_id, 2)
    assert maintain_transcripts() == {"archived": 2, "removed": 1}
    assert _rows(settings, run_id, 1) == _rows(settings, run_id, 2) == 0
    assert not (settings.transcript_archive_root / blob_key(run_id, 1)).exists()
    assert _pages(settings, run_id, 2) == before
    schedule = create_celery(get_settings()).conf.beat_schedule
    assert schedule["maintain-transcripts"]["task"] == "transcripts.maintain"
