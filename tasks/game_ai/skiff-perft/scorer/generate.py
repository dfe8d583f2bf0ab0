"""Regenerates this task's data: python3 generate.py OUTDIR writes examples.txt (environment/:
public positions with their counts) and hidden.json (scorer/: the hidden positions and counts).
Deterministic (fixed seed). Counts come from skiff.py, the author's move generator (next to
this file; the same code as the reference solution).

Positions are reached by seeded random play from the opening, or are sparse random placements
with towers. The hidden set is chosen to exercise every rule: stones and towers, forced
captures where chains of different lengths compete (the majority rule), chains that turn back
through freed squares, promotion at the end of a move but not in the middle of a chain, and
sides with no legal move.
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import skiff  # noqa: E402

SEED = 77_031
START = "bbbbbbb/bbbbbbb/......./......./......./wwwwwww/wwwwwww"
NODE_CAP = 60_000  # leaf count at most this, so a plain Python generator is fast enough


def fmt(cells: list[str]) -> str:
    return "/".join("".join(cells[r * 7 : r * 7 + 7]) for r in range(7))


def played(rng: random.Random) -> tuple[list[str], str] | None:
    cells, side = skiff.parse(START), "w"
    for _ in range(rng.randint(4, 40)):
        kids = skiff.children(cells, side)
        if not kids:
            return None
        cells, side = rng.choice(kids), "b" if side == "w" else "w"
    return cells, side


def sparse(rng: random.Random) -> tuple[list[str], str]:
    cells = ["."] * 49
    for piece in rng.choices("wbWB", weights=(5, 5, 2, 2), k=rng.randint(6, 16)):
        sq = rng.randrange(49)
        row = sq // 7
        if (piece == "w" and row == 0) or (piece == "b" and row == 6):
            continue  # stones never stand on their own far row
        cells[sq] = piece
    return cells, rng.choice("wb")


def features(cells: list[str], side: str) -> set[str]:
    """What the root position exercises."""
    found = set()
    caps = [c for sq in range(49) if cells[sq].lower() == side for c, _ in skiff.chains(cells, sq, side)]
    if caps:
        found.add("capture")
        if len(set(caps)) > 1:
            found.add("majority")
        if max(caps) >= 3:
            found.add("long-chain")
    if any(p.isupper() for p in cells):
        found.add("tower")
    far = 0 if side == "w" else 6
    if any(cells[sq] == side and abs(sq // 7 - far) == 1 for sq in range(49)):
        found.add("promotion")
    return found


def pick_depth(cells: list[str], side: str) -> tuple[int, int] | None:
    best = None
    for depth in range(1, 7):
        count = skiff.perft(cells, side, depth)
        if count > NODE_CAP:
            break
        if count:
            best = (depth, count)
    return best if best and best[0] >= 2 else None


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    want = {"capture": 12, "majority": 6, "long-chain": 3, "tower": 8, "promotion": 6}
    chosen: list[dict] = [{"board": START, "side": "w", "depth": 3}]
    chosen[0]["count"] = skiff.perft(skiff.parse(START), "w", 3)
    have: dict[str, int] = dict.fromkeys(want, 0)
    plain = 0
    while len(chosen) < 36:
        pos = played(rng) if rng.random() < 0.6 else sparse(rng)
        if pos is None:
            continue
        cells, side = pos
        feats = features(cells, side)
        useful = any(have[f] < want[f] for f in feats)
        if not useful and plain >= 8 and any(have[f] < want[f] for f in want):
            continue
        depth = pick_depth(cells, side)
        if depth is None:
            continue
        plain += not useful
        for f in feats:
            have[f] += 1
        chosen.append({"board": fmt(cells), "side": side, "depth": depth[0], "count": depth[1]})
    public, hidden = chosen[:6], chosen[6:]
    out = Path(outdir)
    lines = ["# BOARD SIDE DEPTH COUNT"] + [f"{p['board']} {p['side']} {p['depth']} {p['count']}" for p in public]
    (out / "examples.txt").write_text("\n".join(lines) + "\n")
    (out / "hidden.json").write_text(json.dumps(hidden, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
