"""Published horizons stored as an overlay: CI columns read by the analysis package, and bad input
stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.errors import AnalysisInputError
from core.models import AnalysisResult
from core.services.overlays import import_published_horizons


def test_overlay_keeps_cis_and_marks_missing_bounds(session: Session, tmp_path: Path) -> None:
    csv = tmp_path / "published.csv"
    csv.write_text(
        "alias,p50,p50_ci_low,p50_ci_high,release_date\n"
        "old,1.0,0.5,2.0,2022-01-01\n"
        "mid,4.0,,8.0,2023-01-01\n"
        "new,16.0,8.0,32.0,2024-01-01\n"
    )
    row = import_published_horizons(session, csv, "Lab X")
    assert row.params == {"source": "published", "label": "Lab X", "file": "published.csv"}
    assert row.result is not None
    agents = {a["agent"]: a for a in row.result["agents"]}
    assert agents["old"]["p50_ci"] == [0.5, 2.0]
    assert agents["mid"]["p50_ci"] == [None, 8.0]  # an empty cell is no bound, not NaN
    assert agents["new"]["release_date"] == "2024-01-01"
    assert row.result["trend"]["doubling_days"] == pytest.approx(182.6, rel=0.01)


def test_a_ci_that_is_not_a_number_stores_nothing(session: Session, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "agent,p50,p50q0.025,p50q0.975,release_date\n"
        "old,1.0,0.5,2.0,2022-01-01\n"
        "new,16.0,'; DROP TABLE runs,32.0,2024-01-01\n"
    )
    with pytest.raises(AnalysisInputError, match=r"p50q0.025 is not a number in row 2 \('new'\)"):
        import_published_horizons(session, csv, "Lab Y")
    assert session.scalar(select(func.count()).select_from(AnalysisResult)) == 0
