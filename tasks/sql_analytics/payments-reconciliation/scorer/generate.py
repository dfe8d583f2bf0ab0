"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes ledger.sql, bank.csv and fx.csv (environment) and expected.json (scorer). The generator
decides what every bank line is (a payment of known invoices, a payment without a reference,
a stranger's transfer, a bank fee, a returned payment, a duplicated export row) and writes the
remittance texts and counterparty names in messy forms. expected.json is computed here by
applying the rules of instructions.md to that plan (which invoice numbers a line names and which
customer paid are known here, not parsed), so the reference solution, which parses and
normalises the raw text, is an independent check.
"""

import csv
import io
import json
import random
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 73_390
CENT = Decimal("0.01")
STEMS = ["Lisboa", "Porto", "Atlas", "Nordic", "Helios", "Vega", "Orion", "Iberia", "Delta", "Falcon",
         "Granite", "Harbor", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Opal", "Pioneer",
         "Quartz", "Riviera", "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Zenith", "Cobalt"]
TRADES = ["Trading", "Logistics", "Foods", "Textiles", "Systems", "Marine", "Pharma", "Studio",
          "Metals", "Energy", "Print", "Optics"]
SUFFIXES = {"PT": "Lda", "ES": "SL", "DE": "GmbH", "GB": "Ltd", "US": "Inc", "NL": "BV", "FR": "SA", "IT": "Srl"}
CURRENCY = {"PT": "EUR", "ES": "EUR", "DE": "EUR", "NL": "EUR", "FR": "EUR", "IT": "EUR", "GB": "GBP", "US": "USD"}


def q(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def dump(name: str, ddl: str, rows: list[tuple[object, ...]]) -> list[str]:
    out = [ddl]
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        out.append(f"INSERT INTO {name} VALUES\n" + ",\n".join("(" + ",".join(map(q, r)) + ")" for r in chunk) + ";")
    return out


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def ref_text(rng: random.Random, no: str) -> str:
    """An invoice number INV-24-00123 written in one of several sloppy ways."""
    num = int(no[-5:])
    return rng.choice([
        no, no, no.lower(), f"INV24/{num:05d}", f"inv 24 {num}", f"Invoice 24-{num}", f"INV-24-{num}",
        f"INV 24/{num:05d}",
    ])


def counterparty_text(rng: random.Random, name: str) -> str:
    """The customer's name as a bank might print it."""
    stem, suffix = name.rsplit(" ", 1)
    return rng.choice([name, name.upper(), f"{stem}, {suffix}.", stem, f"{stem.upper()} {suffix.upper()}.",
                       f"{stem} {suffix.lower()}"])


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    # FX: business days of 2024 with a few holidays missing; eur_per_unit with 4 decimals.
    rates: dict[tuple[str, date], Decimal] = {}
    fx_rows = ["date,currency,eur_per_unit"]
    level = {"USD": 0.92, "GBP": 1.16}
    day = date(2023, 12, 1)
    holidays = set()
    while day <= date(2025, 1, 31):
        if day.weekday() < 5 and rng.random() < 0.04:
            holidays.add(day)
        if day.weekday() < 5 and day not in holidays:
            for cur in ("GBP", "USD"):
                level[cur] *= 1 + rng.uniform(-0.004, 0.004)
                rate = Decimal(f"{level[cur]:.4f}")
                rates[(cur, day)] = rate
                fx_rows.append(f"{day.isoformat()},{cur},{rate}")
        day += timedelta(days=1)

    def rate_on(cur: str, when: date) -> Decimal:
        if cur == "EUR":
            return Decimal(1)
        while (cur, when) not in rates:
            when -= timedelta(days=1)
        return rates[(cur, when)]

    customers, names = [], set()
    while len(customers) < 240:
        country = rng.choice(list(SUFFIXES) + ["PT", "ES", "DE"])
        name = f"{rng.choice(STEMS)} {rng.choice(TRADES)} {SUFFIXES[country]}"
        stem = name.rsplit(" ", 1)[0].lower()
        if stem in names:
            continue
        names.add(stem)
        customers.append((len(customers) + 1, name, country))
    invoices = []  # (no, cid, issued, due, cur, amount)
    for i in range(1, 1401):
        cust = rng.choice(customers)
        issued = date(2024, 1, 2) + timedelta(days=rng.randint(0, 300))
        amount = money(Decimal(rng.randint(8000, 900000)) / 100)
        if rng.random() < 0.06 and invoices:  # same amount as another invoice of a customer: ambiguity
            amount = invoices[-1][5]
        invoices.append((f"INV-24-{i:05d}", cust[0], issued, issued + timedelta(days=30), CURRENCY[cust[2]], amount))
    by_no = {inv[0]: inv for inv in invoices}
    credits = []
    for inv in rng.sample(invoices, 90):
        credits.append((f"CN-24-{len(credits) + 1:04d}", inv[0], (inv[2] + timedelta(days=rng.randint(1, 10))).isoformat(),
                        str(money(inv[5] * Decimal(rng.choice([5, 10, 20, 50, 100])) / 100))))
    balance = {inv[0]: inv[5] for inv in invoices}
    for c in credits:
        balance[c[1]] -= Decimal(c[3])
    name_of = {c[0]: c[1] for c in customers}

    # Plan bank lines: (booked, eur, counterparty, remittance, plan) where plan says how truth applies.
    lines: list[dict[str, object]] = []
    planned_open = dict(balance)  # the generator's own view, used only to choose realistic amounts
    for inv in sorted(invoices, key=lambda x: x[2]):
        no, cid, issued, due, cur, _ = inv
        fate = rng.random()
        if fate < 0.12 or planned_open[no] <= 0:
            continue  # never paid
        booked = issued + timedelta(days=rng.randint(5, 60))
        while booked.weekday() >= 5:
            booked += timedelta(days=1)
        share = Decimal(1)
        if fate < 0.22:
            share = Decimal(rng.choice([25, 40, 50, 60, 75])) / 100
        elif fate < 0.26:
            share = Decimal(rng.choice([101, 105, 110])) / 100
        owed = money(planned_open[no] * share)
        if cur != "EUR" and rng.random() < 0.4:  # a correspondent bank keeps a few cents
            owed -= Decimal(rng.randint(5, 45)) / 100
        eur = money(owed * rate_on(cur, booked))
        kind = rng.random()
        if kind < 0.62:
            refs = [no]
            cid_pay = cid
            if rng.random() < 0.15:  # one transfer for two invoices of the same customer and currency
                other = [x for x in invoices if x[1] == cid and x[4] == cur and x[0] != no and planned_open[x[0]] > 0]
                if other:
                    extra = rng.choice(other)
                    refs.append(extra[0])
                    eur = money((owed + planned_open[extra[0]]) * rate_on(cur, booked))
                    planned_open[extra[0]] = Decimal(0)
            remit = rng.choice(["Payment ", "", "Pmt ", "Ref "]) + " + ".join(ref_text(rng, r) for r in refs)
            if rng.random() < 0.05:
                remit += f" and INV-24-{rng.randint(3000, 9999):05d}"  # a number that does not exist
            lines.append({"booked": booked, "eur": eur, "cp": counterparty_text(rng, name_of[cid_pay]), "remit": remit, "refs": refs, "cid": cid})
        else:
            remit = rng.choice(["", "transfer", "payment thank you", "settlement", "SEPA credit"])
            lines.append({"booked": booked, "eur": eur, "cp": counterparty_text(rng, name_of[cid]), "remit": remit, "refs": [], "cid": cid})
        planned_open[no] -= owed
    # Strangers, stale references, fees.
    for _ in range(40):
        booked = date(2024, 2, 1) + timedelta(days=rng.randint(0, 300))
        lines.append({"booked": booked, "eur": money(Decimal(rng.randint(1000, 300000)) / 100),
                      "cp": f"{rng.choice(['Mr', 'Ms'])} {rng.choice(STEMS)} {rng.choice(['Silva', 'Smith', 'Meyer'])}",
                      "remit": rng.choice(["", "donation", "deposit", "refund"]), "refs": [], "cid": None})
    for _ in range(25):  # a customer pays an invoice that was already settled
        inv = rng.choice(invoices)
        booked = inv[2] + timedelta(days=rng.randint(70, 90))
        lines.append({"booked": booked, "eur": money(inv[5] * rate_on(inv[4], booked)), "cp": counterparty_text(rng, name_of[inv[1]]),
                      "remit": f"Payment {ref_text(rng, inv[0])}", "refs": [inv[0]], "cid": inv[1]})
    month = date(2024, 1, 31)
    while month < date(2024, 12, 31):
        lines.append({"booked": month, "eur": -money(Decimal(rng.randint(900, 4500)) / 100), "cp": "OUR BANK", "remit": "account charges", "refs": [], "cid": None, "fee": True})
        month = ((month + timedelta(days=1)).replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    for line in lines:
        while line["booked"].weekday() >= 5:  # type: ignore[union-attr]
            line["booked"] -= timedelta(days=1)  # type: ignore[operator]
    lines.sort(key=lambda ln: (ln["booked"], str(ln["cp"])))
    for i, line in enumerate(lines):
        line["id"] = f"BL{10000 + 3 * i}"
    # Returns: some received payments bounce a few days later.
    returned = rng.sample([ln for ln in lines if ln["eur"] > 0], 30)  # type: ignore[operator]
    for ln in returned:
        ret = {"booked": ln["booked"] + timedelta(days=rng.randint(1, 6)), "eur": -ln["eur"], "cp": ln["cp"],  # type: ignore[operator]
               "remit": f"RETURN OF {ln['id']}", "refs": [], "cid": None, "ret": ln["id"]}
        lines.append(ret)
    lines.sort(key=lambda ln: (ln["booked"], str(ln["id"]) if "id" in ln else "~"))
    for i, ln in enumerate(lines):
        if "id" not in ln:
            ln["id"] = f"BL{10000 + 3 * i + 1}"
    lines.sort(key=lambda ln: (ln["booked"], str(ln["id"])))

    # Truth: the rules of instructions.md applied in booking order, then line id.
    returned_ids = {ln["ret"] for ln in lines if "ret" in ln} | {ln["id"] for ln in lines if "ret" in ln}
    open_ = dict(balance)
    writeoff = {"USD": Decimal(0), "GBP": Decimal(0)}
    unapplied, fees = [], Decimal(0)
    cust_invoices: dict[int, list[tuple]] = {}
    for inv in invoices:
        cust_invoices.setdefault(inv[1], []).append(inv)
    for ln in lines:
        if ln.get("fee"):
            fees += -ln["eur"]  # type: ignore[operator]
            continue
        if ln["id"] in returned_ids:
            continue
        booked, eur = ln["booked"], ln["eur"]
        refs = [r for r in ln["refs"] if r in by_no]  # type: ignore[union-attr]
        applied = Decimal(0)
        touched = []
        if refs:
            cur = by_no[refs[0]][4]
            remaining = money(eur / rate_on(cur, booked))  # type: ignore[operator,arg-type]
            for r in sorted(set(refs), key=lambda r: (by_no[r][2], r)):
                take = min(remaining, open_[r])
                if take > 0:
                    open_[r] -= take
                    remaining -= take
                    applied += take
                    touched.append(r)
        elif ln["cid"] is not None:
            cands = []
            for inv in cust_invoices[ln["cid"]]:  # type: ignore[index]
                if open_[inv[0]] <= 0:
                    continue
                conv = money(eur / rate_on(inv[4], booked))  # type: ignore[operator,arg-type]
                tol = Decimal(0) if inv[4] == "EUR" else Decimal("0.50")
                if abs(conv - open_[inv[0]]) <= tol:
                    cands.append((inv, conv))
            if len(cands) == 1:
                inv, conv = cands[0]
                take = min(conv, open_[inv[0]])
                open_[inv[0]] -= take
                applied += take
                touched.append(inv[0])
        for r in touched:
            cur = by_no[r][4]
            if cur != "EUR" and 0 < open_[r] <= Decimal("0.50"):
                writeoff[cur] += open_[r]
                open_[r] = Decimal(0)
        if applied == 0 and eur > 0:  # type: ignore[operator]
            unapplied.append(ln["id"])

    # Files. Some rows of the export are repeated.
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["line_id", "booked_on", "amount_eur", "counterparty", "remittance"])
    for ln in lines:
        row = [ln["id"], ln["booked"].isoformat(), f"{ln['eur']:.2f}", ln["cp"], ln["remit"]]  # type: ignore[union-attr]
        w.writerow(row)
        if rng.random() < 0.03:
            w.writerow(row)
    out = Path(outdir)
    (out / "bank.csv").write_text(buf.getvalue())
    (out / "fx.csv").write_text("\n".join(fx_rows) + "\n")
    sql = ["-- Accounts receivable ledger (SQLite dialect). Amounts are decimal text in the invoice currency.", ""]
    sql += dump("customers", "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL);", customers)
    sql += dump("invoices", "CREATE TABLE invoices (invoice_no TEXT PRIMARY KEY, customer_id INTEGER NOT NULL, issued_on TEXT NOT NULL, due_on TEXT NOT NULL, currency TEXT NOT NULL, amount TEXT NOT NULL);",
                [(i[0], i[1], i[2].isoformat(), i[3].isoformat(), i[4], str(i[5])) for i in invoices])
    sql += dump("credit_notes", "CREATE TABLE credit_notes (credit_no TEXT PRIMARY KEY, invoice_no TEXT NOT NULL, issued_on TEXT NOT NULL, amount TEXT NOT NULL);", credits)
    (out / "ledger.sql").write_text("\n".join(sql) + "\n")
    truth = {
        "open_balances": {no: f"{open_[no]:.2f}" for no in sorted(open_)},
        "unapplied_lines": sorted(unapplied),
        "bank_fees_eur": f"{fees:.2f}",
        "fx_writeoff": {cur: f"{v:.2f}" for cur, v in sorted(writeoff.items())},
    }
    (out / "expected.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
