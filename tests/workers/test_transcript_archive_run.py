"""Archive on finish, end to end: a real attempt (the `null` scaffold in a Docker sandbox) with
HORIZON_TRANSCRIPT_ARCHIVE on ends with its transcript in the archive, none of it left in rows,
and reads exactly as the events the attempt recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.models import TranscriptArchive, TranscriptEvent
from core.ownership import SYSTEM
from core.services.transcripts import transcript_page
from core.settings import Settings
from core.states import RunStatus
from core.transcript_archive import blob_key
from tests.factories import make_agent, make_batch, make_task


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_an_ended_attempt_moves_to_the_archive(db: str, tmp_path: Path, docker_backend: Any) -> None:
    from workers.run_executor import execute_claimed_run

    settings = Settings(database_url=db, data_dir=tmp_path / "data", transcript_archive=True)
    make_task("t1", settings=settings)
    agent = make_agent("null-agent", "null", settings=settings)
    _, (run_id,) = make_batch([agent], ["t1"], settings=settings)
    heard: list[dict[str, Any]] = []
    assert execute_claimed_run(run_id, settings, heard.append) == RunStatus.COMPLETED

    with session_scope(settings) as s:
        rows = s.scalar(
            select(func.count()).select_from(TranscriptEvent).where(TranscriptEvent.run_id == run_id)
        )
        pointer = s.scalar(select(TranscriptArchive).where(TranscriptArchive.run_id == run_id))
        assert rows == 0 and pointer is not None
        assert (pointer.state, pointer.key, pointer.events) == ("archived", blob_key(run_id, 1), len(heard))
        page = transcript_page(s, run_id, 0, 1000, reader=SYSTEM)
    assert (settings.transcript_archive_root / blob_key(run_id, 1)).is_file()
    assert page.attempt == 1 and page.total == len(heard) and not page.live and not page.removed
    assert [e["seq"] for e in page.events] == [e["seq"] for e in heard]
    assert [e["kind"] for e in page.events][-1] == "task_end"
