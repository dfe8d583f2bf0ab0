"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes scan_floor1.txt .. scan_floor5.txt (environment: one noisy 2D laser scan per floor, one
"x y" point per line, in metres), truth.json (scorer: for each floor the pose of its local grid,
every room as runs of 10 cm cells, every interior door) and answer.json (scorer: the truth as
an answer in the requested format, which the reference solution copies).

Each floor is drawn on a 10 cm grid: a rectangular or L-shaped footprint with a 30 cm outer
wall, split recursively into rooms by 10 or 20 cm walls; a few neighbouring rooms are merged by
removing the wall between them (L-, T- and Z-shaped rooms); doors (80-100 cm gaps through an
interior wall) connect the rooms along a random spanning tree plus some extra pairs. Furniture
(boxes, free-standing or against a wall) is placed in rooms; it belongs to the room but is
solid to the scanner. The scan samples every face between open space and something solid
(walls, door jambs, furniture) at about 40 points per metre with 15 mm Gaussian noise, drops
the glass of windows in the outer wall and random small occlusions, adds 0.5 % outliers, and
finally rotates and shifts the whole floor by a random rigid motion.
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 4_242_017
FLOORS = 5
CELL = 0.1
EXT, INT, FREE, DOOR, FURN, OUT = 1, 2, 0, 3, 4, 5


