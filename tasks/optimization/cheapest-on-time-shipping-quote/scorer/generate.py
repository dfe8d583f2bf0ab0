"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes quotes.csv (environment: 10 shipping quotes with price, transit time and weight limit) and
truth.json (scorer: the id of the cheapest quote that carries the shipment's weight and arrives
within the deadline, both stated in instructions.md). Quotes are redrawn until the answer is unique
and differs from the cheapest quote overall, the cheapest on-time quote ignoring weight, and the
cheapest quote heavy enough ignoring time, and until reading the limits strictly (fewer days than
the deadline, more capacity than the weight) gives a different quote, so the inclusive bounds matter.
"""

import json
import random
import sys
from pathlib import Path

SEED = 71_204
WEIGHT_KG = 340
DEADLINE_DAYS = 4
CARRIERS = [
    "Alder Freight", "Brisk Parcel", "Cobalt Logistics", "Dunmore Haulage", "Everline Cargo",
    "Fernway Express", "Granite Transport", "Harbourlink", "Ironbridge Carriers", "Juniper Post",
]


def draw(rng: random.Random) -> list[tuple[str, str, int, int, int]]:
    ids = rng.sample(range(100, 1000), len(CARRIERS))
    rows = []
    for cid, name in zip(ids, CARRIERS):
        days = rng.randint(1, 8)
        max_kg = rng.choice([150, 200, 250, 300, 340, 400, 500, 750, 1000])
        price = rng.randint(180, 900) + (8 - days) * 40
        rows.append((f"Q-{cid}", name, price, days, max_kg))
    return rows


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    while True:
        rows = draw(rng)
        ok = sorted((r for r in rows if r[3] <= DEADLINE_DAYS and r[4] >= WEIGHT_KG), key=lambda r: r[2])
        if len(ok) < 2 or ok[1][2] - ok[0][2] < 15:
            continue
        best = ok[0]
        cheapest = min(rows, key=lambda r: r[2])
        on_time = min((r for r in rows if r[3] <= DEADLINE_DAYS), key=lambda r: r[2])
        heavy = min((r for r in rows if r[4] >= WEIGHT_KG), key=lambda r: r[2])
        strict = [r for r in rows if r[3] < DEADLINE_DAYS and r[4] > WEIGHT_KG]
        strict_best = min(strict, key=lambda r: r[2]) if strict else None
        if best not in (cheapest, on_time, heavy) and strict_best != best and len({r[2] for r in rows}) == len(rows):
            break
    out = Path(outdir)
    lines = ["quote_id,carrier,price_eur,transit_days,max_weight_kg"] + [",".join(map(str, r)) for r in rows]
    (out / "quotes.csv").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(
        json.dumps({"answer": best[0], "carrier": best[1], "price_eur": best[2]}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
