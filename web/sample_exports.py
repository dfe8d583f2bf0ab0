"""An analysis's bootstrap samples for download: the `bootstrap_samples` object of export.json, and
export-samples.csv in long format (agent, metric, replicate, value).

The samples are read from `analysis_samples` (core/services/analysis_samples.py), which holds at
most MAX_STORED_SAMPLES replicates x agents per metric, so both downloads are bounded; the CSV is
written one agent at a time as it is sent. Replicates are numbered from 0 (replicate i of a fit is
drawn from seed + i); an empty value is a replicate without a fit, `inf` an unbounded one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from core.errors import NotFound
from core.services.analysis_samples import SampleSet, load_samples, missing_note
from web.exports import csv_cell
from web.results import StoredResult

SAMPLES_CSV_COLUMNS = ("agent", "metric", "replicate", "value")


def _replicates(params: dict[str, Any]) -> int | None:
    """The bootstrap size an analysis asked for (None where its params do not say: imports)."""
    value = params.get("bootstrap")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def samples_json(session: Session, result: StoredResult) -> SampleSet | str:
    """{"p50": {agent: [...]}, "p80": {...}}, or the note saying why the analysis has none."""
    return load_samples(session, result.id) or missing_note(_replicates(result.params), len(result.agents))


def _csv_rows(samples: SampleSet) -> Iterator[str]:
    """The CSV text: the header, then one chunk per agent and metric."""
    yield ",".join(SAMPLES_CSV_COLUMNS) + "\n"
    for metric, agents in samples.items():
        for agent, values in agents.items():
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            name = csv_cell(agent)
            writer.writerows((name, metric, i, "" if v is None else v) for i, v in enumerate(values))
            yield buffer.getvalue()


def samples_csv(session: Session, result: StoredResult) -> Iterator[str]:
    """The samples as long-format CSV chunks; 404 saying why when the analysis has none."""
    samples = load_samples(session, result.id)
    if not samples:
        note = missing_note(_replicates(result.params), len(result.agents))
        raise NotFound(f"analysis #{result.id} has no bootstrap samples: {note}")
    return _csv_rows(samples)