class Floor:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.w = rng.randint(150, 260)
        self.h = rng.randint(110, 180)
        m = 4
        self.W, self.H = self.w + 2 * m, self.h + 2 * m
        g = [[OUT] * self.W for _ in range(self.H)]
        self.grid = g
        cut = None
        if rng.random() < 0.6:
            cut = (
                rng.choice([0, 1]),
                rng.choice([0, 1]),
                rng.randint(40, self.w // 2),
                rng.randint(35, self.h // 2),
            )
        for y in range(m, m + self.h):
            for x in range(m, m + self.w):
                if cut and self._in_cut(x - m, y - m, cut):
                    continue
                g[y][x] = FREE
        # outer wall: free cells within 3 cells (either axis) of the outside
        for y in range(self.H):
            for x in range(self.W):
                if g[y][x] == FREE:
                    near = False
                    for dy in range(-3, 4):
                        for dx in range(-3, 4):
                            if g[y + dy][x + dx] == OUT:
                                near = True
                    if near:
                        g[y][x] = EXT
        self.m = m
        self.split(m + 3, m + 3, m + self.w - 3, m + self.h - 3, 0)
        self.label()
        self.merge()
        self.label()
        self.doors = self.place_doors()
        self.label()
        self.furnish()

    def _in_cut(self, x: int, y: int, cut: tuple[int, int, int, int]) -> bool:
        right, top, cw, ch = cut
        inx = x >= self.w - cw if right else x < cw
        iny = y >= self.h - ch if top else y < ch
        return inx and iny

    def split(self, x0: int, y0: int, x1: int, y1: int, depth: int) -> None:
        """Recursive split of the open box [x0, x1) x [y0, y1) by interior walls."""
        rng = self.rng
        w, h = x1 - x0, y1 - y0
        if (w < 60 and h < 60) or (depth >= 3 and rng.random() < 0.35):
            return
        t = rng.choice([1, 2, 2])
        vertical = w > h if abs(w - h) > 20 else rng.random() < 0.5
        if vertical and w < 60 or not vertical and h < 60:
            vertical = not vertical
        if vertical:
            s = rng.randint(x0 + 28, x1 - 28 - t)
            for y in range(y0, y1):
                for x in range(s, s + t):
                    if self.grid[y][x] == FREE:
                        self.grid[y][x] = INT
            self.split(x0, y0, s, y1, depth + 1)
            self.split(s + t, y0, x1, y1, depth + 1)
        else:
            s = rng.randint(y0 + 28, y1 - 28 - t)
            for y in range(s, s + t):
                for x in range(x0, x1):
                    if self.grid[y][x] == FREE:
                        self.grid[y][x] = INT
            self.split(x0, y0, x1, s, depth + 1)
            self.split(x0, s + t, x1, y1, depth + 1)

    def label(self) -> None:
        """Rooms: 4-connected components of FREE and FURN cells."""
        lab = [[-1] * self.W for _ in range(self.H)]
        sizes = []
        for y in range(self.H):
            for x in range(self.W):
                if self.grid[y][x] in (FREE, FURN) and lab[y][x] < 0:
                    k = len(sizes)
                    stack = [(x, y)]
                    lab[y][x] = k
                    n = 0
                    while stack:
                        cx, cy = stack.pop()
                        n += 1
                        for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                            if self.grid[ny][nx] in (FREE, FURN) and lab[ny][nx] < 0:
                                lab[ny][nx] = k
                                stack.append((nx, ny))
                    sizes.append(n)
        self.lab, self.sizes = lab, sizes

    def runs(self) -> dict[tuple[int, int], list[tuple[str, int, int, int, int]]]:
        """Stretches of interior wall with room a on one side and room b on the other:
        (orientation, wall start, wall thickness, along from, along to)."""
        found: dict[tuple[int, int], list] = {}
        g, lab = self.grid, self.lab
        for vertical in (True, False):
            cur: dict = {}
            outer = range(self.W) if vertical else range(self.H)
            for u in outer:
                for v in range(self.H if vertical else self.W):
                    x, y = (u, v) if vertical else (v, u)
                    if g[y][x] != INT:
                        continue
                    prev = (x - 1, y) if vertical else (x, y - 1)
                    if g[prev[1]][prev[0]] not in (FREE, FURN):
                        continue
                    t = 0
                    while True:
                        q = (x + t, y) if vertical else (x, y + t)
                        if g[q[1]][q[0]] != INT or t > 3:
                            break
                        t += 1
                    q = (x + t, y) if vertical else (x, y + t)
                    if g[q[1]][q[0]] not in (FREE, FURN):
                        continue
                    a, b = lab[prev[1]][prev[0]], lab[q[1]][q[0]]
                    key = (min(a, b), max(a, b))
                    cur.setdefault((key, u, t), []).append(v)
            for (key, u, t), vs in cur.items():
                vs.sort()
                start = vs[0]
                for i in range(1, len(vs) + 1):
                    if i == len(vs) or vs[i] != vs[i - 1] + 1:
                        found.setdefault(key, []).append(
                            ("v" if vertical else "h", u, t, start, vs[i - 1] + 1)
                        )
                        if i < len(vs):
                            start = vs[i]
        return found

    def carve(self, run: tuple[str, int, int, int, int], lo: int, hi: int, value: int) -> None:
        orient, u, t, _a, _b = run
        for v in range(lo, hi):
            for k in range(t):
                x, y = (u + k, v) if orient == "v" else (v, u + k)
                self.grid[y][x] = value

    def merge(self) -> None:
        pairs = sorted(self.runs().items())
        self.rng.shuffle(pairs)
        used: set[int] = set()
        merged = 0
        for (a, b), rs in pairs:
            if merged >= 2 or a in used or b in used:
                continue
            run = max(rs, key=lambda r: r[4] - r[3])
            if run[4] - run[3] >= 20 and self.rng.random() < 0.5:
                self.carve(run, run[3], run[4], FREE)
                used.update((a, b))
                merged += 1

    def place_doors(self) -> list[tuple[str, int, int, int, int]]:
        rng = self.rng
        pairs = sorted(self.runs().items())
        rng.shuffle(pairs)
        parent = list(range(len(self.sizes)))

        def find(i: int) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        doors = []
        chosen = []
        for (a, b), rs in pairs:
            good = [r for r in rs if r[4] - r[3] >= 16]
            if not good:
                continue
            if find(a) != find(b):
                parent[find(a)] = find(b)
                chosen.append(good)
            elif rng.random() < 0.25:
                chosen.append(good)
        for good in chosen:
            run = rng.choice(good)
            width = rng.choice([8, 9, 10])
            lo = rng.randint(run[3] + 3, run[4] - 3 - width)
            self.carve(run, lo, lo + width, DOOR)
            doors.append((run[0], run[1], run[2], lo, lo + width))
        return doors

    def furnish(self) -> None:
        rng = self.rng
        g = self.grid
        for k in range(len(self.sizes)):
            cells = [(x, y) for y in range(self.H) for x in range(self.W) if self.lab[y][x] == k]
            for _ in range(rng.randint(0, 3)):
                fw, fh = rng.randint(4, 20), rng.randint(4, 12)
                if rng.random() < 0.5:
                    fw, fh = fh, fw
                for _try in range(30):
                    x, y = rng.choice(cells)
                    box = [(xx, yy) for yy in range(y, y + fh) for xx in range(x, x + fw)]
                    if any(self.lab[yy][xx] != k or g[yy][xx] != FREE for xx, yy in box):
                        continue
                    ring = [(xx, yy) for yy in range(y - 6, y + fh + 6) for xx in range(x - 6, x + fw + 6)]
                    if any(
                        0 <= yy < self.H and 0 <= xx < self.W and g[yy][xx] in (DOOR, FURN) for xx, yy in ring
                    ):
                        continue
                    for xx, yy in box:
                        g[yy][xx] = FURN
                    break


def scan(floor: Floor, rng: random.Random) -> list[tuple[float, float]]:
    g = floor.grid
    open_ = (FREE, DOOR)
    edges = []  # (x0, y0, x1, y1, solid kind) in cell units
    for y in range(1, floor.H - 1):
        for x in range(1, floor.W - 1):
            if g[y][x] not in open_:
                continue
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                s = g[y + dy][x + dx]
                if s in (EXT, INT, FURN):
                    if dx:
                        ex = x + (1 if dx > 0 else 0)
                        edges.append((ex, y, ex, y + 1, s))
                    else:
                        ey = y + (1 if dy > 0 else 0)
                        edges.append((x, ey, x + 1, ey, s))
    windows = []
    ext_edges = [e for e in edges if e[4] == EXT]
    for _ in range(rng.randint(3, 7)):
        e = rng.choice(ext_edges)
        windows.append((e[0], e[1], rng.uniform(8, 16)))
    shadows = []
    for _ in range(rng.randint(40, 80)):
        e = rng.choice(edges)
        shadows.append((e[0], e[1], rng.uniform(1.5, 3.0)))
    pts = []
    for x0, y0, x1, y1, kind in edges:
        for _ in range(rng.choice([3, 4, 4, 5])):
            u = rng.random()
            px, py = x0 + u * (x1 - x0), y0 + u * (y1 - y0)
            if kind == EXT and any(abs(px - wx) + abs(py - wy) < r for wx, wy, r in windows):
                continue
            if any((px - sx) ** 2 + (py - sy) ** 2 < r * r for sx, sy, r in shadows):
                continue
            pts.append((px * CELL + rng.gauss(0, 0.015), py * CELL + rng.gauss(0, 0.015)))
    for _ in range(len(pts) // 200):
        pts.append((rng.uniform(0, floor.W * CELL), rng.uniform(0, floor.H * CELL)))
    rng.shuffle(pts)
    return pts


def room_runs(floor: Floor, k: int) -> list[list[int]]:
    runs = []
    for y in range(floor.H):
        row = floor.lab[y]
        x = 0
        while x < floor.W:
            if row[x] == k:
                s = x
                while x < floor.W and row[x] == k:
                    x += 1
                runs.append([y, s, x])
            else:
                x += 1
        # end row
    return runs


def room_ring(floor: Floor, k: int) -> list[tuple[int, int]]:
    """Outer boundary of room k on the cell lattice, counter-clockwise, corners only."""
    nxt: dict[tuple[int, int], list[tuple[int, int]]] = {}
    lab = floor.lab
    for y in range(floor.H):
        for x in range(floor.W):
            if lab[y][x] != k:
                continue
            for (dx, dy), (p, q) in (
                ((0, -1), ((x, y), (x + 1, y))),
                ((1, 0), ((x + 1, y), (x + 1, y + 1))),
                ((0, 1), ((x + 1, y + 1), (x, y + 1))),
                ((-1, 0), ((x, y + 1), (x, y))),
            ):
                if lab[y + dy][x + dx] != k:
                    nxt.setdefault(p, []).append(q)
    start = min(nxt)
    ring = [start]
    cur = nxt[start][0]
    while cur != start:
        ring.append(cur)
        cur = nxt[cur][0]
    out = []
    n = len(ring)
    for i in range(n):
        a, b, c = ring[i - 1], ring[i], ring[(i + 1) % n]
        if (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) != 0:
            out.append(b)
    return out


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    out = Path(outdir)
    truth: dict = {}
    answer: dict = {}
    for f in range(1, FLOORS + 1):
        floor = Floor(rng)
        theta = rng.uniform(0, 2 * math.pi)
        tx, ty = rng.uniform(-500, 500), rng.uniform(-500, 500)
        c, s = math.cos(theta), math.sin(theta)

        def world(x: float, y: float) -> tuple[float, float]:
            return (round(c * x - s * y + tx, 4), round(s * x + c * y + ty, 4))

        pts = [world(x, y) for x, y in scan(floor, rng)]
        (out / f"scan_floor{f}.txt").write_text("".join(f"{x:.3f} {y:.3f}\n" for x, y in pts))
        rooms = list(range(len(floor.sizes)))
        doors = []
        for orient, u, t, lo, hi in floor.doors:
            mid_u, mid_v = u + t / 2, (lo + hi) / 2
            cx, cy = (mid_u, mid_v) if orient == "v" else (mid_v, mid_u)
            side_a = (int(u - 1), int(mid_v)) if orient == "v" else (int(mid_v), int(u - 1))
            side_b = (int(u + t), int(mid_v)) if orient == "v" else (int(mid_v), int(u + t))
            a, b = floor.lab[side_a[1]][side_a[0]], floor.lab[side_b[1]][side_b[0]]
            assert a >= 0 and b >= 0 and a != b
            doors.append(
                {
                    "rooms": [a, b],
                    "center": [round(cx * CELL, 4), round(cy * CELL, 4)],
                    "width_m": (hi - lo) * CELL,
                }
            )
        truth[f"floor{f}"] = {
            "theta": theta,
            "shift": [tx, ty],
            "cell_m": CELL,
            "rooms": [room_runs(floor, k) for k in rooms],
            "doors": doors,
        }
        answer[f"floor{f}"] = {
            "rooms": [[list(world(x * CELL, y * CELL)) for x, y in room_ring(floor, k)] for k in rooms],
            "doors": [{"rooms": d["rooms"], "center": list(world(*d["center"]))} for d in doors],
        }
    (out / "truth.json").write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    (out / "answer.json").write_text(json.dumps(answer, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
