"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Twelve years (2013-2024) of a small trading firm's true general ledger are drawn first: an
opening balance, monthly salaries, rent, telecom, software and bank charges, about a dozen
sales invoices and ten purchase invoices a month (a fifth of the counterparties invoice in
USD, GBP or SEK), their payments 10 to 60 days later, petty cash, quarterly loan interest,
repayments and interest income, equipment purchases and yearly depreciation. Amounts in a
foreign currency become euros at the fx_rates.csv rate of the entry date (or the latest
earlier one), divided and rounded half-up to the cent.

The books were kept in three systems, each with its own export format:
- LedgerPro (2013-01 to 2017-03): ledgerpro_YYYY.csv, two lines per entry (debit, credit),
  old four-digit account codes, euros only, European numbers, counterparty names upper-case
  cut to 20 characters.
- BooksOnline (2017-01 to 2020-08): booksonline_export_N.tsv, one row per entry with the
  debit and credit account names (two renamed on the way, some typed with typos), amount and
  currency, free-text counterparty names (typos, spelling variants, old names before a
  renaming), an optional VAT number; the export repeats some rows.
- Fjord ERP (2020-06 to 2024-12): fjord_journal_YYYY.csv, signed lines in minor units of the
  transaction currency, new six-digit accounts, partner numbers (fjord_partners.csv).
The months where two systems overlap were booked in both (a parallel run). Outside them,
about 1.5% of invoices were booked twice (another reference, a few days later, the invoice
number written differently), and about 1% of euro invoices were first booked wrongly (wrong
amount or account), then reversed and booked again. coa_migration_memo.txt maps most old
accounts to the new chart (four are missing from it).

