"""Reading the analysis inputs from files.

- `read_runs(path) -> RunTable`: METR's runs format, JSON Lines (`.jsonl`, `.json`; one object
  per run) or CSV (`.csv`). Columns: `alias` or `agent`, `task_id`, `task_family`,
  `human_minutes`, `score_binarized`, optionally `score_cont` or `score`, stored weights
  `invsqrt_task_weight` / `equal_task_weight`, and `status`. Other columns are ignored; rows
  with a `fatal_error_from` (e.g. `usageLimits`) stay in, as in METR's fits, where running out
  of budget is a failure of the agent, not of the infrastructure.
- `read_release_dates(path) -> dict[str, date]`: YAML, either METR's `{date: {agent: date}}` or
  a flat `{agent: date}` mapping.
- `read_horizons(path) -> (p50 by agent, release date by agent)`: a CSV with `agent` (or
  `model`), `p50` and optionally `release_date` (METR's logistic fits files qualify).
- `read_bootstrap_samples(path) -> {agent: p50 per replicate}`: METR's bootstrap CSV, one row
  per replicate and `{agent}_p50` columns (other columns ignored).

Every problem raises `AnalysisInputError` naming the file and the offending line, row or agent.
pandas is imported only to read CSV files: `horizon analyze` on JSON Lines starts without it.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from analysis.bounded_yaml import load_yaml
from analysis.errors import AnalysisInputError, describe_items
from analysis.table import RUN_COLUMNS, RunTable

if TYPE_CHECKING:
    import pandas as pd

FloatArray = np.ndarray


def read_runs_frame(path: Path) -> pd.DataFrame:
    """The raw runs table of a JSON Lines or CSV file, rows in file order."""
    import pandas as pd  # only here and for CSV: `read_runs` of JSON Lines does without it

    records = _runs_records(path)
    return _read_csv(Path(path), "runs") if records is None else pd.DataFrame.from_records(records)


def read_runs(path: Path) -> RunTable:
    """Read and validate a runs file (see the module docstring)."""
    records = _runs_records(path)
    try:
        if records is None:
            return RunTable.from_frame(_read_csv(Path(path), "runs"))
        # The columns the table reads, as pandas' from_records builds them: NaN where a run lacks one.
        present = {name for name in RUN_COLUMNS if any(name in record for record in records)}
        columns = {name: [record.get(name, math.nan) for record in records] for name in present}
        return RunTable.from_columns(columns, len(records))
    except AnalysisInputError as exc:
        raise AnalysisInputError(f"{path}: {exc}") from exc


def _runs_records(path: Path) -> list[dict[str, Any]] | None:
    """The runs of a JSON Lines file, one dict each; None for a CSV file."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisInputError(f"runs file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return None
    if suffix not in (".jsonl", ".json", ".ndjson"):
        raise AnalysisInputError(f"runs file {path} must end in .jsonl, .json or .csv")
    try:  # text mode: \r\n and \r end lines as \n, as when iterating over the file
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise AnalysisInputError(f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    try:  # every line at once, as one JSON array: several times faster than a parse per line
        values: list[Any] = json.loads("[" + ",".join(line for _, line in numbered) + "]")
    except json.JSONDecodeError:
        values = []
    if len(values) != len(numbered):  # a bad line: parse line by line to name the first one
        values = [_parse_line(path, number, line) for number, line in numbered]
    for (number, _), value in zip(numbered, values, strict=True):
        _check_object(path, number, value)
    return values


def _parse_line(path: Path, number: int, line: str) -> Any:
    try:
        return _check_object(path, number, json.loads(line))
    except json.JSONDecodeError as exc:
        raise AnalysisInputError(f"{path}: line {number} is not valid JSON ({exc.msg})") from exc


def _check_object(path: Path, number: int, value: Any) -> Any:
    if not isinstance(value, dict):
        raise AnalysisInputError(f"{path}: line {number} is not a JSON object")
    return value


def parse_date(value: Any, what: str) -> date:
    """A date from a YAML/CSV value (date, datetime or ISO string); errors name `what`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise AnalysisInputError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)")


def read_release_dates(path: Path) -> dict[str, date]:
    """Release date per agent from a YAML file (METR's `date:` mapping or a flat mapping)."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisInputError(f"release dates file not found: {path}")
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AnalysisInputError(f"cannot parse release dates YAML {path}: {exc}") from exc
    if isinstance(loaded, dict) and isinstance(loaded.get("date"), dict):
        loaded = loaded["date"]
    if not isinstance(loaded, dict):
        raise AnalysisInputError(f"{path}: expected a mapping of agent to release date")
    return {
        str(agent): parse_date(value, f"{path}: release date of {agent!r}") for agent, value in loaded.items()
    }


def read_horizons(path: Path) -> tuple[dict[str, float], dict[str, date]]:
    """Per-agent p50 (minutes) and, where the file has them, release dates."""
    import pandas as pd

    frame = _read_csv(path, "horizons")
    agent_column = next((c for c in ("agent", "model", "alias") if c in frame.columns), None)
    missing = [
        name for name, ok in (("agent (or model)", agent_column), ("p50", "p50" in frame.columns)) if not ok
    ]
    if missing:
        raise AnalysisInputError(f"{path}: missing column(s) {', '.join(missing)}")
    assert agent_column is not None
    p50 = pd.to_numeric(frame["p50"], errors="coerce")
    bad = [f"row {i + 1} ({frame[agent_column].iloc[i]!r})" for i in np.flatnonzero(p50.isna().to_numpy())]
    if bad:
        raise AnalysisInputError(f"{path}: p50 is not a number in {describe_items(bad)}")
    agents = frame[agent_column].astype(str)
    duplicated = sorted(set(agents[agents.duplicated()]))
    if duplicated:
        raise AnalysisInputError(f"{path}: agent(s) listed twice: {describe_items(duplicated)}")
    horizons = {a: float(v) for a, v in zip(agents, p50, strict=True)}
    dates: dict[str, date] = {}
    if "release_date" in frame.columns:
        for agent, value in zip(agents, frame["release_date"], strict=True):
            if isinstance(value, float) and math.isnan(value) or value is None or str(value).strip() == "":
                continue
            dates[agent] = parse_date(value, f"{path}: release date of {agent!r}")
    return horizons, dates


# Columns of a p50's 95% interval, as METR's files name them or plainly.
HORIZON_CI_COLUMNS = (("p50q0.025", "p50q0.975"), ("p50_ci_low", "p50_ci_high"))


def read_horizon_cis(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """Per-agent p50 95% interval from a horizons file (empty when it has no CI columns); an
    empty cell is None. Read after `read_horizons`, which checks the agents and p50s."""
    import pandas as pd

    frame = _read_csv(path, "horizons")
    agent_column = next((c for c in ("agent", "model", "alias") if c in frame.columns), None)
    columns = next((pair for pair in HORIZON_CI_COLUMNS if set(pair) <= set(frame.columns)), None)
    if agent_column is None or columns is None:
        return {}
    bounds = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = np.flatnonzero((values.isna() & frame[column].notna()).to_numpy())
        if len(bad):
            rows = [f"row {i + 1} ({frame[agent_column].iloc[i]!r})" for i in bad]
            raise AnalysisInputError(f"{path}: {column} is not a number in {describe_items(rows)}")
        bounds.append([None if math.isnan(v) else float(v) for v in values])
    agents = frame[agent_column].astype(str)
    return {agent: (lo, hi) for agent, lo, hi in zip(agents, bounds[0], bounds[1], strict=True)}


def read_bootstrap_samples(path: Path) -> dict[str, FloatArray]:
    """Replicate p50s per agent from `{agent}_p50` columns (empty cells become NaN)."""
    import pandas as pd

    frame = _read_csv(path, "bootstrap samples")
    columns = [c for c in frame.columns if str(c).endswith("_p50")]
    if not columns:
        raise AnalysisInputError(f"{path}: no `<agent>_p50` columns")
    return {
        str(c)[: -len("_p50")]: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64)
        for c in columns
    }


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise AnalysisInputError(f"{what} file not found: {path}")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise AnalysisInputError(f"cannot read {what} CSV {path}: {exc}") from exc
