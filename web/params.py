"""Bounded path and query parameters, shared by every API route and web page.

They live in `web`, the lower of the two HTTP layers: `api.app` mounts the pages, so `api` may
import `web` and never the other way round (the layer contract in pyproject.toml).

An id or offset past a signed 64-bit integer overflowed in the SQLite driver (a 500); bounded here,
it is a 422 on every backend before any query runs. Ids stop at 2^31-1 (Integer columns, 32 bits on
PostgreSQL); offsets at 2^63-1 less the largest page. Body fields use `core.schemas.RowIdValue`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from core.schemas import MAX_ROW_ID

# Less the largest page size of any list (limit <= 1000), so offset + limit fits 64 bits too.
MAX_OFFSET = 2**63 - 1 - 1000
# Web pages number their pages from 1; page x page size must stay a valid offset.
MAX_PAGE = 1_000_000_000

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id (1 to 2^31-1).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
# A link's pinned analysis (`?analysis=`); None: the page's default analysis.
AnalysisRef = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description="An analysis id (1 to 2^31-1).")]
# A run's attempt (counted from 1); None: the default attempt (the page says which).
AttemptNumber = Annotated[
    int | None, Query(ge=1, le=MAX_ROW_ID, description="An attempt number, from 1 (default: the latest).")
]


def id_or_name(ref: str | None) -> int | str | None:
    """A query value naming a row by id (digits within the id range) or else by name."""
    # ASCII digits only ("²" is a digit to str.isdigit but not to int), and few enough of them.
    if ref and ref.isascii() and ref.isdigit() and len(ref) <= 10 and int(ref) <= MAX_ROW_ID:
        return int(ref)
    return ref
