#!/usr/bin/env python3
"""Reference solution for event-log-financials: rebuilds the customer dimension (type 2) and the
2024 statements from the raw event logs, following the rules of the instructions, and writes
dim_customer.csv, income_statement.csv, balance_sheet.csv and cash_flow.csv.

Usage: python3 books.py [INDIR [OUTDIR]] (both default to the current directory). The task's
generator imports build() from here to make the expected files."""

import bisect
import csv
import io
import json
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")
ZERO = Decimal(0)
OPEN_END = "9999-12-31"
SCD_ATTRS = ("country", "segment", "terms_days")
PL_LINES = ["subscription_revenue", "hardware_revenue", "cogs", "gross_profit", "salaries", "rent", "software",
            "marketing", "utilities", "insurance", "depreciation", "bad_debt", "operating_income", "interest_expense",
            "fx_gain_loss", "disposal_gain_loss", "pre_tax_income", "income_tax", "net_income"]
BS_LINES = ["cash", "accounts_receivable", "inventory", "prepaid_expenses", "fixed_assets_net", "total_assets",
            "accounts_payable", "vat_payable", "payroll_liabilities", "income_tax_payable", "deferred_revenue", "loan",
            "total_liabilities", "equity", "total_liabilities_and_equity"]
CF_LINES = ["receipts_from_customers", "payments_to_suppliers", "payroll_paid", "vat_paid", "interest_paid",
            "capital_expenditure", "asset_sale_proceeds", "loan_drawn", "loan_repaid", "net_change_in_cash"]
EXPENSE_CATS = ("rent", "software", "marketing", "utilities")


