#!/usr/bin/env python3
"""Sluice: the rules (a simulator over bitmask states) and an optimal solver (breadth-first
search over (player, crates, water) states, so the first solution found is a shortest one).

Solver use: python3 sluice.py < LEVEL   prints a shortest solution (a string of U D L R), or
`none` when the level has no solution.
"""

import sys
from collections import deque

DIRS = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}


class Level:
    def __init__(self, text: str) -> None:
        rows = [r for r in text.splitlines() if r.strip()]
        self.h, self.w = len(rows), max(len(r) for r in rows)
        grid = [r.ljust(self.w, "#") for r in rows]
        self.wall = self.ice = self.plates = self.doors = 0
        self.crates = self.water = 0
        self.player = self.exit = -1
        for y, row in enumerate(grid):
            for x, ch in enumerate(row):
                i, bit = y * self.w + x, 1 << (y * self.w + x)
                if ch == "#":
                    self.wall |= bit
                elif ch == "_":
                    self.ice |= bit
                elif ch == "~":
                    self.water |= bit
                elif ch == "o":
                    self.crates |= bit
                elif ch == "O":
                    self.crates |= bit
                    self.plates |= bit
                elif ch == "+":
                    self.plates |= bit
                elif ch == "|":
                    self.doors |= bit
                elif ch == "@":
                    self.player = i
                elif ch == "E":
                    self.exit = i
                elif ch != ".":
                    raise ValueError(f"unknown cell {ch!r}")
        if self.player < 0 or self.exit < 0:
            raise ValueError("a level needs @ and E")

    def step(self, i: int, d: str) -> int:
        dy, dx = DIRS[d]
        y, x = divmod(i, self.w)
        y, x = y + dy, x + dx
        return y * self.w + x if 0 <= y < self.h and 0 <= x < self.w else -1

    def doors_open(self, crates: int) -> bool:
        return self.plates & crates == self.plates

    def move(self, state: tuple[int, int, int], d: str) -> tuple[int, int, int] | None:
        """The state after pressing d, or None when the press is not allowed (nothing moves)."""
        player, crates, water = state
        closed = 0 if self.doors_open(crates) else self.doors
        nxt = self.step(player, d)
        if nxt < 0:
            return None
        nb = 1 << nxt
        if nb & (self.wall | water | closed):
            return None
        if nb & crates:
            dest = self.step(nxt, d)
            if dest < 0:
                return None
            db = 1 << dest
            if db & (self.wall | crates | self.doors) or dest == self.exit:
                return None
            crates &= ~nb
            while True:  # the crate moves one cell, then slides on while it stands on ice
                if db & water:
                    water &= ~db
                    break
                if not db & self.ice:
                    crates |= db
                    break
                ahead = self.step(dest, d)
                ab = 1 << ahead if ahead >= 0 else 0
                if ahead < 0 or ab & (self.wall | crates | self.doors) or ahead == self.exit:
                    crates |= db
                    break
                dest, db = ahead, ab
            player = nxt
        else:
            player = nxt
            while (1 << player) & self.ice:  # the player slides on ice (not after a push)
                ahead = self.step(player, d)
                if ahead < 0:
                    break
                ab = 1 << ahead
                if ab & (self.wall | water | closed | crates):
                    break
                player = ahead
        if (1 << player) & self.doors and not self.doors_open(crates):
            return None  # a door may not close on the player
        return player, crates, water

    def start(self) -> tuple[int, int, int]:
        return self.player, self.crates, self.water


def solve(level: Level, limit: int = 5_000_000) -> tuple[str | None, int]:
    """A shortest solution and the number of states expanded."""
    start = level.start()
    if start[0] == level.exit:
        return "", 0
    parent: dict[tuple[int, int, int], tuple[tuple[int, int, int], str] | None] = {start: None}
    queue = deque([start])
    expanded = 0
    while queue and expanded < limit:
        state = queue.popleft()
        expanded += 1
        for d in "UDLR":
            new = level.move(state, d)
            if new is None or new in parent:
                continue
            parent[new] = (state, d)
            if new[0] == level.exit:
                path = []
                cur: tuple[int, int, int] | None = new
                while parent[cur] is not None:
                    prev, step = parent[cur]  # type: ignore[misc]
                    path.append(step)
                    cur = prev
                return "".join(reversed(path)), expanded
            queue.append(new)
    return None, expanded


if __name__ == "__main__":
    answer, _ = solve(Level(sys.stdin.read()))
    print(answer if answer is not None else "none")
