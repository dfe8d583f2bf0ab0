"""Per-agent horizons published elsewhere: the input of `horizon trend`, `forecast` and `backtest`.

Two forms:
- a CSV with `agent` (or `model`), `p50`, optionally `p80` and `release_date` (`runs_io.read_horizons`;
  METR's logistic-fits files qualify);
- METR's headline results YAML (`benchmark_results_*.yaml`): `results: {model: {release_date,
  metrics: {p50_horizon_length: {estimate}, p80_horizon_length: {estimate}}}}`.

Both are read whole and checked before anything uses them; a problem raises `AnalysisInputError`
naming the file and the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from analysis.bounded_yaml import load_yaml
from analysis.errors import AnalysisInputError
from analysis.runs_io import parse_date, read_horizons

YAML_SUFFIXES = (".yaml", ".yml")
# A horizons file lists models, not runs: far fewer than this.
MAX_PUBLISHED_AGENTS = 10_000


@dataclass(frozen=True)
class PublishedHorizons:
    """p50 (and p80 where given) in minutes and release dates, per agent."""

    p50: dict[str, float]
    release_dates: dict[str, date]
    p80: dict[str, float] = field(default_factory=dict)

    def metric(self, name: str) -> dict[str, float]:
        """The horizons of `name` ("p50" or "p80"); an error when the file has no p80."""
        if name == "p50":
            return dict(self.p50)
        if name == "p80" and self.p80:
            return dict(self.p80)
        raise AnalysisInputError(f"the horizons file has no {name} values")


def read_published_horizons(path: Path) -> PublishedHorizons:
    """Read a horizons CSV or METR's headline YAML (by the file's suffix)."""
    path = Path(path)
    if path.suffix.lower() in YAML_SUFFIXES:
        return _read_headline_yaml(path)
    import pandas as pd  # here only: every `horizon` command imports this module at start-up

    p50, dates = read_horizons(path)
    frame = pd.read_csv(path)  # read_horizons has checked the file and its agent column
    p80: dict[str, float] = {}
    if "p80" in frame.columns:
        agent_column = next(c for c in ("agent", "model", "alias") if c in frame.columns)
        for agent, value in zip(frame[agent_column].astype(str), frame["p80"], strict=True):
            number = pd.to_numeric(value, errors="coerce")
            if not pd.isna(number):
                p80[agent] = float(number)
    return PublishedHorizons(p50, dates, p80)


def _read_headline_yaml(path: Path) -> PublishedHorizons:
    if not path.is_file():
        raise AnalysisInputError(f"horizons file not found: {path}")
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AnalysisInputError(f"cannot parse horizons YAML {path}: {exc}") from exc
    results = loaded.get("results") if isinstance(loaded, dict) else None
    if not isinstance(results, dict) or not results:
        raise AnalysisInputError(f"{path}: expected METR's `results:` mapping of model to metrics")
    if len(results) > MAX_PUBLISHED_AGENTS:
        raise AnalysisInputError(f"{path}: more than {MAX_PUBLISHED_AGENTS} models")
    out = PublishedHorizons({}, {}, {})
    for model, entry in results.items():
        name = str(model)
        metrics = entry.get("metrics") if isinstance(entry, dict) else None
        if not isinstance(metrics, dict):
            raise AnalysisInputError(f"{path}: model {name!r} has no metrics mapping")
        p50 = _estimate(metrics, "p50_horizon_length", path, name)
        if p50 is None:
            raise AnalysisInputError(f"{path}: model {name!r} has no p50_horizon_length estimate")
        out.p50[name] = p50
        p80 = _estimate(metrics, "p80_horizon_length", path, name)
        if p80 is not None:
            out.p80[name] = p80
        if isinstance(entry, dict) and entry.get("release_date") is not None:
            out.release_dates[name] = parse_date(entry["release_date"], f"{path}: release date of {name!r}")
    return out


def _estimate(metrics: dict[str, Any], key: str, path: Path, model: str) -> float | None:
    block = metrics.get(key)
    if block is None:
        return None
    value = block.get("estimate") if isinstance(block, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise AnalysisInputError(f"{path}: {key} of {model!r} must be a non-negative number")
    return float(value)
