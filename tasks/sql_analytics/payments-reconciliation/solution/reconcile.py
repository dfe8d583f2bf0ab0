#!/usr/bin/env python3
"""Reference reconciliation: loads ledger.sql into SQLite, reads bank.csv and fx.csv, applies the
rules of the instructions in booking order and writes reconciliation.json."""

import bisect
import csv
import json
import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
LEGAL = {"lda", "sl", "gmbh", "ltd", "inc", "bv", "sa", "srl"}
REF = re.compile(r"\binv(?:oice)?[\s/-]*24[\s/-]+(\d{1,5})\b", re.IGNORECASE)


def norm(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", name.lower()).split()
    return " ".join(w for w in words if w not in LEGAL)


def main() -> None:
    con = sqlite3.connect(":memory:")
    con.executescript(open("ledger.sql").read())
    invoices = {no: (cid, issued, cur, Decimal(amount)) for no, cid, issued, cur, amount in
                con.execute("SELECT invoice_no, customer_id, issued_on, currency, amount FROM invoices")}
    open_ = {no: v[3] for no, v in invoices.items()}
    for no, amount in con.execute("SELECT invoice_no, amount FROM credit_notes"):
        open_[no] -= Decimal(amount)
    by_name = {norm(name): cid for cid, name in con.execute("SELECT customer_id, name FROM customers")}
    by_customer: dict[int, list[str]] = {}
    for no, v in invoices.items():
        by_customer.setdefault(v[0], []).append(no)
    fx: dict[str, tuple[list[str], list[Decimal]]] = {}
    with open("fx.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            days, vals = fx.setdefault(row["currency"], ([], []))
            days.append(row["date"])
            vals.append(Decimal(row["eur_per_unit"]))

    def rate(cur: str, day: str) -> Decimal:
        if cur == "EUR":
            return Decimal(1)
        days, vals = fx[cur]
        return vals[bisect.bisect_right(days, day) - 1]

    lines, seen = [], set()
    with open("bank.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["line_id"] not in seen:
                seen.add(row["line_id"])
                lines.append(row)
    lines.sort(key=lambda r: (r["booked_on"], r["line_id"]))
    returned = set()
    for r in lines:
        m = re.fullmatch(r"RETURN OF (\S+)", r["remittance"].strip())
        if m:
            returned |= {m.group(1), r["line_id"]}
    fees = Decimal(0)
    writeoff = {"GBP": Decimal(0), "USD": Decimal(0)}
    unapplied = []
    for r in lines:
        eur = Decimal(r["amount_eur"])
        if r["counterparty"] == "OUR BANK":
            fees -= eur
            continue
        if r["line_id"] in returned:
            continue
        refs = sorted({f"INV-24-{int(n):05d}" for n in REF.findall(r["remittance"])} & invoices.keys(),
                      key=lambda no: (invoices[no][1], no))
        touched, applied = [], Decimal(0)
        if refs:
            left = (eur / rate(invoices[refs[0]][2], r["booked_on"])).quantize(CENT, ROUND_HALF_UP)
            for no in refs:
                take = min(left, open_[no])
                if take > 0:
                    open_[no] -= take
                    left -= take
                    applied += take
                    touched.append(no)
        else:
            cid = by_name.get(norm(r["counterparty"]))
            cands = []
            for no in by_customer.get(cid, []) if cid else []:
                if open_[no] <= 0:
                    continue
                cur = invoices[no][2]
                conv = (eur / rate(cur, r["booked_on"])).quantize(CENT, ROUND_HALF_UP)
                if abs(conv - open_[no]) <= (Decimal(0) if cur == "EUR" else Decimal("0.50")):
                    cands.append((no, conv))
            if len(cands) == 1:
                no, conv = cands[0]
                take = min(conv, open_[no])
                open_[no] -= take
                applied += take
                touched.append(no)
        for no in touched:
            cur = invoices[no][2]
            if cur != "EUR" and 0 < open_[no] <= Decimal("0.50"):
                writeoff[cur] += open_[no]
                open_[no] = Decimal(0)
        if applied == 0 and eur > 0:
            unapplied.append(r["line_id"])
    result = {
        "open_balances": {no: f"{v:.2f}" for no, v in sorted(open_.items())},
        "unapplied_lines": sorted(unapplied),
        "bank_fees_eur": f"{fees:.2f}",
        "fx_writeoff": {cur: f"{v:.2f}" for cur, v in sorted(writeoff.items())},
    }
    with open("reconciliation.json", "w") as fh:
        json.dump(result, fh, indent=1)


main()
