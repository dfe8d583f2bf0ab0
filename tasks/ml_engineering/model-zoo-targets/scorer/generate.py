"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Five data sets, each with planted structure, so the best attainable score is known:
  glyphs     10 stroke glyphs (7x7) placed at a random offset on an 11x11 canvas, each pixel
             flipped with probability NOISE; Bayes classifier = sum over the 25 offsets.
  ratings    user-item ratings: mean + user bias + item bias + rank-4 factor product + N(0, 0.9).
  demand     30 shops' daily sales (Poisson) with trend, weekday profile, yearly cycle, promotion
             lift and holiday effects; forecast 28 days ahead (a holiday week included).
  sequences  strings over a-d; label = ((#a - #b) mod 3 == 0) XOR (contains "cdc"), 3% flipped.
  tabular    y = 2 sin(1.5 x0 x1) + 1.5|x2| - 0.8 x3^2 + 1.2 [x4 > 0.5] x5 + N(0, 0.5); x6-x9 noise.
Environment files: <set>_train.csv / <set>_test.csv (and demand_history.csv, demand_future.csv,
holidays.csv). Scorer files: <set>_truth.csv and targets.json (metric, direction, the score of
the true model on the test set, a trivial baseline's score, and the bar). oracle_<set>.csv
(scorer) are the true model's predictions, which the reference solution copies.
"""

import datetime as dt
import json
import math
import random
import sys
from pathlib import Path

SEED = 7_777_2026
OUT = Path(".")


def write(name: str, header: str, rows: list) -> None:
    lines = [header] + [",".join(str(v) for v in r) for r in rows]
    (OUT / name).write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- glyphs
NOISE, SIDE, CANVAS = 0.17, 7, 11


def glyph_templates(rng: random.Random) -> list[set[tuple[int, int]]]:
    shapes = []
    while len(shapes) < 10:
        cells: set[tuple[int, int]] = set()
        for _ in range(3):
            r, c = rng.randrange(SIDE), rng.randrange(SIDE)
            dr, dc = rng.choice([(0, 1), (1, 0), (1, 1), (1, -1)])
            for _ in range(rng.randint(3, 6)):
                if 0 <= r < SIDE and 0 <= c < SIDE:
                    cells.add((r, c))
                r, c = r + dr, c + dc
        if len(cells) >= 10 and all(len(cells ^ s) >= 8 for s in shapes):
            shapes.append(cells)
    return shapes


def glyphs(rng: random.Random) -> dict:
    shapes = glyph_templates(rng)
    shifts = [(dr, dc) for dr in range(CANVAS - SIDE + 1) for dc in range(CANVAS - SIDE + 1)]
    masks = [[sum(1 << ((r + dr) * CANVAS + c + dc) for r, c in s) for dr, dc in shifts] for s in shapes]

    def draw() -> tuple[int, int]:
        label = rng.randrange(10)
        img = rng.choice(masks[label])
        for bit in range(CANVAS * CANVAS):
            if rng.random() < NOISE:
                img ^= 1 << bit
        return label, img

    def bayes(img: int) -> int:
        ln_p, ln_q = math.log(NOISE), math.log(1 - NOISE)
        best, best_ll = 0, -1e300
        for label in range(10):
            lls = []
            for m in masks[label]:
                d = bin(img ^ m).count("1")
                lls.append(d * ln_p + (CANVAS * CANVAS - d) * ln_q)
            top = max(lls)
            ll = top + math.log(sum(math.exp(v - top) for v in lls))
            if ll > best_ll:
                best, best_ll = label, ll
        return best

    def pixels(img: int) -> str:
        return "".join("1" if img >> b & 1 else "0" for b in range(CANVAS * CANVAS))

    train = [draw() for _ in range(4000)]
    test = [draw() for _ in range(2000)]
    write("glyphs_train.csv", "id,label,pixels", [(f"g{i:05d}", y, pixels(x)) for i, (y, x) in enumerate(train)])
    write("glyphs_test.csv", "id,pixels", [(f"t{i:05d}", pixels(x)) for i, (_, x) in enumerate(test)])
    write("glyphs_truth.csv", "id,label", [(f"t{i:05d}", y) for i, (y, _) in enumerate(test)])
    oracle = [bayes(x) for _, x in test]
    write("oracle_glyphs.csv", "id,label", [(f"t{i:05d}", y) for i, y in enumerate(oracle)])
    acc = sum(o == y for o, (y, _) in zip(oracle, test)) / len(test)
    return {"metric": "accuracy", "higher_is_better": True, "true_model": round(acc, 4),
            "baseline": 0.1, "bar": round(acc - 0.04, 3)}


# ---------------------------------------------------------------- ratings
def ratings(rng: random.Random) -> dict:
    n_users, n_items, rank, sigma = 600, 300, 4, 0.9
    bu = [rng.gauss(0, 0.5) for _ in range(n_users)]
    bi = [rng.gauss(0, 0.6) for _ in range(n_items)]
    pu = [[rng.gauss(0, 0.75) for _ in range(rank)] for _ in range(n_users)]
    qi = [[rng.gauss(0, 0.75) for _ in range(rank)] for _ in range(n_items)]
    pop = [rng.paretovariate(1.5) for _ in range(n_items)]
    seen: set[tuple[int, int]] = set()
    rows = []
    for u in range(n_users):
        for _ in range(rng.randint(40, 140)):
            i = rng.choices(range(n_items), pop)[0]
            if (u, i) in seen:
                continue
            seen.add((u, i))
            mean = 3.4 + bu[u] + bi[i] + sum(a * b for a, b in zip(pu[u], qi[i]))
            rows.append((u, i, mean, round(mean + rng.gauss(0, sigma), 1)))
    rng.shuffle(rows)
    test, train = rows[:5000], rows[5000:]
    write("ratings_train.csv", "user,item,rating", [(f"u{u}", f"m{i}", r) for u, i, _, r in train])
    write("ratings_test.csv", "id,user,item", [(f"r{k:05d}", f"u{u}", f"m{i}") for k, (u, i, _, _) in enumerate(test)])
    write("ratings_truth.csv", "id,rating", [(f"r{k:05d}", r) for k, (_, _, _, r) in enumerate(test)])
    write("oracle_ratings.csv", "id,rating", [(f"r{k:05d}", round(m, 4)) for k, (_, _, m, _) in enumerate(test)])
    rmse = math.sqrt(sum((m - r) ** 2 for _, _, m, r in test) / len(test))
    avg = sum(r for *_, r in train) / len(train)
    base = math.sqrt(sum((avg - r) ** 2 for *_, r in test) / len(test))
    return {"metric": "rmse", "higher_is_better": False, "true_model": round(rmse, 4),
            "baseline": round(base, 4), "bar": round(rmse + 0.085, 3)}


# ---------------------------------------------------------------- demand
def poisson(rng: random.Random, lam: float) -> int:
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        p *= rng.random()
        k += 1
    return k


def demand(rng: random.Random) -> dict:
    start, days, horizon = dt.date(2023, 12, 1), 731, 28
    fixed = {(12, 24): ("christmas-eve", 1.9), (12, 25): ("christmas", 0.0), (12, 26): ("boxing-day", 1.5),
             (12, 31): ("new-years-eve", 1.4), (1, 1): ("new-year", 0.2)}
    moving = {dt.date(2024, 3, 29): ("good-friday", 0.5), dt.date(2025, 4, 18): ("good-friday", 0.5),
              dt.date(2024, 11, 29): ("black-friday", 2.4), dt.date(2025, 11, 28): ("black-friday", 2.4)}
    holidays: dict[dt.date, tuple[str, float]] = dict(moving)
    for year in (2023, 2024, 2025, 2026):
        for (m, d), v in fixed.items():
            holidays[dt.date(year, m, d)] = v
    end = start + dt.timedelta(days=days + horizon)
    write("holidays.csv", "date,name", sorted((d.isoformat(), n) for d, (n, _) in holidays.items() if start <= d < end))
    history, future, truth, oracle = [], [], [], []
    err_true, err_naive = 0.0, 0.0
    for s in range(30):
        base = rng.uniform(15, 120)
        trend = rng.uniform(-0.15, 0.3)
        week = [rng.uniform(0.7, 1.1) for _ in range(5)] + [rng.uniform(1.1, 1.6), rng.uniform(0.4, 1.2)]
        amp, phase = rng.uniform(0.05, 0.35), rng.uniform(0, 365)
        lift = rng.uniform(1.2, 1.7)
        last_week: list[int] = []
        for t in range(days + horizon):
            day = start + dt.timedelta(days=t)
            promo = 1 if rng.random() < 0.08 else 0
            lam = base * math.exp(trend * t / 365) * week[day.weekday()]
            lam *= 1 + amp * math.sin(2 * math.pi * (day.timetuple().tm_yday - phase) / 365)
            lam *= (lift if promo else 1.0) * holidays.get(day, ("", 1.0))[1]
            sales = poisson(rng, lam)
            if t < days:
                history.append((f"s{s:02d}", day.isoformat(), sales, promo))
                last_week = (last_week + [sales])[-7:]
            else:
                rid = f"f{len(future):04d}"
                future.append((rid, f"s{s:02d}", day.isoformat(), promo))
                truth.append((rid, sales))
                oracle.append((rid, round(lam, 3)))
                err_true += abs(lam - sales)
                err_naive += abs(last_week[(t - days) % 7] - sales)
    write("demand_history.csv", "series,date,sales,promo", history)
    write("demand_future.csv", "id,series,date,promo", future)
    write("demand_truth.csv", "id,sales", truth)
    write("oracle_demand.csv", "id,sales", oracle)
    mae, naive = err_true / len(truth), err_naive / len(truth)
    return {"metric": "mae", "higher_is_better": False, "true_model": round(mae, 4),
            "baseline": round(naive, 4), "bar": round(mae * 1.08, 3)}


# ---------------------------------------------------------------- sequences
def sequences(rng: random.Random) -> dict:
    def rule(seq: str) -> int:
        return int(((seq.count("a") - seq.count("b")) % 3 == 0) != ("cdc" in seq))

    def draw() -> tuple[str, int, int]:
        seq = "".join(rng.choice("abcd") for _ in range(rng.randint(12, 40)))
        y = rule(seq)
        return seq, y, (1 - y if rng.random() < 0.03 else y)

    train = [draw() for _ in range(6000)]
    test = [draw() for _ in range(2000)]
    write("sequences_train.csv", "id,seq,label", [(f"q{i:05d}", s, y) for i, (s, _, y) in enumerate(train)])
    write("sequences_test.csv", "id,seq", [(f"x{i:05d}", s) for i, (s, _, _) in enumerate(test)])
    write("sequences_truth.csv", "id,label", [(f"x{i:05d}", y) for i, (_, _, y) in enumerate(test)])
    write("oracle_sequences.csv", "id,label", [(f"x{i:05d}", c) for i, (_, c, _) in enumerate(test)])
    acc = sum(c == y for _, c, y in test) / len(test)
    major = sum(y for _, _, y in test) / len(test)
    return {"metric": "accuracy", "higher_is_better": True, "true_model": round(acc, 4),
            "baseline": round(max(major, 1 - major), 4), "bar": 0.94}


# ---------------------------------------------------------------- tabular
def tabular(rng: random.Random) -> dict:
    def f(x: list[float]) -> float:
        return (2 * math.sin(1.5 * x[0] * x[1]) + 1.5 * abs(x[2]) - 0.8 * x[3] ** 2
                + 1.2 * (x[4] > 0.5) * x[5])

    def draw() -> tuple[list[float], float, float]:
        x = [round(rng.uniform(-2, 2), 3) for _ in range(10)]
        return x, f(x), f(x) + rng.gauss(0, 0.5)

    train = [draw() for _ in range(8000)]
    test = [draw() for _ in range(2000)]
    cols = ",".join(f"x{j}" for j in range(10))
    write("tabular_train.csv", f"id,{cols},y", [(f"a{i:05d}", *x, round(y, 4)) for i, (x, _, y) in enumerate(train)])
    write("tabular_test.csv", f"id,{cols}", [(f"b{i:05d}", *x) for i, (x, _, _) in enumerate(test)])
    write("tabular_truth.csv", "id,y", [(f"b{i:05d}", round(y, 4)) for i, (_, _, y) in enumerate(test)])
    write("oracle_tabular.csv", "id,y", [(f"b{i:05d}", round(m, 4)) for i, (_, m, _) in enumerate(test)])
    mse = sum((m - y) ** 2 for _, m, y in test) / len(test)
    avg = sum(y for *_, y in train) / len(train)
    base = sum((avg - y) ** 2 for *_, y in test) / len(test)
    return {"metric": "mse", "higher_is_better": False, "true_model": round(mse, 4),
            "baseline": round(base, 4), "bar": round(mse + 0.16, 3)}


def main(outdir: str) -> None:
    global OUT
    OUT = Path(outdir)
    rng = random.Random(SEED)
    targets = {}
    for name, make in (("glyphs", glyphs), ("ratings", ratings), ("demand", demand),
                       ("sequences", sequences), ("tabular", tabular)):
        targets[name] = make(random.Random(rng.getrandbits(64)))
    (OUT / "targets.json").write_text(json.dumps(targets, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
