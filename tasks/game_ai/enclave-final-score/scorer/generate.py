"""Regenerates this task's data: python3 generate.py OUTDIR writes board.txt (environment/) and
truth.json (scorer/). Deterministic (fixed seed).

A finished 15x15 board of the game Enclave, drawn at random (about a quarter empty points, with
empty points clustered so that real territories form). Redrawn until the naive count (stones plus
territory, ignoring smothered groups) names the other player as the winner, and the true margin
is not zero, so only the full rules give the right answer.
"""

import json
import random
import sys
from pathlib import Path

SEED = 40_217
N = 15


def regions(board: list[list[str]], want: str) -> list[list[tuple[int, int]]]:
    """Orthogonally connected regions of points holding `want`."""
    seen: set[tuple[int, int]] = set()
    out = []
    for r in range(N):
        for c in range(N):
            if board[r][c] != want or (r, c) in seen:
                continue
            stack, group = [(r, c)], []
            seen.add((r, c))
            while stack:
                y, x = stack.pop()
                group.append((y, x))
                for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < N and 0 <= nx < N and board[ny][nx] == want and (ny, nx) not in seen:
                        seen.add((ny, nx))
                        stack.append((ny, nx))
            out.append(group)
    return out


def neighbours(board: list[list[str]], group: list[tuple[int, int]]) -> set[str]:
    found = set()
    for y, x in group:
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < N and 0 <= nx < N:
                found.add(board[ny][nx])
    return found


def score(board: list[list[str]], smother: bool) -> dict[str, int]:
    points = {"X": 0, "O": 0}
    for region in regions(board, "."):
        owners = neighbours(board, region) - {"."}
        if len(owners) == 1:
            points[owners.pop()] += len(region)
    for player, other in (("X", "O"), ("O", "X")):
        for group in regions(board, player):
            smothered = smother and "." not in neighbours(board, group)
            points[other if smothered else player] += len(group)
    return points


def draw(rng: random.Random) -> list[list[str]]:
    board = [[rng.choice("XO") for _ in range(N)] for _ in range(N)]
    for _ in range(rng.randint(14, 20)):  # empty blobs
        y, x = rng.randrange(N), rng.randrange(N)
        for _ in range(rng.randint(2, 9)):
            board[y][x] = "."
            y = min(N - 1, max(0, y + rng.choice((-1, 0, 1))))
            x = min(N - 1, max(0, x + rng.choice((-1, 0, 1))))
    for _ in range(rng.randint(20, 40)):  # patches of one colour around some blobs
        y, x, p = rng.randrange(N), rng.randrange(N), rng.choice("XO")
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                if 0 <= y + dy < N and 0 <= x + dx < N and board[y + dy][x + dx] != ".":
                    board[y + dy][x + dx] = p
    return board


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    while True:
        board = draw(rng)
        naive, true = score(board, False), score(board, True)
        naive_margin, margin = naive["X"] - naive["O"], true["X"] - true["O"]
        if margin and naive_margin * margin < 0 and abs(margin) >= 3:
            break
    out = Path(outdir)
    (out / "board.txt").write_text("".join("".join(row) + "\n" for row in board))
    winner = "X" if margin > 0 else "O"
    truth = {"answer": f"{winner} {abs(margin)}", "scores": true, "naive_scores": naive}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
