#!/usr/bin/env python3
"""Reference move generator for Skiff with a perft driver.

Reads lines `BOARD SIDE DEPTH` on standard input and prints one leaf count per line.
Squares are indexed 0..48, row 0 = rank 7 (the top line of BOARD), column 0 = file a.
"""

import sys

N = 7
ALL8 = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
# White moves up the board (towards row 0), Black down.
STEPS = {"w": [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1)], "b": [(1, -1), (1, 0), (1, 1), (0, -1), (0, 1)]}
FAR_ROW = {"w": 0, "b": N - 1}


def parse(board: str) -> list[str]:
    rows = board.split("/")
    if len(rows) != N or any(len(r) != N for r in rows):
        raise ValueError(f"bad board {board!r}")
    return [ch for row in rows for ch in row]


def chains(cells: list[str], sq: int, side: str) -> list[tuple[int, list[int]]]:
    """Every complete capture chain of the piece on sq: (captures, cells after) pairs, where the
    piece has been moved, captured pieces removed, and promotion applied."""
    piece = cells[sq]
    out: list[tuple[int, list[int]]] = []

    def walk(cur: int, board: list[str], count: int) -> None:
        y, x = divmod(cur, N)
        extended = False
        for dy, dx in ALL8:
            my, mx, ly, lx = y + dy, x + dx, y + 2 * dy, x + 2 * dx
            if not (0 <= ly < N and 0 <= lx < N):
                continue
            mid, land = my * N + mx, ly * N + lx
            if board[mid] != "." and board[mid].lower() != side and board[land] == ".":
                extended = True
                nxt = board[:]
                nxt[mid], nxt[cur], nxt[land] = ".", ".", piece
                walk(land, nxt, count + 1)
        if not extended and count:
            final = board[:]
            if piece == side and cur // N == FAR_ROW[side]:
                final[cur] = side.upper()
            out.append((count, final))

    walk(sq, cells, 0)
    return out


def children(cells: list[str], side: str) -> list[list[str]]:
    captures: list[tuple[int, list[str]]] = []
    for sq in range(N * N):
        if cells[sq].lower() == side:
            captures += chains(cells, sq, side)
    if captures:
        best = max(c for c, _ in captures)
        return [b for c, b in captures if c == best]
    out = []
    for sq in range(N * N):
        piece = cells[sq]
        if piece.lower() != side:
            continue
        y, x = divmod(sq, N)
        for dy, dx in ALL8 if piece.isupper() else STEPS[side]:
            ny, nx = y + dy, x + dx
            if 0 <= ny < N and 0 <= nx < N and cells[ny * N + nx] == ".":
                nxt = cells[:]
                nxt[sq] = "."
                nxt[ny * N + nx] = side.upper() if piece == side and ny == FAR_ROW[side] else piece
                out.append(nxt)
    return out


def perft(cells: list[str], side: str, depth: int) -> int:
    if depth == 0:
        return 1
    other = "b" if side == "w" else "w"
    kids = children(cells, side)
    if depth == 1:
        return len(kids)
    return sum(perft(k, other, depth - 1) for k in kids)


def main() -> None:
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        board, side, depth = parts[0], parts[1], int(parts[2])
        print(perft(parse(board), side, depth), flush=True)


if __name__ == "__main__":
    main()
