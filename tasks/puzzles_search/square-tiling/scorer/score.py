#!/usr/bin/env python3
"""Scorer for square-tiling: score = the fraction of the puzzles in scorer/puzzles.txt (the
scorer's own copy) that solution.json tiles exactly. Threshold 1: every puzzle."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_BYTES = 1_000_000


def read_puzzles() -> dict[str, tuple[int, list[tuple[int, int]]]]:
    puzzles: dict[str, tuple[int, list[tuple[int, int]]]] = {}
    current = ""
    for line in (HERE / "puzzles.txt").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "puzzle":
            current = parts[1]
            puzzles[current] = (int(parts[3]), [])
        elif parts:
            puzzles[current][1].append((int(parts[0]), int(parts[1])))
    return puzzles


def tiles(side: int, pieces: list[tuple[int, int]], placement: object) -> str:
    """'' when the placement covers the square exactly, else what is wrong."""
    if not isinstance(placement, list) or len(placement) != len(pieces):
        return "needs one [x, y, r] per piece"
    grid = [[False] * side for _ in range(side)]
    for index, ((w, h), entry) in enumerate(zip(pieces, placement)):
        if not (isinstance(entry, list) and len(entry) == 3 and all(type(v) is int for v in entry)):
            return f"piece {index}: not three integers"
        x, y, r = entry
        if r not in (0, 1):
            return f"piece {index}: r must be 0 or 1"
        if r:
            w, h = h, w
        if x < 0 or y < 0 or x + w > side or y + h > side:
            return f"piece {index} sticks out of the square"
        for row in grid[y : y + h]:
            if any(row[x : x + w]):
                return f"piece {index} overlaps another"
            row[x : x + w] = [True] * w
    return ""  # the pieces' areas add up to side * side, so no overlap means full cover


def main() -> None:
    puzzles = read_puzzles()
    path = Path("solution.json")
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        print("solution.json is missing or too large")
        print(0.0)
        return
    answer = json.loads(path.read_text(errors="replace"))
    if not isinstance(answer, dict):
        answer = {}
    solved = 0
    for number, (side, pieces) in puzzles.items():
        problem = tiles(side, pieces, answer.get(number)) if number in answer else "missing"
        print(f"puzzle {number}: {problem or 'tiled'}")
        solved += not problem
    print(round(solved / len(puzzles), 6))


try:
    main()
except (ValueError, OSError, RecursionError) as exc:
    # Whatever the agent left behind, a scorer must end with a score, never crash.
    print(f"could not check the agent's output: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
