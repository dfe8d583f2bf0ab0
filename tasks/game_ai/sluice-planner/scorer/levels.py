"""Random Sluice levels: a walled room split by a barrier whose gaps are doors or water, the
exit beyond it, crates, plates, ice and loose walls on the player's side. Shared by
generate.py (levels and their optimal lengths)."""

import random


def make(rng: random.Random) -> str:
    h, w = rng.randint(9, 11), rng.randint(13, 16)
    g = [["#"] * w] + [["#"] + ["."] * (w - 2) + ["#"] for _ in range(h - 2)] + [["#"] * w]
    b = rng.randint(w - 5, w - 3)
    for y in range(1, h - 1):
        g[y][b] = "#"
    gaps = rng.sample(range(1, h - 1), 2)
    kinds = rng.choice([("|", "~"), ("|", "|"), ("~", "~"), ("|", "#")])
    for y, k in zip(gaps, kinds):
        g[y][b] = k
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            if g[y][x] == ".":
                r = rng.random()
                if r < 0.13:
                    g[y][x] = "#"
                elif r < 0.30:
                    g[y][x] = "_"
    if rng.random() < 0.5:
        g[rng.randint(1, h - 2)][rng.randint(1, b - 1)] = "~"
    left = [(y, x) for y in range(1, h - 1) for x in range(1, b) if g[y][x] in "._"]
    right = [(y, x) for y in range(1, h - 1) for x in range(b + 1, w - 1) if g[y][x] in "._"]
    rng.shuffle(left)
    py, px = left.pop()
    g[py][px] = "@"
    ey, ex = rng.choice(right)
    g[ey][ex] = "E"
    for _ in range(rng.randint(3, 5)):
        y, x = left.pop()
        g[y][x] = "o"
    if any("|" in row for row in g):
        for _ in range(rng.randint(1, 3)):
            y, x = left.pop()
            g[y][x] = "+"
    return "\n".join("".join(r) for r in g) + "\n"
