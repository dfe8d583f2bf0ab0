#!/usr/bin/env python3
"""Reference Tidepool bot: fixed-depth negamax alpha-beta (deterministic) with a transposition
table, captures-first move ordering, and an evaluation of captures plus seeds kept at home.

Protocol: reads `START S|N`, then `POSITION MOVER p0 .. p11 capS capN plies` lines (answers
each with a pit number) until `END`.
"""

import sys

PLY_LIMIT = 150
DEPTH = 12
WIN = 10_000


def play(pits, mover, pit):  # noqa: ANN001, ANN201
    board = list(pits)
    seeds, board[pit], pos = board[pit], 0, pit
    while seeds:
        pos = (pos + 1) % 12
        if pos == pit:
            continue
        board[pos] += 1
        seeds -= 1
    taken, cur = 0, pos
    for _ in range(6):
        if (cur < 6) == (pit < 6) or board[cur] == 0 or board[cur] % 2:
            break
        taken += board[cur]
        board[cur] = 0
        cur = (cur - 1) % 12
    return tuple(board), taken


def negamax(pits, diff, mover, plies, depth, alpha, beta, table):  # noqa: ANN001, ANN201
    """Value for `mover`; diff = mover's captures minus the opponent's."""
    lo = 0 if mover == 0 else 6
    moves = [i for i in range(lo, lo + 6) if pits[i]]
    if not moves:
        final = diff - sum(pits)
        return (WIN if final > 0 else -WIN if final < 0 else 0) + final
    if plies >= PLY_LIMIT:
        mine = sum(pits[lo : lo + 6])
        final = diff + 2 * mine - sum(pits)
        return (WIN if final > 0 else -WIN if final < 0 else 0) + final
    if depth == 0:
        mine = sum(pits[lo : lo + 6])
        return 4 * diff + (2 * mine - sum(pits)) + len(moves)
    key = (pits, mover)
    hit = table.get(key)
    first = None
    if hit is not None:
        first = hit
        moves.remove(first)
        moves.insert(0, first)
    best, best_move = -10**9, moves[0]
    for pit in moves:
        p2, taken = play(pits, mover, pit)
        v = -negamax(p2, -(diff + taken), 1 - mover, plies + 1, depth - 1, -beta, -alpha, table)
        if v > best:
            best, best_move = v, pit
        if v > alpha:
            alpha = v
        if alpha >= beta:
            break
    table[key] = best_move
    return best


def choose(pits, caps, mover, plies):  # noqa: ANN001, ANN201
    table: dict = {}
    diff = caps[mover] - caps[1 - mover]
    best = None
    for depth in range(2, DEPTH + 1):  # iterative deepening fills the move-ordering table
        negamax(pits, diff, mover, plies, depth, -10**9, 10**9, table)
        best = table.get((pits, mover), best)
    return best


def main() -> None:
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "START":
            continue
        if words[0] == "END":
            break
        mover = 0 if words[1] == "S" else 1
        nums = [int(w) for w in words[2:]]
        pits, caps, plies = tuple(nums[:12]), (nums[12], nums[13]), nums[14]
        print(choose(pits, caps, mover, plies), flush=True)


if __name__ == "__main__":
    main()
