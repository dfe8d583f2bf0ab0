"""Tidepool: the rules, the match referee and the hidden fixed-strategy opponents.

State: (pits, caps, mover, plies): pits a tuple of 12 counts (South owns 0-5, North 6-11, sowing
runs 0 -> 11 -> 0), caps a (south, north) pair of captured seeds, mover 0 (South) or 1 (North).
"""

from __future__ import annotations

import random
import subprocess
import sys
import time

PLY_LIMIT = 150
MOVE_TIMEOUT_S = 3.0


def own(mover: int) -> range:
    return range(0, 6) if mover == 0 else range(6, 12)


def legal(pits: tuple[int, ...], mover: int) -> list[int]:
    return [i for i in own(mover) if pits[i]]


def play(pits: tuple[int, ...], caps: tuple[int, int], mover: int, pit: int) -> tuple[tuple[int, ...], tuple[int, int]]:
    """Sow from pit, then capture backwards from the last pit while counts are even."""
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
    c = list(caps)
    c[mover] += taken
    return tuple(board), (c[0], c[1])


def finished(pits: tuple[int, ...], caps: tuple[int, int], mover: int, plies: int) -> tuple[int, int] | None:
    """Final captures when the game is over before `mover` moves, else None."""
    if not legal(pits, mover):
        c = list(caps)
        c[1 - mover] += sum(pits)
        return c[0], c[1]
    if plies >= PLY_LIMIT:
        return caps[0] + sum(pits[0:6]), caps[1] + sum(pits[6:12])
    return None


def start(opening: int) -> tuple[tuple[int, ...], tuple[int, int], int, int]:
    """The opening position of a match game: four seeds a pit, then `opening` random plies
    (seeded) already played; no captures can happen that early."""
    pits, caps, mover = (4,) * 12, (0, 0), 0
    rng = random.Random(9_000 + opening)
    for _ in range(2):
        pits, caps = play(pits, caps, mover, rng.choice(legal(pits, mover)))
        mover = 1 - mover
    return pits, caps, mover, 2


# ---- the hidden opponents ---------------------------------------------------------------


def search(pits, caps, mover, plies, depth, alpha, beta, weight):  # noqa: ANN001, ANN201
    """Negamax alpha-beta value for `mover`: capture difference (+ weight * seeds on own side)."""
    end = finished(pits, caps, mover, plies)
    if end is not None:
        diff = end[mover] - end[1 - mover]
        return 1000 * (diff > 0) - 1000 * (diff < 0) + diff
    if depth == 0:
        mine = sum(pits[i] for i in own(mover))
        return caps[mover] - caps[1 - mover] + weight * (2 * mine - sum(pits))
    best = -10**9
    for pit in legal(pits, mover):
        p2, c2 = play(pits, caps, mover, pit)
        v = -search(p2, c2, 1 - mover, plies + 1, depth - 1, -beta, -alpha, weight)
        if v > best:
            best = v
        if v > alpha:
            alpha = v
        if alpha >= beta:
            break
    return best


class Opponent:
    def __init__(self, kind: str, seed: int) -> None:
        self.kind, self.rng = kind, random.Random(seed)

    def choose(self, pits, caps, mover, plies) -> int:  # noqa: ANN001
        moves = legal(pits, mover)
        if self.kind == "drifter":
            return self.rng.choice(moves)
        if self.kind == "grabber":
            return max(moves, key=lambda m: play(pits, caps, mover, m)[1][mover])
        depth, weight = {"planner3": (3, 0.0), "planner5": (5, 0.25), "planner7": (7, 0.25)}[self.kind]
        best, best_v = moves[0], -10**9
        for pit in moves:
            p2, c2 = play(pits, caps, mover, pit)
            v = -search(p2, c2, 1 - mover, plies + 1, depth - 1, -10**9, -best_v, weight)
            if v > best_v:
                best, best_v = pit, v
        return best


# ---- the referee ------------------------------------------------------------------------


class BotProcess:
    """The agent's bot in a child process, one per game, speaking the line protocol."""

    def __init__(self, command: list[str], side: str) -> None:
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1
        )
        self.send(f"START {side}")

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def ask(self, line: str, timeout: float) -> str | None:
        import selectors

        self.send(line)
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                return None
            reply = self.proc.stdout.readline()
            if not reply:
                return None
            if reply.strip():
                return reply.strip()

    def close(self) -> None:
        try:
            self.send("END")
        except (BrokenPipeError, OSError):
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def game(command: list[str], opponent: Opponent, bot_side: int, opening: int) -> tuple[float, str]:
    """One game; returns the bot's points (1 win, 0.5 draw, 0 loss) and a line of description."""
    pits, caps, mover, plies = start(opening)
    bot = BotProcess(command, "S" if bot_side == 0 else "N")
    try:
        while True:
            end = finished(pits, caps, mover, plies)
            if end is not None:
                diff = end[bot_side] - end[1 - bot_side]
                return (1.0 if diff > 0 else 0.5 if diff == 0 else 0.0), f"{end[bot_side]}-{end[1 - bot_side]}"
            if mover == bot_side:
                state = " ".join(map(str, (*pits, *caps, plies)))
                reply = bot.ask(f"POSITION {'S' if mover == 0 else 'N'} {state}", MOVE_TIMEOUT_S)
                if reply is None or not reply.isdigit() or int(reply) not in legal(pits, mover):
                    return 0.0, f"forfeit at ply {plies}: reply {reply!r}"[:80]
                pit = int(reply)
            else:
                pit = opponent.choose(pits, caps, mover, plies)
            pits, caps = play(pits, caps, mover, pit)
            mover, plies = 1 - mover, plies + 1
    finally:
        bot.close()


def match(command: list[str], ladder: list[str], openings: list[int]) -> list[tuple[str, int, int, float, str]]:
    results = []
    for kind in ladder:
        for opening in openings:
            for side in (0, 1):
                pts, desc = game(command, Opponent(kind, 1_000 * opening + side), side, opening)
                results.append((kind, opening, side, pts, desc))
                print(f"{kind:9s} opening {opening} bot {'S' if side == 0 else 'N'}: {pts} ({desc})", flush=True)
    return results


if __name__ == "__main__":
    match([sys.executable, sys.argv[1]], sys.argv[2].split(","), [int(x) for x in sys.argv[3].split(",")])
