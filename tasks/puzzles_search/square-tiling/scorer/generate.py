"""Regenerates puzzles.txt for this task: python3 generate.py OUTDIR. Deterministic (fixed seed).

Each puzzle is a square cut into rectangles by random guillotine cuts and, now and then, a
pinwheel (four rectangles around a fifth) that no straight cut separates; the pieces are listed
shuffled, each with its sides in random order."""

import random
import sys
from pathlib import Path

SEED = 8
MIN_SIDE = 3
# (square side, number of pieces) per puzzle, easy to hard.
SHAPES = [
    (12, 6),
    (16, 8),
    (20, 10),
    (24, 12),
    (30, 13),
    (36, 14),
    (40, 15),
    (48, 16),
    (56, 16),
    (64, 17),
    (72, 17),
    (80, 18),
]


def pinwheel(rng: random.Random, x: int, y: int, w: int, h: int) -> list[tuple[int, int, int, int]] | None:
    """Five rectangles: four arms turning around a centre one, or None if too small."""
    if w < 3 * MIN_SIDE or h < 3 * MIN_SIDE:
        return None
    a = rng.randint(MIN_SIDE, w - 2 * MIN_SIDE)
    b = rng.randint(a + MIN_SIDE, w - MIN_SIDE)
    c = rng.randint(MIN_SIDE, h - 2 * MIN_SIDE)
    d = rng.randint(c + MIN_SIDE, h - MIN_SIDE)
    return [
        (x, y, b, c),
        (x + b, y, w - b, d),
        (x + a, y + d, w - a, h - d),
        (x, y + c, a, h - c),
        (x + a, y + c, b - a, d - c),
    ]


def cut(rng: random.Random, side: int, count: int) -> list[tuple[int, int, int, int]]:
    pieces = [(0, 0, side, side)]
    while len(pieces) < count:
        pieces.sort(key=lambda p: p[2] * p[3])
        x, y, w, h = pieces.pop(rng.randrange(len(pieces) // 2, len(pieces)))
        if len(pieces) + 5 <= count and rng.random() < 0.3:
            wheel = pinwheel(rng, x, y, w, h)
            if wheel:
                pieces += wheel
                continue
        vertical = w > h if w != h else rng.random() < 0.5
        length = w if vertical else h
        if length < 2 * MIN_SIDE:
            pieces.append((x, y, w, h))
            continue
        at = rng.randint(MIN_SIDE, length - MIN_SIDE)
        if vertical:
            pieces += [(x, y, at, h), (x + at, y, w - at, h)]
        else:
            pieces += [(x, y, w, at), (x, y + at, w, h - at)]
    return pieces


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    lines = []
    for number, (side, count) in enumerate(SHAPES, 1):
        pieces = cut(rng, side, count)
        rng.shuffle(pieces)
        lines.append(f"puzzle {number} side {side} pieces {len(pieces)}")
        for _, _, w, h in pieces:
            lines.append(f"{w} {h}" if rng.random() < 0.5 else f"{h} {w}")
    (Path(outdir) / "puzzles.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
