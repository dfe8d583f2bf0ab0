"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes sample_report.txt (environment): the original report for month 2024-06 of the database
dataset.make_tables(2024), for the agent to compare against. The databases the scorer uses are
drawn by the same function at scoring time from the seeds in score.py.
"""

import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset import make_tables  # noqa: E402
from original_report import build_report  # noqa: E402
from storage import Store  # noqa: E402

SEED, MONTH = 2024, "2024-06"


def main(outdir: str) -> None:
    (Path(outdir) / "sample_report.txt").write_text(build_report(Store(make_tables(SEED)), MONTH))


if __name__ == "__main__":
    main(sys.argv[1])
