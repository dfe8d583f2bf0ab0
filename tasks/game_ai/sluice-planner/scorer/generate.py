"""Regenerates this task's data: python3 generate.py OUTDIR writes public.txt (environment/:
example levels with a shortest solution each) and hidden.json (scorer/: the hidden levels with
their optimal lengths). Deterministic.

Levels come from levels.make() with the seeds 5_150_000 + i. The author scanned i = 0..149
once with sluice.py's breadth-first search (limit 1.2 million states) and kept the solvable
ones listed below; this script recomputes each listed level's optimal length with the same
search (about a minute in all), so the lengths are exact.
"""

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import levels  # noqa: E402
import sluice  # noqa: E402

BASE = 5_150_000
PUBLIC = [0, 3, 6, 4, 8, 5]
HIDDEN = [9, 47, 14, 60, 35, 132, 97, 96, 68, 32, 107, 104, 106, 39, 74, 134]


def main(outdir: str) -> None:
    out = Path(outdir)
    blocks = []
    for i in PUBLIC:
        text = levels.make(random.Random(BASE + i))
        solution, _ = sluice.solve(sluice.Level(text))
        assert solution is not None
        blocks.append(f"; level {i}: shortest solution {len(solution)} moves: {solution}\n{text}")
    (out / "public.txt").write_text("\n".join(blocks))
    hidden = []
    for i in HIDDEN:
        text = levels.make(random.Random(BASE + i))
        solution, states = sluice.solve(sluice.Level(text))
        assert solution is not None
        hidden.append({"seed_index": i, "level": text, "optimal": len(solution), "bfs_states": states})
    (out / "hidden.json").write_text(json.dumps(hidden, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
