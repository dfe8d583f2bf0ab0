"""Draws a reporting database from a seed: make_tables(seed) returns {table name: [rows]}.

Two years of trade (2023-01-01 to 2024-12-31) of a wholesaler: regions, sales reps (some of
them managers), customers, products, orders, order lines and refunds. The hidden test databases
are drawn by this same function (the scorer has its own copy) from seeds you do not know.
"""

import datetime
import itertools
import random

REGIONS = ["North", "South", "East", "West", "Central", "Islands", "Border"]
CATEGORIES = ["tools", "fasteners", "paint", "garden", "lighting", "plumbing", "safety", "timber"]
REASONS = ["damaged", "late", "wrong item", "quality", "goodwill", "pricing error"]
CHANNELS = ["web", "phone", "store"]
SYLLABLES = ["ka", "lo", "mi", "ra", "te", "vo", "an", "bel", "cor", "dun", "el", "fa", "gri", "hol", "is", "jun"]
START = datetime.date(2023, 1, 1).toordinal()
DAYS = datetime.date(2024, 12, 31).toordinal() - START + 1


def _day(ordinal):
    return datetime.date.fromordinal(ordinal).isoformat()


def _word(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def make_tables(seed, customers=6000, products=900, orders=40000, reps=50):
    rng = random.Random(seed)
    tables = {"regions": [{"id": i + 1, "name": name} for i, name in enumerate(REGIONS)]}

    managers = list(range(1, 8))
    tables["reps"] = [
        {
            "id": i,
            "name": _word(rng, 2) + " " + _word(rng, 3),
            "region_id": rng.randint(1, len(REGIONS)),
            "manager_id": None if i in managers else rng.choice(managers),
            "active": rng.random() > 0.1,
        }
        for i in range(1, reps + 1)
    ]

    tables["customers"] = []
    for i in range(1, customers + 1):
        joined = START - 400 + int(rng.random() ** 0.7 * (DAYS + 400))
        tables["customers"].append(
            {
                "id": i,
                "name": _word(rng, rng.randint(2, 3)) + " " + rng.choice(["Ltd", "& Sons", "Trading", "Co", "Supplies"]),
                "region_id": rng.randint(1, len(REGIONS)),
                "rep_id": None if rng.random() < 0.12 else rng.randint(1, reps),
                "joined": _day(min(joined, START + DAYS - 1)),
                "status": "closed" if rng.random() < 0.08 else "active",
            }
        )
    # A few customers share a name with another one (the report must still tell them apart).
    for _ in range(customers // 200):
        a, b = rng.sample(tables["customers"], 2)
        b["name"] = a["name"]

    tables["products"] = [
        {
            "id": i,
            "sku": f"{rng.choice(CATEGORIES)[:3].upper()}-{rng.randint(0, 99999):05d}",
            "name": _word(rng, 2) + " " + rng.choice(["kit", "set", "pack", "unit", "roll", "box"]),
            "category": rng.choice(CATEGORIES),
            "list_cents": rng.randint(99, 250_00),
            "discontinued": rng.random() < 0.07,
        }
        for i in range(1, products + 1)
    ]
    popular = [p["id"] for p in tables["products"]]
    product_weights = list(itertools.accumulate(rng.random() ** 3 for _ in popular))

    tables["orders"], tables["lines"], tables["refunds"] = [], [], []
    busy = list(itertools.accumulate(rng.random() ** 2 for _ in range(customers)))
    everyone = range(1, customers + 1)
    placed_days = sorted(rng.randrange(DAYS) for _ in range(orders))
    for i, day in enumerate(placed_days, start=1):
        if rng.random() < 0.03:  # entered late: a small id out of step with its date
            day = max(0, day - rng.randint(20, 90))
        customer = rng.choices(everyone, cum_weights=busy)[0]
        status = rng.choices(["shipped", "placed", "cancelled"], weights=[85, 9, 6])[0]
        tables["orders"].append(
            {"id": i, "customer_id": customer, "placed": _day(START + day), "status": status, "channel": rng.choice(CHANNELS)}
        )
        for product in rng.choices(popular, cum_weights=product_weights, k=rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8])):
            line_id = len(tables["lines"]) + 1
            unit = tables["products"][product - 1]["list_cents"]
            qty = rng.choice([1, 1, 1, 2, 3, 4, 6, 10, 12, 25])
            discount = rng.choice([0, 0, 0, 0, 5, 10, 15, 25])
            tables["lines"].append(
                {"id": line_id, "order_id": i, "product_id": product, "qty": qty, "unit_cents": unit, "discount_pct": discount}
            )
            if rng.random() < 0.05:
                net = qty * unit * (100 - discount) // 100
                tables["refunds"].append(
                    {
                        "id": len(tables["refunds"]) + 1,
                        "line_id": line_id,
                        "cents": rng.choice([net, net // 2, max(1, net // 10)]),
                        "reason": rng.choice(REASONS),
                        "day": _day(START + day + rng.randint(1, 45)),
                    }
                )
    return tables
