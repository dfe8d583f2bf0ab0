"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes sample_records.json (environment: 500 records drawn like the hidden ones, for the agent
to test with). The hidden inputs are drawn by workload.make_records at scoring time from the
seeds in score.py.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import make_records  # noqa: E402

SEED = 7_331


def main(outdir: str) -> None:
    records = make_records(SEED, 500)
    (Path(outdir) / "sample_records.json").write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