def hu(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def utc(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(timezone.utc)


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_end(m: str) -> date:
    y, mo = int(m[:4]), int(m[5:])
    return (date(y + mo // 12, mo % 12 + 1, 1)) - timedelta(days=1)


def add_months(m: str, k: int) -> str:
    n = int(m[:4]) * 12 + int(m[5:]) - 1 + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def load_events(indir: Path) -> list[dict]:
    seen, events = set(), []
    for path in sorted(indir.glob("events_*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            ev = json.loads(line)
            if ev["event_id"] in seen:
                continue
            seen.add(ev["event_id"])
            events.append(ev)
    voided = {ev["voided_event_id"] for ev in events if ev["type"] == "event_voided"}
    return [ev for ev in events if ev["event_id"] not in voided and ev["type"] != "event_voided"]


def build_scd(events: list[dict]) -> tuple[dict[int, list[dict]], str]:
    created, changes, renames = {}, {}, {}
    for ev in events:
        if ev["type"] == "customer_created":
            created[ev["customer_id"]] = ev
        elif ev["type"] == "customer_changed":
            changes.setdefault(ev["customer_id"], []).append(ev)
        elif ev["type"] == "customer_renamed":
            renames.setdefault(ev["customer_id"], []).append(ev)
    history: dict[int, list[dict]] = {}
    for cid, ev in sorted(created.items()):
        state = {a: ev[a] for a in SCD_ATTRS}
        groups: dict[str, list[dict]] = {}
        for ch in changes.get(cid, []):
            groups.setdefault(ch["effective_on"], []).append(ch)
        versions = []
        start = ev["effective_on"]
        for ch in sorted(groups.get(start, []), key=lambda c: (utc(c["ts"]), c["event_id"])):
            state.update(ch["changes"])
        versions.append({"valid_from": start, **state})
        for day in sorted(d for d in groups if d > start):
            new = dict(state)
            for ch in sorted(groups[day], key=lambda c: (utc(c["ts"]), c["event_id"])):
                new.update(ch["changes"])
            if new != state:
                state = new
                versions.append({"valid_from": day, **state})
        name = ev["name"]
        if cid in renames:
            name = max(renames[cid], key=lambda r: (utc(r["ts"]), r["event_id"]))["name"]
        for i, v in enumerate(versions):
            v["valid_to"] = versions[i + 1]["valid_from"] if i + 1 < len(versions) else OPEN_END
            v["name"] = name
        history[cid] = versions
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["customer_id", "version", "valid_from", "valid_to", "name", "country", "segment", "terms_days", "is_current"])
    for cid, vs in history.items():
        for i, v in enumerate(vs):
            w.writerow([cid, i + 1, v["valid_from"], v["valid_to"], v["name"], v["country"], v["segment"], v["terms_days"],
                        1 if v["valid_to"] == OPEN_END else 0])
    return history, out.getvalue()


def build(indir: Path) -> dict[str, str]:
    events = load_events(indir)
    history, scd_csv = build_scd(events)
    opening = json.loads((indir / "opening.json").read_text())
    rates: dict[str, tuple[list[str], list[Decimal]]] = {}
    with open(indir / "fx_rates.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            days, vals = rates.setdefault(row["currency"], ([], []))
            days.append(row["date"])
            vals.append(Decimal(row["eur_per_unit"]))

    def rate(cur: str, d: date) -> Decimal:
        if cur == "EUR":
            return Decimal(1)
        days, vals = rates[cur]
        return vals[bisect.bisect_right(days, d.isoformat()) - 1]

    def version(cid: int, d: date) -> dict:
        ds = d.isoformat()
        return next(v for v in history[cid] if v["valid_from"] <= ds < v["valid_to"])

    bal: dict[str, Decimal] = {}
    pl: dict[str, dict[str, Decimal]] = {}
    cf: dict[str, dict[str, Decimal]] = {}

    def post(m: str, entry: dict[str, Decimal], cash_tag: str | None = None) -> None:
        assert sum(entry.values()) == 0, entry
        for acct, amt in entry.items():
            if acct.startswith("pl:"):
                line = pl.setdefault(m, {})
                line[acct[3:]] = line.get(acct[3:], ZERO) + amt
            else:
                bal[acct] = bal.get(acct, ZERO) + amt
            if acct == "cash":
                assert cash_tag is not None
                q = f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}"
                row = cf.setdefault(q, {})
                row[cash_tag] = row.get(cash_tag, ZERO) + amt

    lots: dict[str, list[list]] = {}
    bal["cash"] = Decimal(opening["cash"])
    bal["inventory"] = ZERO
    for lot in opening["inventory_lots"]:
        lots.setdefault(lot["sku"], []).append([lot["qty"], Decimal(lot["unit_cost"])])
        bal["inventory"] += lot["qty"] * Decimal(lot["unit_cost"])
    bal["equity"] = -(bal["cash"] + bal["inventory"])

    fin = []
    for ev in events:
        if ev["type"].startswith("customer_"):
            continue
        occurred = date.fromisoformat(ev["occurred_on"])
        arrived = utc(ev["ts"])
        m = month_of(occurred)
        closes = datetime.combine(month_end(m) + timedelta(days=6), datetime.min.time(), timezone.utc)
        posting = occurred if arrived < closes else arrived.date().replace(day=1)
        fin.append((posting, arrived, ev["event_id"], ev))
    fin.sort(key=lambda x: (x[0], x[1], x[2]))

    invoices: dict[str, dict] = {}
    payables: dict[str, Decimal] = {}
    annual: list[dict] = []
    prepaid: list[dict] = []
    assets: dict[str, dict] = {}
    loan_rate = ZERO
    tax_accrued = ZERO
    snapshots: dict[str, dict[str, Decimal]] = {}
    months = [f"2024-{i:02d}" for i in range(1, 13)]
    idx = 0
    for m in months:
        while idx < len(fin) and month_of(fin[idx][0]) == m:
            posting, _, _, ev = fin[idx]
            idx += 1
            t = ev["type"]
            if t in ("subscription_invoiced", "hardware_shipped"):
                cid = ev["customer_id"]
                v = version(cid, posting)
                amount = Decimal(ev["amount"]) if t == "subscription_invoiced" else ev["qty"] * Decimal(ev["unit_price"])
                vat_rate = Decimal("0.23") if v["country"] == "PT" else ZERO
                net = hu(amount * rate(ev["currency"], posting))
                vat = hu(net * vat_rate)
                total_fx = amount + hu(amount * vat_rate)
                inv = {"ar": net + vat, "fx_open": total_fx,
                       "cur": ev["currency"], "due": posting + timedelta(days=v["terms_days"]), "written_off": False}
                invoices[ev["invoice_id"]] = inv
                if t == "hardware_shipped":
                    post(m, {"ar": net + vat, "vat_payable": -vat, "pl:hardware_revenue": -net})
                    need, cost = ev["qty"], ZERO
                    queue = lots[ev["sku"]]
                    while need:
                        take = min(need, queue[0][0])
                        cost += take * queue[0][1]
                        queue[0][0] -= take
                        need -= take
                        if queue[0][0] == 0:
                            queue.pop(0)
                    post(m, {"pl:cogs": cost, "inventory": -cost})
                elif ev["plan"] == "annual":
                    post(m, {"ar": net + vat, "vat_payable": -vat, "deferred_revenue": -net})
                    annual.append({"net": net, "start": ev["service_start"], "done": 0})
                else:
                    post(m, {"ar": net + vat, "vat_payable": -vat, "pl:subscription_revenue": -net})
            elif t == "payment_received":
                inv = invoices[ev["invoice_id"]]
                amount = Decimal(ev["amount"])
                cash = hu(amount * rate(inv["cur"], posting))
                if inv["written_off"]:
                    post(m, {"cash": cash, "pl:bad_debt": -cash}, "receipts_from_customers")
                    continue
                relief = inv["ar"] if amount == inv["fx_open"] else hu(inv["ar"] * amount / inv["fx_open"])
                inv["ar"] -= relief
                inv["fx_open"] -= amount
                post(m, {"cash": cash, "ar": -relief, "pl:fx_gain_loss": relief - cash}, "receipts_from_customers")
            elif t == "bill_received":
                amount = Decimal(ev["amount"])
                payables[ev["bill_id"]] = amount
                if ev["category"] == "insurance_annual":
                    post(m, {"prepaid": amount, "ap": -amount})
                    prepaid.append({"amount": amount, "start": ev["service_start"], "done": 0})
                else:
                    post(m, {f"pl:{ev['category']}": amount, "ap": -amount})
            elif t == "stock_purchased":
                cost = ev["qty"] * Decimal(ev["unit_cost"])
                payables[ev["lot_id"]] = cost
                lots.setdefault(ev["sku"], []).append([ev["qty"], Decimal(ev["unit_cost"])])
                post(m, {"inventory": cost, "ap": -cost})
            elif t == "supplier_paid":
                amount = payables.pop(ev["ref"])
                post(m, {"ap": amount, "cash": -amount}, "payments_to_suppliers")
            elif t == "payroll_run":
                gross, wht = Decimal(ev["gross"]), Decimal(ev["withholding"])
                employer, employee = hu(gross * Decimal("0.2375")), hu(gross * Decimal("0.11"))
                post(m, {"pl:salaries": gross + employer, "cash": -(gross - wht - employee),
                         "payroll_liab": -(wht + employee + employer)}, "payroll_paid")
            elif t == "payroll_taxes_paid":
                amount = -snapshots[add_months(m, -1)]["payroll_liab"]
                post(m, {"payroll_liab": amount, "cash": -amount}, "payroll_paid")
            elif t == "vat_paid":
                qend = add_months(m, -((int(m[5:]) - 1) % 3) - 1)
                amount = -snapshots[qend]["vat_payable"]
                post(m, {"vat_payable": amount, "cash": -amount}, "vat_paid")
            elif t == "asset_purchased":
                cost = Decimal(ev["cost"])
                assets[ev["asset_id"]] = {"cost": cost, "nbv": cost, "life": ev["life_months"], "month": m}
                post(m, {"fixed_assets": cost, "cash": -cost}, "capital_expenditure")
            elif t == "asset_sold":
                asset = assets.pop(ev["asset_id"])
                proceeds = Decimal(ev["proceeds"])
                post(m, {"cash": proceeds, "fixed_assets": -asset["nbv"], "pl:disposal_gain_loss": asset["nbv"] - proceeds},
                     "asset_sale_proceeds")
            elif t == "loan_drawn":
                loan_rate = Decimal(ev["annual_rate"])
                post(m, {"cash": Decimal(ev["amount"]), "loan": -Decimal(ev["amount"])}, "loan_drawn")
            elif t == "loan_repaid":
                post(m, {"cash": -Decimal(ev["amount"]), "loan": Decimal(ev["amount"])}, "loan_repaid")
            else:
                raise ValueError(t)
        # Month-end processing, in the documented order.
        for item, acct, line in [(a, "deferred_revenue", "pl:subscription_revenue") for a in annual] + \
                                [(p, "prepaid", "pl:insurance") for p in prepaid]:
            total = item["net"] if "net" in item else item["amount"]
            due = min(12, max(0, (int(m[:4]) * 12 + int(m[5:])) - (int(item["start"][:4]) * 12 + int(item["start"][5:])) + 1))
            while item["done"] < due:
                item["done"] += 1
                part = hu(total / 12) if item["done"] < 12 else total - 11 * hu(total / 12)
                if acct == "deferred_revenue":
                    post(m, {acct: part, line: -part})
                else:
                    post(m, {acct: -part, line: part})
        for asset in assets.values():
            if asset["month"] < m and asset["nbv"] > 0:
                dep = min(hu(asset["cost"] / asset["life"]), asset["nbv"])
                asset["nbv"] -= dep
                post(m, {"pl:depreciation": dep, "fixed_assets": -dep})
        interest = hu(-bal.get("loan", ZERO) * loan_rate / 12)
        if interest:
            post(m, {"pl:interest_expense": interest, "cash": -interest}, "interest_paid")
        end = month_end(m)
        for inv in invoices.values():
            if inv["cur"] != "EUR" and not inv["written_off"] and inv["fx_open"] > 0:
                carrying = hu(inv["fx_open"] * rate(inv["cur"], end))
                if carrying != inv["ar"]:
                    post(m, {"ar": carrying - inv["ar"], "pl:fx_gain_loss": inv["ar"] - carrying})
                    inv["ar"] = carrying
        for inv in invoices.values():
            if not inv["written_off"] and inv["ar"] > 0 and end > inv["due"] + timedelta(days=90):
                inv["written_off"] = True
                post(m, {"pl:bad_debt": inv["ar"], "ar": -inv["ar"]})
                inv["ar"] = ZERO
        if int(m[5:]) % 3 == 0:
            ytd = -sum(v for mm, lines in pl.items() if mm <= m for k, v in lines.items() if k != "income_tax")
            target = hu(max(ZERO, ytd) * Decimal("0.21"))
            if target != tax_accrued:
                post(m, {"pl:income_tax": target - tax_accrued, "tax_payable": tax_accrued - target})
                tax_accrued = target
        snapshots[m] = dict(bal)
    assert idx == len(fin), "events outside 2024"

    def fmt(x: Decimal) -> str:
        return f"{x:.2f}"

    out = {"dim_customer.csv": scd_csv}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", *PL_LINES])
    equity_flow = ZERO
    for m in months:
        g = {k: -v for k, v in pl.get(m, {}).items()}  # credit-positive: revenue and gains positive
        get = lambda k: g.get(k, ZERO)  # noqa: E731
        row = {"subscription_revenue": get("subscription_revenue"), "hardware_revenue": get("hardware_revenue"),
               "cogs": -get("cogs")}
        row["gross_profit"] = row["subscription_revenue"] + row["hardware_revenue"] - row["cogs"]
        for k in ("salaries", *EXPENSE_CATS, "insurance", "depreciation", "bad_debt"):
            row[k] = -get(k)
        row["operating_income"] = row["gross_profit"] - sum(row[k] for k in ("salaries", *EXPENSE_CATS, "insurance", "depreciation", "bad_debt"))
        row["interest_expense"] = -get("interest_expense")
        row["fx_gain_loss"] = get("fx_gain_loss")
        row["disposal_gain_loss"] = get("disposal_gain_loss")
        row["pre_tax_income"] = row["operating_income"] - row["interest_expense"] + row["fx_gain_loss"] + row["disposal_gain_loss"]
        row["income_tax"] = -get("income_tax")
        row["net_income"] = row["pre_tax_income"] - row["income_tax"]
        assert row["net_income"] == sum(g.values())
        w.writerow([m, *[fmt(row[k]) for k in PL_LINES]])
    out["income_statement.csv"] = buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", *BS_LINES])
    opening_equity = -Decimal(opening["cash"]) - sum(lot["qty"] * Decimal(lot["unit_cost"]) for lot in opening["inventory_lots"])
    for m in months:
        s = snapshots[m]
        b = lambda k: s.get(k, ZERO)  # noqa: E731
        row = {"cash": b("cash"), "accounts_receivable": b("ar"), "inventory": b("inventory"), "prepaid_expenses": b("prepaid"),
               "fixed_assets_net": b("fixed_assets")}
        row["total_assets"] = sum(row.values())
        row.update({"accounts_payable": -b("ap"), "vat_payable": -b("vat_payable"), "payroll_liabilities": -b("payroll_liab"),
                    "income_tax_payable": -b("tax_payable"), "deferred_revenue": -b("deferred_revenue"), "loan": -b("loan")})
        row["total_liabilities"] = sum(row[k] for k in BS_LINES[6:12])
        equity_flow = -sum(v for mm, lines in pl.items() if mm <= m for v in lines.values())
        row["equity"] = -opening_equity + equity_flow
        row["total_liabilities_and_equity"] = row["total_liabilities"] + row["equity"]
        assert row["total_assets"] == row["total_liabilities_and_equity"], (m, row)
        w.writerow([m, *[fmt(row[k]) for k in BS_LINES]])
    out["balance_sheet.csv"] = buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["quarter", *CF_LINES])
    for qn in range(1, 5):
        q = f"2024-Q{qn}"
        row = {k: cf.get(q, {}).get(k, ZERO) for k in CF_LINES[:-1]}
        row["net_change_in_cash"] = sum(row.values())
        w.writerow([q, *[fmt(row[k]) for k in CF_LINES]])
    out["cash_flow.csv"] = buf.getvalue()
    return out


def main() -> None:
    indir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    outdir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(".")
    for name, text in build(indir).items():
        (outdir / name).write_text(text)


if __name__ == "__main__":
    main()
