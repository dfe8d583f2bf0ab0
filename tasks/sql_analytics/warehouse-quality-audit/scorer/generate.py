"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes the warehouse dump (environment: dimensions.sql, fact_sales_1.sql .. fact_sales_3.sql,
fact_other.sql) and expected.csv (scorer: every finding, one row per check and key). A clean
retail warehouse for 2024 is generated first (every row consistent with every rule of
instructions.md); then anomalies are planted, one per row, each changed so that it breaks only
its own check (amounts are recomputed after a price, quantity or store change, and so on). The
inventory snapshots are computed from the final fact tables, so only planted snapshot errors break
the roll-forward; each such error breaks its own month and, except for the last month, the next.
expected.csv lists the planted keys; the reference solution (solution/audit.py, SQL plus Decimal
arithmetic) finds exactly these from the data alone.
"""

import random
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 90_412
CENT = Decimal("0.01")
OPEN_END = "9999-12-31"
REGIONS = {"north": ["2024-01-01:0.2100", "2024-07-01:0.2300"], "south": ["2024-01-01:0.1900"],
           "islands": ["2024-01-01:0.1600", "2024-04-01:0.1800", "2024-10-01:0.1700"]}
CATEGORIES = {"grocery": 10, "household": 20, "electronics": 15, "garden": 30, "toys": 25, "apparel": 40}
WORDS = ["Basic", "Prime", "Eco", "Max", "Mini", "Ultra", "Classic", "Smart", "Soft", "Rapid"]
NOUNS = ["Kettle", "Lamp", "Rake", "Shirt", "Puzzle", "Rice", "Soap", "Drill", "Hose", "Scarf", "Robot", "Tea"]
FIRST = ["Ana", "Bruno", "Carla", "Diogo", "Elsa", "Filipe", "Gil", "Helena", "Ivo", "Joana", "Luis", "Mara"]
LAST = ["Alves", "Braga", "Cunha", "Dias", "Esteves", "Faria", "Gomes", "Lopes", "Matos", "Neves"]


def q(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def dump(name: str, ddl: str, rows: list[tuple[object, ...]]) -> list[str]:
    out = [ddl] if ddl else []
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        out.append(f"INSERT INTO {name} VALUES\n" + ",\n".join("(" + ",".join(map(q, r)) + ")" for r in chunk) + ";")
    return out


def hu(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def dkey(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(366)]
    stores = []  # (store_id, name, region, opened_on, closed_on)
    for sid in range(1, 11):
        opened = "2019-05-01" if sid not in (9, 10) else ("2024-03-15" if sid == 9 else "2024-06-01")
        closed = "2024-09-30" if sid == 4 else None
        stores.append((sid, f"Store {sid:02d}", list(REGIONS)[sid % 3], opened, closed))
    rates = {r: [(v.split(":")[0], Decimal(v.split(":")[1])) for v in vs] for r, vs in REGIONS.items()}

    def rate(region: str, d: str) -> Decimal:
        return [rt for since, rt in rates[region] if since <= d][-1]

    def store_open(s: tuple, d: str) -> bool:
        return s[3] <= d and (s[4] is None or d <= s[4])

    products, prices = [], []
    for pid in range(101, 161):
        cat = rng.choice(list(CATEGORIES))
        products.append((pid, f"SKU-{pid * 7919 % 100000:05d}", f"{rng.choice(WORDS)} {rng.choice(NOUNS)}", cat))
        price = Decimal(rng.randint(99, 19999)) / 100
        start = "2023-06-01"
        changes = sorted(rng.sample(days[20:340], rng.randint(0, 3)))
        for ch in changes:
            prices.append((pid, start, ch.isoformat(), str(price)))
            start = ch.isoformat()
            price = hu(price * Decimal(rng.choice([90, 95, 105, 110, 115])) / 100)
        prices.append((pid, start, OPEN_END, str(price)))
    price_hist = {}
    for pid, vf, vt, p in prices:
        price_hist.setdefault(pid, []).append((vf, vt, Decimal(p)))
    category = {p[0]: p[3] for p in products}

    def price_on(pid: int, d: str) -> Decimal:
        return next(p for vf, vt, p in price_hist[pid] if vf <= d < vt)

    customers = []  # (sk, customer_id, name, segment, valid_from, valid_to, is_current)
    versions: dict[int, list[list]] = {}
    sk = 5000
    for cid in range(1, 901):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        cuts = sorted({d.isoformat() for d in rng.sample(days[10:350], rng.choice([0, 0, 1, 1, 2, 3]))})
        bounds = ["2022-01-01", *cuts, OPEN_END]
        for i in range(len(bounds) - 1):
            sk += rng.randint(1, 4)
            row = [sk, cid, name, rng.choice(["retail", "trade", "vip"]), bounds[i], bounds[i + 1], 1 if i == len(bounds) - 2 else 0]
            versions.setdefault(cid, []).append(row)
            customers.append(row)

    def version_on(cid: int, d: str) -> list:
        return next(v for v in versions[cid] if v[4] <= d < v[5])

    def priced(sale: list) -> None:
        """Recompute net and tax of a sale row from its own quantity, price, discount, store and date."""
        qty, price, disc = sale[5], Decimal(sale[6]), sale[7]
        net = hu(Decimal(qty) * price * (100 - disc) / 100)
        d = f"{sale[1] // 10000:04d}-{sale[1] // 100 % 100:02d}-{sale[1] % 100:02d}"
        sale[8] = str(net)
        sale[9] = str(hu(net * rate(stores[sale[2] - 1][2], d)))

    sales = []  # [sale_id, date_key, store_id, customer_sk, product_id, qty, unit_price, discount_pct, net, tax]
    sid = 700000
    while len(sales) < 26000:
        d = rng.choice(days)
        ds = d.isoformat()
        store = rng.choice(stores)
        if not store_open(store, ds):
            continue
        pid = rng.choice(products)[0]
        cid = rng.randint(1, 900)
        sid += rng.randint(1, 3)
        disc = rng.choice([0, 0, 0, 5, 10, CATEGORIES[category[pid]]])
        row = [sid, dkey(d), store[0], version_on(cid, ds)[0], pid, rng.choice([1, 1, 1, 2, 2, 3, 4, 6]), str(price_on(pid, ds)), disc, "", ""]
        priced(row)
        sales.append(row)
    found: dict[str, list[str]] = {}

    def plant(check: str, key: object) -> None:
        found.setdefault(check, []).append(str(key))

    def sale_date(row: list) -> str:
        return f"{row[1] // 10000:04d}-{row[1] // 100 % 100:02d}-{row[1] % 100:02d}"

    pool = list(range(len(sales)))
    rng.shuffle(pool)
    take = iter(pool)
    touched: set[int] = set()

    def pick() -> list:
        i = next(take)
        touched.add(sales[i][0])
        return sales[i]

    max_sk = sk
    for _ in range(14):
        row = pick()
        row[3] = max_sk + rng.randint(1, 500)
        plant("C01", row[0])
    for _ in range(11):
        row = pick()
        row[4] = rng.choice([99, 161, 175, 200, 7])
        plant("C02", row[0])
    for _ in range(9):
        row = pick()
        m, dd = rng.choice([(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31)])
        row[1] = 20240000 + m * 100 + dd
        plant("C03", row[0])
    for _ in range(17):
        row = pick()
        row[5] = rng.choice([0, -1, -2])
        priced(row)
        plant("C05", row[0])
    closed_cases = 0
    while closed_cases < 12:
        row = pick()
        ds = sale_date(row)
        bad = [s for s in stores if not store_open(s, ds)]
        if not bad:
            continue
        row[2] = rng.choice(bad)[0]
        priced(row)
        plant("C06", row[0])
        closed_cases += 1
    wrong_version = 0
    while wrong_version < 19:
        row = pick()
        cust = next(c for c in customers if c[0] == row[3])
        others = [v for v in versions[cust[1]] if v[0] != cust[0]]
        if not others:
            continue
        row[3] = rng.choice(others)[0]
        plant("C07", row[0])
        wrong_version += 1
    bad_price = 0
    while bad_price < 23:
        row = pick()
        hist = price_hist[row[4]]
        if len(hist) > 1 and rng.random() < 0.7:
            current = price_on(row[4], sale_date(row))
            stale = [p for _, _, p in hist if p != current]
            row[6] = str(rng.choice(stale))
        else:
            row[6] = str(Decimal(row[6]) + Decimal(rng.choice([-100, -1, 1, 10, 100])) / 100)
        priced(row)
        plant("C08", row[0])
        bad_price += 1
    for _ in range(16):
        row = pick()
        row[7] = CATEGORIES[category[row[4]]] + rng.choice([5, 10, 15])
        priced(row)
        plant("C09", row[0])
    for _ in range(21):
        row = pick()
        net = Decimal(row[8]) + Decimal(rng.choice([-1, 1, -10, 50, 100, -100])) / 100
        row[8] = str(net)
        row[9] = str(hu(net * rate(stores[row[2] - 1][2], sale_date(row))))
        plant("C10", row[0])
    tax_cases = 0
    while tax_cases < 18:
        row = pick()
        region = stores[row[2] - 1][2]
        ds = sale_date(row)
        old = [rt for since, rt in rates[region] if rt != rate(region, ds)]
        if old and rng.random() < 0.7:
            tax = hu(Decimal(row[8]) * rng.choice(old))
        else:
            tax = Decimal(row[9]) + Decimal(rng.choice([-1, 1, 2])) / 100
        if tax == Decimal(row[9]):
            continue
        row[9] = str(tax)
        plant("C11", row[0])
        tax_cases += 1
    clean_ids = [s[0] for s in sales if s[0] not in touched]
    by_id = {s[0]: s for s in sales}
    for _ in range(15):  # exact copies with a new, higher id
        orig = by_id[rng.choice(clean_ids)]
        sid += rng.randint(1, 3)
        copy = [sid, *orig[1:]]
        sales.append(copy)
        plant("C04", copy[0])
    sales.sort(key=lambda s: s[0])

    # Dimension chain errors (none changes which dates a version covers for its sales).
    dates_of: dict[int, list[str]] = {}
    for s in sales:
        dates_of.setdefault(s[3], []).append(sale_date(s))

    def sold_between(version_sk: int, lo: str, hi: str) -> bool:
        return any(lo <= d < hi for d in dates_of.get(version_sk, []))

    multi = [cid for cid, vs in versions.items() if len(vs) >= 2]
    rng.shuffle(multi)
    kinds = ["overlap", "two_current", "no_current", "gap", "open_end"] * 4
    for cid in multi:
        if not kinds:
            break
        vs = versions[cid]
        kind = kinds[-1]
        if kind == "overlap":
            new_end = (date.fromisoformat(vs[1][4]) + timedelta(days=rng.randint(1, 20))).isoformat()
            if new_end >= vs[1][5] or sold_between(vs[0][0], vs[0][5], new_end):
                continue
            vs[0][5] = new_end
        elif kind == "two_current":
            vs[0][6] = 1
        elif kind == "no_current":
            vs[-1][6] = 0
        elif kind == "gap":
            new_start = (date.fromisoformat(vs[1][4]) + timedelta(days=rng.randint(1, 20))).isoformat()
            if new_start >= vs[1][5] or sold_between(vs[1][0], vs[1][4], new_start):
                continue
            vs[1][4] = new_start
        else:
            vs[-1][5] = "2099-12-31"
        kinds.pop()
        plant("C12", cid)

    # Returns (of clean sales unless planted).
    clean_sales = [by_id[i] for i in clean_ids]
    returns = []
    rid = 88000
    returned: dict[int, int] = {}

    def refund(sale: list, qty: int) -> str:
        return str(hu((Decimal(sale[8]) + Decimal(sale[9])) * qty / sale[5]))

    for sale in rng.sample(clean_sales, 1400):
        qty = rng.randint(1, sale[5])
        rd = date.fromisoformat(sale_date(sale)) + timedelta(days=rng.randint(0, 40))
        if rd.year > 2024:
            continue
        rid += rng.randint(1, 2)
        returns.append([rid, sale[0], dkey(rd), qty, refund(sale, qty)])
        returned[sale[0]] = qty
    return_ids = {r[1] for r in returns}
    fresh = [s for s in clean_sales if s[0] not in return_ids and date.fromisoformat(sale_date(s)) < date(2024, 12, 1)]
    rng.shuffle(fresh)
    for sale in fresh[:13]:  # two returns that together exceed the sale
        first = rng.randint(1, sale[5])
        second = sale[5] - first + rng.randint(1, 2)
        for qty in (first, second):
            rid += rng.randint(1, 2)
            rd = date.fromisoformat(sale_date(sale)) + timedelta(days=rng.randint(0, 25))
            returns.append([rid, sale[0], dkey(rd), qty, refund(sale, qty)])
        plant("C13", sale[0])
    for sale in fresh[13:24]:
        rid += rng.randint(1, 2)
        sd = date.fromisoformat(sale_date(sale))
        if sd <= date(2024, 1, 3):
            continue
        rd = sd - timedelta(days=rng.randint(1, min(20, (sd - date(2024, 1, 1)).days)))
        returns.append([rid, sale[0], dkey(rd), 1, refund(sale, 1)])
        plant("C14", rid)
    for _ in range(10):
        rid += rng.randint(1, 2)
        returns.append([rid, rng.choice([699999, 800000 + rng.randint(0, 9999), 12345]), dkey(rng.choice(days)), 1, "9.99"])
        plant("C15", rid)
    for sale in fresh[24:45]:
        qty = rng.randint(1, sale[5])
        rid += rng.randint(1, 2)
        rd = date.fromisoformat(sale_date(sale)) + timedelta(days=rng.randint(0, 20))
        good = Decimal(refund(sale, qty))
        bad = good + Decimal(rng.choice([-1, 1, -50, 100])) / 100
        if qty < sale[5] and rng.random() < 0.5:
            bad = hu(Decimal(sale[8]) * qty / sale[5])  # tax forgotten
            if bad == good:
                bad += CENT
        returns.append([rid, sale[0], dkey(rd), qty, str(bad)])
        plant("C16", rid)
    returns.sort(key=lambda r: r[0])

    # Receipts and inventory snapshots, computed from the final fact tables.
    receipts = []
    rcp = 300
    for store in stores:
        for pid in [p[0] for p in products]:
            for _ in range(rng.randint(2, 5)):
                d = rng.choice(days)
                if not store_open(store, d.isoformat()):
                    continue
                rcp += 1
                receipts.append((rcp, dkey(d), store[0], pid, rng.randint(5, 60)))
    receipts.sort(key=lambda r: r[0])
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    flow: dict[tuple[int, int, str], int] = {}
    for r in receipts:
        k = (r[2], r[3], f"{r[1] // 10000}-{r[1] // 100 % 100:02d}")
        flow[k] = flow.get(k, 0) + r[4]
    for s in sales:
        k = (s[2], s[4], f"{s[1] // 10000}-{s[1] // 100 % 100:02d}")
        flow[k] = flow.get(k, 0) - s[5]
    by_id = {s[0]: s for s in sales}
    for r in returns:
        s = by_id.get(r[1])
        if s is None:
            continue
        k = (s[2], s[4], f"{r[2] // 10000}-{r[2] // 100 % 100:02d}")
        flow[k] = flow.get(k, 0) + r[3]
    snapshots = []
    for store in stores:
        for pid in [p[0] for p in products]:
            level = rng.randint(20, 200)
            snapshots.append(["2023-12", store[0], pid, level])
            for m in months:
                level += flow.get((store[0], pid, m), 0)
                snapshots.append([m, store[0], pid, level])
    for snap in rng.sample(snapshots, 22):
        snap[3] += rng.choice([-5, -2, -1, 1, 3, 12])
        if snap[0] != "2023-12":
            plant("C17", f"{snap[1]}|{snap[2]}|{snap[0]}")
        if snap[0] != "2024-12":
            nxt = "2024-01" if snap[0] == "2023-12" else f"2024-{int(snap[0][5:]) + 1:02d}"
            plant("C17", f"{snap[1]}|{snap[2]}|{nxt}")

    out = Path(outdir)
    dim = ["-- Retail warehouse, dimensions (SQLite dialect). Money and rates are decimal text.", ""]
    dim += dump("dim_date", "CREATE TABLE dim_date (date_key INTEGER PRIMARY KEY, full_date TEXT NOT NULL, year INTEGER, month INTEGER, day INTEGER, iso_weekday INTEGER);",
                [(dkey(d), d.isoformat(), d.year, d.month, d.day, d.isoweekday()) for d in days])
    dim += dump("dim_store", "CREATE TABLE dim_store (store_id INTEGER PRIMARY KEY, name TEXT, region TEXT NOT NULL, opened_on TEXT NOT NULL, closed_on TEXT);", stores)
    dim += dump("tax_rates", "CREATE TABLE tax_rates (region TEXT NOT NULL, valid_from TEXT NOT NULL, rate TEXT NOT NULL);",
                [(r, since, str(rt)) for r, lst in rates.items() for since, rt in lst])
    dim += dump("dim_category", "CREATE TABLE dim_category (category TEXT PRIMARY KEY, max_discount_pct INTEGER NOT NULL);", list(CATEGORIES.items()))
    dim += dump("dim_product", "CREATE TABLE dim_product (product_id INTEGER PRIMARY KEY, sku TEXT, name TEXT, category TEXT NOT NULL);", products)
    dim += dump("product_prices", "CREATE TABLE product_prices (product_id INTEGER NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, unit_price TEXT NOT NULL);", prices)
    dim += dump("dim_customer", "CREATE TABLE dim_customer (customer_sk INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, name TEXT, segment TEXT, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, is_current INTEGER NOT NULL);",
                [tuple(c) for c in customers])
    (out / "dimensions.sql").write_text("\n".join(dim) + "\n")
    ddl = "CREATE TABLE fact_sales (sale_id INTEGER NOT NULL, date_key INTEGER NOT NULL, store_id INTEGER NOT NULL, customer_sk INTEGER NOT NULL, product_id INTEGER NOT NULL, qty INTEGER NOT NULL, unit_price TEXT NOT NULL, discount_pct INTEGER NOT NULL, net_amount TEXT NOT NULL, tax_amount TEXT NOT NULL);"
    third = (len(sales) + 2) // 3
    for i in range(3):
        part = [f"-- Retail warehouse, fact_sales part {i + 1} of 3.", ""]
        part += dump("fact_sales", ddl if i == 0 else "", [tuple(s) for s in sales[i * third : (i + 1) * third]])
        (out / f"fact_sales_{i + 1}.sql").write_text("\n".join(part) + "\n")
    other = ["-- Retail warehouse, returns, receipts and month-end inventory.", ""]
    other += dump("fact_returns", "CREATE TABLE fact_returns (return_id INTEGER PRIMARY KEY, sale_id INTEGER NOT NULL, return_date_key INTEGER NOT NULL, qty INTEGER NOT NULL, refund_amount TEXT NOT NULL);", [tuple(r) for r in returns])
    other += dump("fact_receipts", "CREATE TABLE fact_receipts (receipt_id INTEGER PRIMARY KEY, date_key INTEGER NOT NULL, store_id INTEGER NOT NULL, product_id INTEGER NOT NULL, qty INTEGER NOT NULL);", receipts)
    other += dump("inventory_snapshot", "CREATE TABLE inventory_snapshot (month TEXT NOT NULL, store_id INTEGER NOT NULL, product_id INTEGER NOT NULL, on_hand INTEGER NOT NULL);", [tuple(s) for s in snapshots])
    (out / "fact_other.sql").write_text("\n".join(other) + "\n")
    rows = ["check,key"] + sorted({f"{c},{k}" for c, keys in found.items() for k in keys})
    (out / "expected.csv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