Writes the environment files above, counterparties.csv, and truth.json (scorer: the audit
answers from the true ledger: year-end balances, invoiced totals per counterparty, customers'
unpaid invoices at each year end, the double-posted references; the reference solution
copies it).
"""

import csv
import datetime as dt
import io
import json
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 5_121_903
FIRST, LAST = dt.date(2013, 1, 1), dt.date(2024, 12, 31)
A_END = dt.date(2017, 3, 31)
B_START, B_END = dt.date(2017, 1, 1), dt.date(2020, 8, 31)
C_START = dt.date(2020, 6, 1)
CENT = Decimal("0.01")

# old code, old name, new code, new name
ACCOUNTS = [
    ("1000", "Cash", "101000", "Cash on hand"),
    ("1100", "Bank", "102000", "Bank current account"),
    ("1200", "Accounts receivable", "110000", "Trade debtors"),
    ("1500", "Equipment", "150000", "Plant and equipment"),
    ("1510", "Accumulated depreciation", "151000", "Accumulated depreciation"),
    ("2000", "Accounts payable", "200000", "Trade creditors"),
    ("2300", "Bank loan", "230000", "Long-term loans"),
    ("3000", "Owner's capital", "300000", "Share capital"),
    ("3100", "Retained earnings", "310000", "Retained earnings"),
    ("4000", "Sales - products", "400100", "Revenue - goods"),
    ("4100", "Sales - services", "400200", "Revenue - services"),
    ("4900", "Interest income", "490000", "Financial income"),
    ("5000", "Cost of goods sold", "500000", "Cost of sales"),
    ("6000", "Rent", "610000", "Premises"),
    ("6100", "Salaries", "620000", "Personnel costs"),
    ("6200", "Office expenses", "630000", "Office and postage"),
    ("6210", "Postage & stationery", "630000", "Office and postage"),
    ("6300", "Travel", "640000", "Travel and subsistence"),
    ("6400", "Telephone & internet", "650000", "IT and telecom"),
    ("6500", "Software subscriptions", "650000", "IT and telecom"),
    ("6600", "Marketing", "660000", "Marketing"),
    ("6700", "Professional fees", "670000", "Advisory fees"),
    ("6800", "Bank charges", "680000", "Bank charges"),
    ("6900", "Depreciation", "690000", "Depreciation"),
    ("7000", "Interest expense", "700000", "Interest expense"),
]
OLD_NAME = {a[0]: a[1] for a in ACCOUNTS}
NEW_CODE = {a[0]: a[2] for a in ACCOUNTS}
NEW_NAME = {a[2]: a[3] for a in ACCOUNTS}
BALANCE_SHEET = {a[2] for a in ACCOUNTS if a[0] < "4000"}
MEMO_OMITS = {"6210", "6500", "6300", "4900"}
# BooksOnline renamed two accounts on these dates.
B_RENAMES = {"6300": (dt.date(2018, 7, 1), "Travel & subsistence"), "6500": (dt.date(2019, 1, 1), "SaaS subscriptions")}

# id, name, country, currency, role, old name (renamed on the date) or None
COUNTERPARTIES = [
    ("K01", "Nordlys Interiors AS", "NO", "EUR", "customer", None),
    ("K02", "Brightwater Hotels Ltd", "GB", "GBP", "customer", None),
    ("K03", "Casa Verde SL", "ES", "EUR", "customer", None),
    ("K04", "Hafenblick GmbH", "DE", "EUR", "customer", ("Hafenblick Gastro GmbH", dt.date(2019, 4, 1))),
    ("K05", "Lakeshore Living Inc", "US", "USD", "customer", None),
    ("K06", "Stora Bryggan AB", "SE", "SEK", "customer", None),
    ("K07", "Atelier Moreau SARL", "FR", "EUR", "customer", None),
    ("K08", "De Witte Tafel BV", "NL", "EUR", "customer", None),
    ("K09", "Pinecrest Resorts LLC", "US", "USD", "customer", None),
    ("K10", "Villa Serena Srl", "IT", "EUR", "customer", None),
    ("K11", "Kastanje Cafe BV", "NL", "EUR", "customer", ("Kastanje Koffie BV", dt.date(2021, 9, 1))),
    ("K12", "Tallinn Design OU", "EE", "EUR", "customer", None),
    ("K13", "Harbour & Vine Ltd", "GB", "GBP", "customer", None),
    ("K14", "Alpenrose Hotel AG", "AT", "EUR", "customer", None),
    ("K15", "Sjostjarnan Restaurang AB", "SE", "SEK", "customer", None),
    ("L01", "Kaiser Immobilien KG", "DE", "EUR", "landlord", None),
    ("L02", "Telenet Business NV", "BE", "EUR", "telecom", ("Telenet Zakelijk NV", dt.date(2018, 2, 1))),
    ("L03", "Cloudline Software Inc", "US", "USD", "software", None),
    ("L04", "Bookwise Online Oy", "FI", "EUR", "software", None),
    ("L05", "Papeterie Lambert SA", "BE", "EUR", "office", None),
    ("L06", "OfficeHub Europe BV", "NL", "EUR", "office", None),
    ("L07", "bpost SA", "BE", "EUR", "postage", None),
    ("L08", "Globetrek Travel GmbH", "DE", "EUR", "travel", None),
    ("L09", "Skyline Air SA", "LU", "EUR", "travel", None),
    ("L10", "Redbrick Marketing Ltd", "GB", "GBP", "marketing", None),
    ("L11", "Vandenberghe & Co Accountants", "BE", "EUR", "professional", None),
    ("L12", "Lexington Legal LLP", "GB", "GBP", "professional", None),
    ("L13", "Oakridge Furniture Mfg", "US", "USD", "goods", None),
    ("L14", "Holzwerk Meier GmbH", "DE", "EUR", "goods", ("Schreinerei Meier GmbH", dt.date(2016, 5, 1))),
    ("L15", "Textiles Rivera SA", "ES", "EUR", "goods", None),
    ("L16", "Nordic Lamp AB", "SE", "SEK", "goods", None),
    ("L17", "Ceramiche Bellini Srl", "IT", "EUR", "goods", None),
    ("L18", "Machinery Depot NV", "BE", "EUR", "equipment", None),
]
EXPENSE_OF = {
    "landlord": "6000",
    "telecom": "6400",
    "software": "6500",
    "office": "6200",
    "postage": "6210",
    "travel": "6300",
    "marketing": "6600",
    "professional": "6700",
    "goods": "5000",
    "equipment": "1500",
}


class Entry:
    """One booking: lines of (old account code, signed amount in the transaction currency)."""

    def __init__(self, date: dt.date, lines: list[tuple[str, Decimal]], currency: str, party: str | None,
                 kind: str, doc: str | None) -> None:
        self.date, self.lines, self.currency, self.party, self.kind, self.doc = date, lines, currency, party, kind, doc
        self.role = "true"  # true | wrong | reversal | double
        self.link: "Entry | None" = None
        self.refs: dict[str, str] = {}


def money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


def make_rates(rng: random.Random) -> dict[dt.date, dict[str, Decimal]]:
    level = {"USD": 1.32, "GBP": 0.85, "SEK": 9.10}
    rates = {}
    day = FIRST - dt.timedelta(days=7)
    while day <= LAST:
        if day.weekday() < 5 and not (day.month == 1 and day.day == 1) and not (day.month == 12 and day.day in (25, 26)):
            for cur in level:
                level[cur] *= 1 + rng.gauss(0, 0.005)
            rates[day] = {cur: Decimal(f"{v:.4f}") for cur, v in level.items()}
        day += dt.timedelta(days=1)
    return rates


def rate_on(rates: dict, day: dt.date, cur: str) -> Decimal:
    while day not in rates:
        day -= dt.timedelta(days=1)
    return rates[day][cur]


def to_eur(rates: dict, day: dt.date, cur: str, amount: Decimal) -> Decimal:
    if cur == "EUR":
        return amount
    return (amount / rate_on(rates, day, cur)).quantize(CENT, rounding=ROUND_HALF_UP)


def day_in(rng: random.Random, year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first + dt.timedelta(days=rng.randrange((nxt - first).days))


def in_overlap(day: dt.date) -> bool:
    return B_START <= day <= A_END or C_START <= day <= B_END


def build_ledger(rng: random.Random) -> list[Entry]:
    parties = {p[0]: p for p in COUNTERPARTIES}
    customers = [p for p in COUNTERPARTIES if p[4] == "customer"]
    goods = [p for p in COUNTERPARTIES if p[4] == "goods"]
    entries: list[Entry] = []
    opening = [("1100", Decimal("85000.00")), ("1000", Decimal("1500.00")), ("1500", Decimal("40000.00")),
               ("1510", Decimal("-12000.00")), ("2300", Decimal("-50000.00")), ("3000", Decimal("-30000.00")),
               ("3100", Decimal("-34500.00"))]
    entries.append(Entry(FIRST, opening, "EUR", None, "opening", None))
    sales_seq: dict[int, int] = {}
    supplier_seq = {p[0]: rng.randrange(1000, 90000) for p in COUNTERPARTIES}

    def two(day, debit, credit, amount, cur, party, kind, doc):
        entries.append(Entry(day, [(debit, amount), (credit, -amount)], cur, party, kind, doc))

    def purchase(day, pid, amount, account=None):
        p = parties[pid]
        supplier_seq[pid] += rng.randrange(1, 40)
        doc = f"{supplier_seq[pid]}"
        two(day, account or EXPENSE_OF[p[4]], "2000", amount, p[3], pid, "purchase", doc)
        pay = day + dt.timedelta(days=rng.randrange(10, 45))
        if pay <= LAST:
            two(pay, "2000", "1100", amount, p[3], pid, "supplier_payment", doc)

    for year in range(2013, 2025):
        growth = 1.0 + 0.06 * (year - 2013)
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            two(dt.date(year, month, 25), "6100", "1100", (money(rng, 14000, 15000) * Decimal(str(round(growth, 2)))).quantize(CENT),
                "EUR", None, "salaries", None)
            two(dt.date(year, month, 28), "6800", "1100", money(rng, 20, 60), "EUR", None, "bank_charges", None)
            purchase(first, "L01", Decimal("2400.00") if year < 2019 else Decimal("2750.00"))
            purchase(day_in(rng, year, month), "L02", money(rng, 90, 160))
            purchase(dt.date(year, month, 3), "L03", Decimal("49.00") if year < 2018 else Decimal("79.00"))
            purchase(day_in(rng, year, month), "L04", money(rng, 30, 60))
            for _ in range(12 + rng.randrange(0, 4)):
                cust = rng.choice(customers)
                sales_seq[year] = sales_seq.get(year, 0) + 1
                doc = f"S{year}-{sales_seq[year]:04d}"
                day = day_in(rng, year, month)
                scale = {"EUR": 1, "USD": 1.3, "GBP": 0.85, "SEK": 9.5}[cust[3]]
                amount = money(rng, 300 * scale * growth, 6000 * scale * growth)
                account = "4000" if rng.random() < 0.7 else "4100"
                two(day, "1200", account, amount, cust[3], cust[0], "sale", doc)
                pay = day + dt.timedelta(days=rng.randrange(10, 60))
                if pay <= LAST:
                    two(pay, "1100", "1200", amount, cust[3], cust[0], "customer_payment", doc)
            for _ in range(6 + rng.randrange(0, 4)):
                sup = rng.choice(goods)
                scale = {"EUR": 1, "USD": 1.3, "GBP": 0.85, "SEK": 9.5}[sup[3]]
                purchase(day_in(rng, year, month), sup[0], money(rng, 200 * scale * growth, 3500 * scale * growth))
            for pid, prob, low, high in (("L05", 0.5, 40, 400), ("L06", 0.4, 60, 600), ("L07", 0.6, 20, 150),
                                         ("L08", 0.5, 200, 1500), ("L09", 0.4, 150, 900), ("L10", 0.3, 500, 4000),
                                         ("L11", 0.25, 800, 2500), ("L12", 0.08, 1000, 6000)):
                if rng.random() < prob:
                    scale = 0.85 if parties[pid][3] == "GBP" else 1
                    purchase(day_in(rng, year, month), pid, money(rng, low * scale, high * scale))
            if rng.random() < 0.08:
                purchase(day_in(rng, year, month), "L18", money(rng, 2000, 15000))
            for _ in range(rng.randrange(0, 3)):
                two(day_in(rng, year, month), rng.choice(["6200", "6210", "6300"]), "1000", money(rng, 5, 90),
                    "EUR", None, "cash_expense", None)
            if month % 3 == 0:
                end = dt.date(year, month, 30 if month in (6, 9) else 31)
                two(dt.date(year, month, 5), "1000", "1100", Decimal("400.00"), "EUR", None, "petty_cash", None)
                two(end, "7000", "1100", money(rng, 300, 700), "EUR", None, "loan_interest", None)
                two(end, "2300", "1100", Decimal("1000.00"), "EUR", None, "loan_repayment", None)
                two(end, "1100", "4900", money(rng, 5, 120), "EUR", None, "interest_income", None)
        two(dt.date(year, 12, 31), "6900", "1510", money(rng, 4000, 7000), "EUR", None, "depreciation", None)
    return entries


def add_mistakes(rng: random.Random, entries: list[Entry]) -> list[Entry]:
    """Double postings and wrong-then-reversed invoices, outside the parallel-run months."""
    out: list[Entry] = []
    for e in entries:
        invoice = e.kind in ("sale", "purchase")
        if invoice and not in_overlap(e.date) and e.date.year < 2025 and rng.random() < 0.015:
            copy = Entry(e.date + dt.timedelta(days=rng.randrange(0, 5)), list(e.lines), e.currency, e.party,
                         e.kind, e.doc)
            copy.role, copy.link = "double", e
            if copy.date > LAST or in_overlap(copy.date):
                copy.date = e.date
            out.append(e)
            out.append(copy)
            continue
        if invoice and e.currency == "EUR" and not in_overlap(e.date) and rng.random() < 0.01:
            if rng.random() < 0.5:
                amount = e.lines[0][1]
                digits = str(amount).replace(".", "")
                wrong_amount = (amount * Decimal("1.1")).quantize(CENT) if len(digits) < 2 else \
                    Decimal(digits[1] + digits[0] + digits[2:]) / 100
                if wrong_amount == amount:
                    wrong_amount = amount + Decimal("100.00")
                wrong_lines = [(e.lines[0][0], wrong_amount), (e.lines[1][0], -wrong_amount)]
            else:
                pool = ["4000", "4100"] if e.kind == "sale" else ["6200", "6600", "6700", "5000"]
                side = 1 if e.kind == "sale" else 0
                other = rng.choice([a for a in pool if a != e.lines[side][0]])
                wrong_lines = list(e.lines)
                wrong_lines[side] = (other, e.lines[side][1])
            wrong = Entry(e.date, wrong_lines, e.currency, e.party, e.kind, e.doc)
            wrong.role = "wrong"
            later = e.date + dt.timedelta(days=rng.randrange(1, 12))
            if later > LAST or in_overlap(later) or (e.date <= A_END < later) or (e.date <= B_END < later):
                later = e.date
            rev = Entry(later, [(a, -v) for a, v in wrong_lines], e.currency, e.party, "reversal", e.doc)
            rev.role, rev.link = "reversal", wrong
            e.date = later
            out.extend([wrong, rev, e])
            continue
        out.append(e)
    return out


def systems_of(day: dt.date) -> list[str]:
    found = []
    if day <= A_END:
        found.append("A")
    if B_START <= day <= B_END:
        found.append("B")
    if day >= C_START:
        found.append("C")
    return found


def typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i] + text[i:]


def party_name(pid: str, day: dt.date) -> str:
    p = next(c for c in COUNTERPARTIES if c[0] == pid)
    if p[5] is not None and day < p[5][1]:
        return p[5][0]
    return p[1]


def vat_of(pid: str) -> str:
    p = next(c for c in COUNTERPARTIES if c[0] == pid)
    digits = sum(ord(ch) * (i + 7) for i, ch in enumerate(p[1])) * 7919 % 10**9
    return f"{p[2]}{digits:09d}"


def eu_number(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{'.'.join(groups)},{frac}"


def doc_text(rng: random.Random, e: Entry, variant: bool) -> str:
    if e.doc is None:
        return {"salaries": "Salaries {m}", "bank_charges": "Bank fees {m}", "cash_expense": "Cash purchase",
                "petty_cash": "Petty cash top-up", "loan_interest": "Loan interest {m}",
                "loan_repayment": "Loan instalment", "interest_income": "Interest credit",
                "depreciation": "Depreciation {y}", "opening": "Opening balances"}[e.kind].format(
            m=e.date.strftime("%m/%Y"), y=e.date.year)
    doc = e.doc
    if e.kind in ("sale", "customer_payment", "reversal") and doc.startswith("S"):
        forms = [doc, doc.replace("-", "/"), "Inv " + doc, doc.lower()]
    else:
        forms = [f"INV-{doc}", f"inv {doc}", f"Invoice no. {doc}", f"#{doc}"]
    text = rng.choice(forms[1:]) if variant else forms[0]
    prefix = {"customer_payment": "Payment ", "supplier_payment": "Pmt "}.get(e.kind, "")
    return prefix + text


def write_exports(rng: random.Random, entries: list[Entry], rates: dict, out: Path) -> None:
    by_system: dict[str, list[Entry]] = {"A": [], "B": [], "C": []}
    for e in sorted(entries, key=lambda x: x.date):
        for s in systems_of(e.date):
            by_system[s].append(e)
    # LedgerPro: per-year voucher numbers, two lines per entry, euros.
    files: dict[str, list[str]] = {}
    counters: dict[int, int] = {}
    for e in by_system["A"]:
        counters[e.date.year] = counters.get(e.date.year, 0) + 1
        e.refs["A"] = f"{e.date.year % 100:02d}-{counters[e.date.year]:05d}"
    for e in by_system["A"]:
        name = f"ledgerpro_{e.date.year}.csv"
        lines = files.setdefault(name, ["Datum;Beleg;Konto;Text;Soll;Haben"])
        text = doc_text(rng, e, e.role == "double")
        if e.party:
            text = f"{party_name(e.party, e.date).upper()[:20]:<20} {text}"
        if e.role == "reversal":
            text = f"STORNO {e.link.refs['A']} {text}"
        for account, value in e.lines:
            eur = to_eur(rates, e.date, e.currency, abs(value))
            soll, haben = (eu_number(eur), "") if value > 0 else ("", eu_number(eur))
            lines.append(f"{e.date:%d.%m.%Y};{e.refs['A']};{account};{text};{soll};{haben}")
    for name, lines in files.items():
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    # BooksOnline: one row per entry, account names with renames and typos.
    rows = []
    for i, e in enumerate(by_system["B"]):
        e.refs["B"] = f"BO-{10421 + i * 3 + rng.randrange(3):06d}"
    for e in by_system["B"]:
        debit = next(a for a, v in e.lines if v > 0)
        credit = next(a for a, v in e.lines if v < 0)
        amount = next(v for a, v in e.lines if v > 0)

        def acct_name(code: str) -> str:
            name = OLD_NAME[code]
            if code in B_RENAMES and e.date >= B_RENAMES[code][0]:
                name = B_RENAMES[code][1]
            r = rng.random()
            if r < 0.04:
                name = typo(rng, name)
            elif r < 0.07:
                name = name.lower()
            return name

        party, vat = "", ""
        if e.party:
            party = party_name(e.party, e.date)
            r = rng.random()
            if r < 0.08:
                party = typo(rng, party)
            elif r < 0.14:
                party = party.upper()
            elif r < 0.2:
                party = party.rsplit(" ", 1)[0]
            if rng.random() < 0.6:
                vat = vat_of(e.party)
        memo = doc_text(rng, e, e.role == "double")
        if e.role == "reversal":
            memo = f"Reversal of {e.link.refs['B']}"
        row = [f"{e.date:%Y-%m-%d}", e.refs["B"], acct_name(debit), acct_name(credit), f"{amount:.2f}",
               e.currency, party, vat, memo]
        rows.append("\t".join(row))
        if rng.random() < 0.012:
            rows.append("\t".join(row))
    header = "date\tid\tdebit_account\tcredit_account\tamount\tcurrency\tcounterparty\tvat_no\tmemo"
    half = len(rows) // 2
    (out / "booksonline_export_1.tsv").write_text("\n".join([header] + rows[:half]) + "\n", encoding="utf-8")
    (out / "booksonline_export_2.tsv").write_text("\n".join([header] + rows[half:]) + "\n", encoding="utf-8")
    # Fjord ERP: signed lines in minor units, new accounts, partner numbers.
    partner_no = {p[0]: f"P{10000 + 37 * i + 11}" for i, p in enumerate(COUNTERPARTIES)}
    files = {}
    journal = 300100
    for e in by_system["C"]:
        journal += 1 + (rng.random() < 0.1)
        e.refs["C"] = str(journal)
    for e in by_system["C"]:
        name = f"fjord_journal_{e.date.year}.csv"
        lines = files.setdefault(name, ["posting_date,journal,line,account,partner,text,amount_minor,currency"])
        text = doc_text(rng, e, e.role == "double")
        if e.role == "reversal":
            text = f"reverses journal {e.link.refs['C']}"
        for n, (account, value) in enumerate(e.lines, 1):
            minor = int(value * 100)
            lines.append(f"{e.date:%Y%m%d},{e.refs['C']},{n},{NEW_CODE[account]},{partner_no.get(e.party, '') if e.party else ''},"
                         f"\"{text}\",{minor},{e.currency}")
    for name, lines in files.items():
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    partners = ["partner,name,country"]
    for p in COUNTERPARTIES:
        partners.append(f"{partner_no[p[0]]},\"{p[1]}\",{p[2]}")
    (out / "fjord_partners.csv").write_text("\n".join(partners) + "\n", encoding="utf-8")


def write_reference(rates: dict, out: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "country", "vat_no", "currency"])
    for p in COUNTERPARTIES:
        w.writerow([p[0], p[1], p[2], vat_of(p[0]), p[3]])
    (out / "counterparties.csv").write_text(buf.getvalue(), encoding="utf-8")
    lines = ["date,USD,GBP,SEK"]
    for day in sorted(rates):
        r = rates[day]
        lines.append(f"{day:%Y-%m-%d},{r['USD']},{r['GBP']},{r['SEK']}")
    (out / "fx_rates.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    memo = ["Chart of accounts migration (LedgerPro/BooksOnline -> Fjord ERP), effective June 2020", "",
            "New chart:"]
    seen = []
    for a in ACCOUNTS:
        if a[2] not in seen:
            seen.append(a[2])
            memo.append(f"  {a[2]}  {a[3]}")
    memo += ["", "Mapping of the old accounts (the rest as agreed in the June meeting):"]
    for a in ACCOUNTS:
        if a[0] not in MEMO_OMITS:
            memo.append(f"  {a[0]} {a[1]:<28} -> {a[2]}")
    (out / "coa_migration_memo.txt").write_text("\n".join(memo) + "\n", encoding="utf-8")


def truth(entries: list[Entry], rates: dict) -> dict:
    valid = [e for e in entries if e.role == "true"]
    codes = sorted(set(NEW_CODE.values()))
    balances: dict[str, dict[str, str]] = {}
    running = {c: Decimal("0.00") for c in codes}
    for year in range(2013, 2025):
        moves = {c: Decimal("0.00") for c in codes}
        for e in valid:
            if e.date.year == year:
                for account, value in e.lines:
                    eur = to_eur(rates, e.date, e.currency, abs(value))
                    moves[NEW_CODE[account]] += eur if value > 0 else -eur
        for c in codes:
            running[c] += moves[c]
        balances[str(year)] = {c: f"{running[c] if c in BALANCE_SHEET else moves[c]:.2f}" for c in codes}
    invoiced = {p[0]: Decimal("0.00") for p in COUNTERPARTIES}
    for e in valid:
        if e.kind in ("sale", "purchase"):
            invoiced[e.party] += to_eur(rates, e.date, e.currency, abs(e.lines[0][1]))
    paid_on = {(e.party, e.doc): e.date for e in valid if e.kind == "customer_payment"}
    open_items: dict[str, dict[str, str]] = {}
    for year in range(2013, 2025):
        year_end = dt.date(year, 12, 31)
        owed = {p[0]: Decimal("0.00") for p in COUNTERPARTIES if p[4] == "customer"}
        for e in valid:
            if e.kind == "sale" and e.date <= year_end:
                paid = paid_on.get((e.party, e.doc))
                if paid is None or paid > year_end:
                    owed[e.party] += to_eur(rates, e.date, e.currency, abs(e.lines[0][1]))
        open_items[str(year)] = {k: f"{v:.2f}" for k, v in owed.items()}
    doubles = []
    for e in entries:
        if e.role == "double":
            (system,) = [s for s in systems_of(e.date)]
            doubles.append(e.refs[system])
    return {
        "balances": balances,
        "counterparty_invoiced": {k: f"{v:.2f}" for k, v in invoiced.items()},
        "double_posted": sorted(doubles),
        "open_receivables": open_items,
    }


def generate(out: Path) -> None:
    rng = random.Random(SEED)
    rates = make_rates(rng)
    entries = add_mistakes(rng, build_ledger(rng))
    write_exports(rng, entries, rates, out)
    write_reference(rates, out)
    (out / "truth.json").write_text(json.dumps(truth(entries, rates), indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]))
