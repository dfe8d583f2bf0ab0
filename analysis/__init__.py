"""METR's time-horizon method, reproduced exactly and fast (docs/method.md).

Pure numpy/scipy code: no database, no HTTP. Modules:

- `table`     RunTable: validated columnar runs (agent, task, family, minutes, scores, weights)
- `runs_io`   reading runs (JSONL/CSV), release dates (YAML), horizons and bootstrap samples (CSV)
- `human_time` a task's human time: geometric mean of successful baselines, else an estimate
- `weights`   per-agent invsqrt / equal run weights
- `logistic`  weighted L2-regularised logistic fit: batched exact Newton ("fast") and
              scikit-learn compatibility ("sklearn"); horizons at any success rate
- `buckets`   weighted average score and success per human-time bucket
- `bootstrap` METR's three-level hierarchical bootstrap (bit-for-bit resampling order), CIs
- `trend`     frontier rule, doubling time, its bootstrap CI and median, date windows
- `report`    the whole pipeline (`run_analysis`, `analyze`, `run_trend`) and its JSON
- `simulate`  synthetic suites and agents with a known truth, study planning
- `compare`   paired comparison of two agents on shared tasks: ratio, CI, P(A > B)
- `forecast`  dates the frontier reaches 8/40/167 h with predictive intervals; backtests
- `published` per-agent horizons from a CSV or METR's headline results YAML
- `errors`    AnalysisInputError, raised for unusable input with messages naming rows/agents
"""

from analysis.errors import AnalysisInputError
from analysis.report import AnalysisParams, AnalysisReport, analyze, run_analysis, run_trend
from analysis.table import RunTable
from analysis.trend import DateWindow, parse_window

__all__ = [
    "AnalysisInputError",
    "AnalysisParams",
    "AnalysisReport",
    "DateWindow",
    "RunTable",
    "analyze",
    "parse_window",
    "run_analysis",
    "run_trend",
]
