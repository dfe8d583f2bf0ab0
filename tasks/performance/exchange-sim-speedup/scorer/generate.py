"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes sample_events.txt (environment: a 3,000-event log drawn like the hidden ones) and
sample_output.txt (environment: the original engine's output for it). The hidden logs are drawn
by workload.make_events at scoring time from the seeds in score.py.
"""

import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from original_engine import simulate  # noqa: E402
from workload import make_events  # noqa: E402

SEED = 1_987


def main(outdir: str) -> None:
    events = make_events(SEED, 3000)
    (Path(outdir) / "sample_events.txt").write_text("\n".join(events) + "\n")
    (Path(outdir) / "sample_output.txt").write_text("\n".join(simulate(events)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
