"""Runs in and out: Inspect eval logs in (admins), METR's runs format out (readers).

Included before the runs router: `/api/runs/export` would otherwise be read as a run id.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from api.deps import Caller, SessionDep, admin, get_settings_dep, reader
from core.db import session_scope
from core.errors import InvalidInput
from core.importers.common import ImportProblem
from core.importers.inspect_log import MAX_SCORER_CHARS, read_inspect_log
from core.importers.sample_map import MAX_MAP_BYTES, parse_sample_map
from core.services.inspect_import import DEFAULT_THRESHOLD, InspectImportOptions, import_inspect_log
from core.services.run_export import ExportScope, export_jsonl, plan_export
from core.settings import Settings

router = APIRouter(prefix="/api", tags=["imports and exports"])
AgentName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
MAX_EXPORT_AGENTS = 100


@router.post("/imports/inspect")
def import_inspect(
    session: SessionDep,
    log: UploadFile = File(..., description="An Inspect eval log: .eval archive or .json."),
    mapping: UploadFile | None = File(
        None, description="CSV: sample_id, task_id, task_family, human_minutes, human_source."
    ),
    threshold: float = Query(DEFAULT_THRESHOLD, gt=0, le=1, description="Success at or above this score."),
    scorer: str | None = Query(None, min_length=1, max_length=MAX_SCORER_CHARS),
    agent: AgentName | None = Query(None, description="Agent name (default: '<model> (<solver>)')."),
    release_date: dt.date | None = Query(None, description="The agent's release date."),
    source: str | None = Query(None, min_length=1, max_length=300),
    settings: Settings = Depends(get_settings_dep),
    _: Caller = Depends(admin),
) -> dict[str, Any]:
    """Store an Inspect log's scored samples as completed runs of an external agent (admins).

    Samples map to tasks by id, or by the mapping file; tasks missing here are created as external
    tasks with the human time from the mapping or the sample's `human_minutes` metadata (none
    is made up: a task without one is stored and left out of fits). Idempotent: the same log
    again adds nothing. A bad log or mapping is a 422 and stores nothing; the body may be at most
    HORIZON_MAX_UPLOAD_BYTES (413).
    """
    options = InspectImportOptions(threshold=threshold, agent=agent, release_date=release_date, source=source)
    try:
        samples = parse_sample_map(mapping.file.read(MAX_MAP_BYTES + 1)) if mapping is not None else {}
        with tempfile.TemporaryDirectory(prefix="horizon-upload-") as tmp:
            path = Path(tmp) / "log"
            with path.open("wb") as out:
                shutil.copyfileobj(log.file, out)
            parsed = read_inspect_log(path, max_bytes=settings.max_upload_bytes, scorer=scorer)
        summary = import_inspect_log(session, parsed, samples, options)
    except ImportProblem as exc:
        raise InvalidInput(f"nothing imported: {exc}") from None
    return summary.as_json()


@router.get("/runs/export", response_class=StreamingResponse)
def export_runs(
    session: SessionDep,
    agent: Annotated[
        list[AgentName] | None, Query(max_length=MAX_EXPORT_AGENTS, description="Only these agents.")
    ] = None,
    include_unhealthy: bool = Query(
        False, description="Include task versions that failed their health check."
    ),
    settings: Settings = Depends(get_settings_dep),
    _: Caller = Depends(reader),
) -> StreamingResponse:
    """The runs a fit would use, in METR's runs format (JSON Lines, streamed): alias, task_id,
    task_family, run_id, human_minutes, human_source, score_cont, score_binarized and METR's
    equal_task_weight and invsqrt_task_weight (summing to 1 per agent)."""
    # Planned here, so that a query refused on bad input is an error answer, not a cut stream.
    plan = plan_export(session, ExportScope(agents=tuple(agent or ()), include_unhealthy=include_unhealthy))

    def lines() -> Iterator[str]:
        # Its own session: the response is streamed after the handler has returned.
        with session_scope(settings) as stream_session:
            yield from export_jsonl(stream_session, plan)

    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="runs.jsonl"'},
    )
