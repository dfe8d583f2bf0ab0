#!/usr/bin/env python3
"""Scorer for tidepool-bot: the agent's bot.py plays the hidden ladder (a random mover, a
greedy capturer, and alpha-beta players searching 3, 5 and 7 plies), two games per opening
(one on each side) on four hidden openings: 40 games. Win 1, draw 0.5, loss (or forfeit:
illegal reply, no reply within 3 s, crash) 0. Score = points / 40; threshold 0.9."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LADDER = ["drifter", "grabber", "planner3", "planner5", "planner7"]
OPENINGS = [101, 102, 103, 104]


def main() -> None:
    program = Path("bot.py")
    if not program.is_file():
        print("bot.py is missing")
        print(0.0)
        return
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    import tidepool

    results = tidepool.match([sys.executable, str(program.resolve())], LADDER, OPENINGS)
    points = sum(r[3] for r in results)
    for kind in LADDER:
        print(f"{kind}: {sum(r[3] for r in results if r[0] == kind)} of {2 * len(OPENINGS)}")
    print(f"{points} points of {len(results)}")
    print(round(points / len(results), 4))


main()
