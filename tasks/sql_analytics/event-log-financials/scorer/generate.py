"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes the raw inputs (environment: events_1.jsonl .. events_3.jsonl, fx_rates.csv,
opening.json) and the expected outputs (scorer: expected_dim_customer.csv,
expected_income_statement.csv, expected_balance_sheet.csv, expected_cash_flow.csv). The event
log of a small SaaS and hardware company for 2024 is simulated here; the expected statements
are computed from the written files by the reference implementation in ../solution/books.py,
which posts balanced journal entries and asserts that every month-end balance sheet balances.
"""

import json
import random
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep the task folder free of compiled files
sys.path.insert(0, str(HERE.parent / "solution"))
from books import build  # noqa: E402

SEED = 24_680
Y0, Y1 = date(2024, 1, 1), date(2024, 12, 31)
COUNTRIES = ["PT"] * 4 + ["ES", "ES", "DE", "FR", "GB", "US"]
CURRENCY = {"PT": "EUR", "ES": "EUR", "DE": "EUR", "FR": "EUR", "GB": "GBP", "US": "USD"}
OFFSETS = [0, 0, 0, 60, 120, -300, -240, 330, 540]
SKUS = {"GW-100": ("180.00", "95.50"), "GW-200": ("420.00", "231.25"), "SENSOR-K": ("39.90", "17.35"), "CAM-4": ("265.00", "148.80")}
NAMES = ["Aurora", "Boreal", "Cedro", "Duna", "Estrela", "Farol", "Granito", "Horta", "Ilha", "Jasmim", "Lago", "Mar",
         "Nevoa", "Oliva", "Prado", "Quinta", "Rio", "Serra", "Terra", "Vale"]
KINDS = ["Labs", "Retail", "Clinic", "Foods", "Hotels", "Logistics", "Studio", "Farms"]


def hu(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Log:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[tuple[datetime, dict]] = []
        self.n = 0

    def stamp(self, moment: datetime) -> str:
        minutes = self.rng.choice(OFFSETS)
        local = moment.astimezone(timezone(timedelta(minutes=minutes)))
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        return text + "Z" if minutes == 0 else f"{text}{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def add(self, kind: str, day: date, late: bool = False, **fields: object) -> dict:
        """One event; its arrival is the same day, a little later, or (late) weeks later."""
        self.n += 1
        arrive = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=self.rng.randint(0, 1439))
        if late:
            arrive += timedelta(days=self.rng.randint(7, 40))
        elif self.rng.random() < 0.08:
            arrive += timedelta(days=self.rng.randint(1, 4))
        ev = {"event_id": f"ev-{self.n:06d}-{self.rng.randint(0, 0xFFFF):04x}", "type": kind, "ts": self.stamp(arrive), **fields}
        self.events.append((arrive, ev))
        return ev


def later(rng: random.Random, day: date, lo: int, hi: int) -> date:
    return day + timedelta(days=rng.randint(lo, hi))


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    log = Log(rng)
    out = Path(outdir)
    # FX rates for business days.
    fx = ["date,currency,eur_per_unit"]
    level = {"GBP": 1.17, "USD": 0.91}
    day = date(2023, 12, 1)
    while day <= Y1:
        if day.weekday() < 5 and rng.random() > 0.03:
            for cur in ("GBP", "USD"):
                level[cur] *= 1 + rng.uniform(-0.005, 0.005)
                fx.append(f"{day.isoformat()},{cur},{level[cur]:.5f}")
        day += timedelta(days=1)
    (out / "fx_rates.csv").write_text("\n".join(fx) + "\n")
    opening = {"cash": "420000.00", "inventory_lots": [{"sku": s, "qty": rng.randint(300, 600), "unit_cost": c} for s, (_, c) in SKUS.items()]}
    (out / "opening.json").write_text(json.dumps(opening, indent=1) + "\n")

    # Customers and their type-2 history (what the log says; books.py rebuilds it).
    customers = []
    for cid in range(1, 261):
        country = rng.choice(COUNTRIES)
        start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 700))
        if start > date(2024, 11, 1):
            start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 300))
        name = f"{rng.choice(NAMES)} {rng.choice(KINDS)}"
        cust = {"id": cid, "start": start, "cur": CURRENCY[country], "plan": rng.choice(["monthly"] * 6 + ["annual"] * 3 + ["none"]),
                "price": Decimal(rng.choice([99, 199, 299, 599, 990, 1490])), "pay": rng.random()}
        customers.append(cust)
        log.add("customer_created", start, customer_id=cid, effective_on=start.isoformat(), name=name, country=country,
                segment=rng.choice(["smb", "mid", "enterprise"]), terms_days=rng.choice([15, 30, 30, 45, 60]))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            eff = start + timedelta(days=rng.randint(1, 500))
            if eff > Y1:
                continue
            attr = rng.choice(["country", "segment", "terms_days", "terms_days"])
            value = {"country": rng.choice(["PT", "ES", "FR"]), "segment": rng.choice(["smb", "mid", "enterprise"]),
                     "terms_days": rng.choice([15, 30, 45, 60, 90])}[attr]
            changes = {attr: value}
            if rng.random() < 0.25:
                changes["segment"] = rng.choice(["smb", "mid", "enterprise"])
            backdated = rng.random() < 0.3
            arrive_day = min(Y1, eff + timedelta(days=rng.randint(10, 120))) if backdated else eff
            ev = log.add("customer_changed", arrive_day, customer_id=cid, effective_on=eff.isoformat(), changes=changes)
            if rng.random() < 0.15:
                log.add("customer_changed", arrive_day + timedelta(days=1), customer_id=cid, effective_on=eff.isoformat(),
                        changes={"segment": rng.choice(["smb", "mid", "enterprise"])})
            if rng.random() < 0.06:
                log.add("event_voided", later(rng, arrive_day, 1, 20), voided_event_id=ev["event_id"])
        for _ in range(rng.choice([0] * 6 + [1, 2])):
            log.add("customer_renamed", start + timedelta(days=rng.randint(1, 600)), customer_id=cid,
                    name=f"{rng.choice(NAMES)} {rng.choice(KINDS)}")

    inv_no = 0

    def invoice(cust: dict, day: date, kind: str, **fields: object) -> None:
        nonlocal inv_no
        inv_no += 1
        iid = f"INV-{inv_no:05d}"
        late = day < date(2024, 11, 15) and rng.random() < 0.04
        ev = log.add(kind, day, late, occurred_on=day.isoformat(), invoice_id=iid, customer_id=cust["id"], currency=cust["cur"], **fields)
        arrived = datetime.fromisoformat(ev["ts"].replace("Z", "+00:00")).astimezone(timezone.utc).date()
        if kind == "hardware_shipped":
            gross = int(fields["qty"]) * Decimal(str(fields["unit_price"]))
        else:
            gross = Decimal(str(fields["amount"]))
        gross += hu(gross * Decimal("0.23"))  # an upper bound is fine: overpaying never happens below
        fate = cust["pay"] * 0.6 + rng.random() * 0.4
        base = max(day, arrived)
        if fate < 0.06:
            return  # never paid
        if fate < 0.10:
            when = later(rng, base, 170, 230)  # paid long after a write-off
            if when <= Y1:
                log.add("payment_received", when, occurred_on=when.isoformat(), payment_id=f"PAY-{inv_no:05d}", invoice_id=iid, amount="FULL")
            return
        when = later(rng, base, 3, 75)
        if when > Y1:
            return
        if fate < 0.2:
            part = hu(gross * Decimal(rng.choice([30, 40, 50])) / 100)
            log.add("payment_received", when, occurred_on=when.isoformat(), payment_id=f"PAY-{inv_no:05d}a", invoice_id=iid, amount=str(part))
            when = later(rng, when, 10, 60)
            if when <= Y1 and rng.random() < 0.7:
                log.add("payment_received", when, occurred_on=when.isoformat(), payment_id=f"PAY-{inv_no:05d}b", invoice_id=iid, amount="REST")
            return
        log.add("payment_received", when, occurred_on=when.isoformat(), payment_id=f"PAY-{inv_no:05d}", invoice_id=iid, amount="FULL")

    for month in range(1, 13):
        first = date(2024, month, 1)
        for cust in customers:
            if cust["start"] > first or cust["plan"] == "none":
                continue
            if cust["plan"] == "monthly":
                invoice(cust, first + timedelta(days=rng.randint(0, 2)), "subscription_invoiced", plan="monthly",
                        service_start=f"2024-{month:02d}", amount=str(cust["price"]))
            elif cust["start"].month == month:
                invoice(cust, first + timedelta(days=rng.randint(0, 4)), "subscription_invoiced", plan="annual",
                        service_start=f"2024-{month:02d}", amount=str(cust["price"] * 12 * Decimal("0.85")))
    for _ in range(520):
        cust = rng.choice(customers)
        day = max(cust["start"], Y0) + timedelta(days=rng.randint(0, 360))
        if day > Y1:
            continue
        sku = rng.choice(list(SKUS))
        price = Decimal(SKUS[sku][0]) * (Decimal("1.1") if cust["cur"] != "EUR" else 1)
        invoice(cust, day, "hardware_shipped", sku=sku, qty=rng.choice([1, 1, 2, 3, 5, 10, 20]), unit_price=str(hu(price)))

    # Suppliers, stock, payroll, taxes, assets, loan.
    ref_no = 0

    def payable(kind: str, day: date, pay: bool = True, **fields: object) -> None:
        nonlocal ref_no
        ref_no += 1
        key = "bill_id" if kind == "bill_received" else "lot_id"
        ref = f"{'BILL' if key == 'bill_id' else 'LOT'}-{ref_no:04d}"
        late = day < date(2024, 11, 15) and rng.random() < 0.08
        ev = log.add(kind, day, late, occurred_on=day.isoformat(), **{key: ref}, **fields)
        arrived = datetime.fromisoformat(ev["ts"].replace("Z", "+00:00")).astimezone(timezone.utc).date()
        if not pay:
            if rng.random() < 0.5:
                log.add("event_voided", later(rng, arrived, 1, 9), voided_event_id=ev["event_id"])
            return
        when = later(rng, max(day, arrived), 8, 45)
        if when <= Y1:
            log.add("supplier_paid", when, occurred_on=when.isoformat(), ref=ref)

    for month in range(1, 13):
        first = date(2024, month, 1)
        payable("bill_received", first, category="rent", supplier="Imobiliaria Central", amount="9500.00")
        payable("bill_received", first + timedelta(days=rng.randint(3, 9)), category="utilities", supplier="Rede Energia",
                amount=f"{rng.randint(90000, 260000) / 100:.2f}")
        for _ in range(rng.randint(2, 4)):
            payable("bill_received", first + timedelta(days=rng.randint(0, 27)), category="software", supplier=rng.choice(["CloudCo", "MailerX", "DevTools"]),
                    amount=f"{rng.randint(20000, 400000) / 100:.2f}")
        for _ in range(rng.randint(0, 3)):
            payable("bill_received", first + timedelta(days=rng.randint(0, 27)), pay=rng.random() > 0.25, category="marketing",
                    supplier=rng.choice(["AdNet", "Expo Lisboa", "PrintHaus"]), amount=f"{rng.randint(50000, 2500000) / 100:.2f}")
        if month % 3 == 1:
            for sku, (_, cost) in SKUS.items():
                payable("stock_purchased", first + timedelta(days=rng.randint(0, 20)), sku=sku, qty=rng.randint(150, 400),
                        unit_cost=str(hu(Decimal(cost) * Decimal(rng.choice([96, 100, 103, 108])) / 100)))
        last = date(2024, month, 28)
        gross = Decimal(rng.randint(3100000, 3650000)) / 100
        log.add("payroll_run", last, occurred_on=last.isoformat(), gross=str(gross), withholding=str(hu(gross * Decimal("0.185"))))
        if month >= 2:
            d = date(2024, month, 15)
            log.add("payroll_taxes_paid", d, occurred_on=d.isoformat(), period=f"2024-{month - 1:02d}")
        if month in (4, 7, 10):
            d = date(2024, month, 20)
            log.add("vat_paid", d, occurred_on=d.isoformat(), period=f"2024-Q{(month - 1) // 3}")
    for month, start in ((2, "2024-02"), (9, "2024-09")):
        payable("bill_received", date(2024, month, 10), category="insurance_annual", supplier="Seguradora Atlantica",
                amount=f"{rng.randint(1800000, 3600000) / 100:.2f}", service_start=start)
    for i, (day, cost, life) in enumerate([(date(2024, 1, 20), "38400.00", 36), (date(2024, 3, 5), "125000.00", 60),
                                          (date(2024, 5, 17), "9870.55", 24), (date(2024, 8, 2), "64000.00", 48),
                                          (date(2024, 10, 30), "15999.99", 36), (date(2024, 12, 3), "7200.00", 24)]):
        log.add("asset_purchased", day, occurred_on=day.isoformat(), asset_id=f"FA-{i + 1:02d}", cost=cost, life_months=life)
    d = date(2024, 9, 12)
    log.add("asset_sold", d, occurred_on=d.isoformat(), asset_id="FA-03", proceeds="6100.00")
    d = date(2024, 3, 1)
    log.add("loan_drawn", d, occurred_on=d.isoformat(), amount="500000.00", annual_rate="0.0450")
    for month in range(6, 13):
        d = date(2024, month, 26)
        log.add("loan_repaid", d, occurred_on=d.isoformat(), amount="25000.00")

    # Payments named FULL or REST are settled to the exact outstanding amount in invoice currency.
    invoices = {ev["invoice_id"]: ev for _, ev in log.events if ev["type"] in ("subscription_invoiced", "hardware_shipped")}
    country_pt = {}
    for _, ev in log.events:
        if ev["type"] == "customer_created":
            country_pt[ev["customer_id"]] = ev["country"]
    paid: dict[str, Decimal] = {}
    # The real outstanding depends on VAT at posting, which only the books know: ask them.
    write(out, log)
    totals = _totals(out)
    for _, ev in sorted(log.events, key=lambda x: x[0]):
        if ev["type"] != "payment_received":
            continue
        total = totals[ev["invoice_id"]]
        if ev["amount"] == "FULL":
            ev["amount"] = str(total - paid.get(ev["invoice_id"], Decimal(0)))
        elif ev["amount"] == "REST":
            ev["amount"] = str(total - paid.get(ev["invoice_id"], Decimal(0)))
        paid[ev["invoice_id"]] = paid.get(ev["invoice_id"], Decimal(0)) + Decimal(ev["amount"])
    write(out, log)
    for name, text in build(out).items():
        (out / f"expected_{name}").write_text(text)
    del invoices, country_pt


def _totals(out: Path) -> dict[str, Decimal]:
    """Each invoice's total in its currency, with VAT as the books apply it (country at posting)."""
    import books

    captured: dict[str, Decimal] = {}
    original = books.hu
    events = books.load_events(out)
    history, _ = books.build_scd(events)
    for ev in events:
        if ev["type"] not in ("subscription_invoiced", "hardware_shipped"):
            continue
        occurred = date.fromisoformat(ev["occurred_on"])
        arrived = books.utc(ev["ts"])
        closes = datetime.combine(books.month_end(books.month_of(occurred)) + timedelta(days=6), datetime.min.time(), timezone.utc)
        posting = occurred if arrived < closes else arrived.date().replace(day=1)
        v = next(x for x in history[ev["customer_id"]] if x["valid_from"] <= posting.isoformat() < x["valid_to"])
        amount = Decimal(ev["amount"]) if "amount" in ev else ev["qty"] * Decimal(ev["unit_price"])
        captured[ev["invoice_id"]] = amount + original(amount * (Decimal("0.23") if v["country"] == "PT" else Decimal(0)))
    return captured


def write(out: Path, log: Log) -> None:
    """The log in arrival order over three files; 2 % of events are sent twice."""
    rng = random.Random(SEED + 1)
    lines = []
    for arrive, ev in sorted(log.events, key=lambda x: (x[0], x[1]["event_id"])):
        text = json.dumps(ev, separators=(",", ":"))
        lines.append(text)
        if rng.random() < 0.02:
            lines.append(text)
    third = (len(lines) + 2) // 3
    for i in range(3):
        (out / f"events_{i + 1}.jsonl").write_text("\n".join(lines[i * third : (i + 1) * third]) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
