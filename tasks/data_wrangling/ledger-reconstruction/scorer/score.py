#!/usr/bin/env python3
"""Scorer for ledger-reconstruction: audit.json against truth.json. Four parts: the 276
year-end figures (23 accounts x 12 years, each right within 0.05 EUR; weight 0.4), the 180
open receivables (15 customers x 12 year ends, within 0.05 EUR; weight 0.2), the 33
counterparties' invoiced totals (within 0.05 EUR; weight 0.2) and the list of double-posted
references (matches / (matches + wrong + missed); weight 0.2)."""

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOL = 0.05


def close(got: object, want: str) -> bool:
    try:
        value = float(str(got).replace(",", ""))
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and abs(value - float(want)) <= TOL


def main() -> None:
    truth = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
    path = Path("audit.json")
    try:
        answer = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        if not isinstance(answer, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        print(f"audit.json missing or unreadable: {exc}")
        print("0.0")
        return
    balances = answer.get("balances") if isinstance(answer.get("balances"), dict) else {}
    right = total = 0
    for year, accounts in truth["balances"].items():
        got_year = balances.get(year) if isinstance(balances.get(year), dict) else {}
        for code, value in accounts.items():
            total += 1
            right += close(got_year.get(code), value)
    part_balances = right / total
    print(f"balances: {right} of {total} right")
    opened = answer.get("open_receivables") if isinstance(answer.get("open_receivables"), dict) else {}
    right = total = 0
    for year, customers in truth["open_receivables"].items():
        got_year = opened.get(year) if isinstance(opened.get(year), dict) else {}
        for cid, value in customers.items():
            total += 1
            right += close(got_year.get(cid), value)
    part_open = right / total
    print(f"open receivables: {right} of {total} right")
    parties = answer.get("counterparty_invoiced") if isinstance(answer.get("counterparty_invoiced"), dict) else {}
    right = sum(close(parties.get(k), v) for k, v in truth["counterparty_invoiced"].items())
    part_parties = right / len(truth["counterparty_invoiced"])
    print(f"counterparty totals: {right} of {len(truth['counterparty_invoiced'])} right")
    got = answer.get("double_posted")
    got_set = {str(x).strip() for x in got} if isinstance(got, list) else set()
    want = set(truth["double_posted"])
    hits = len(got_set & want)
    part_doubles = hits / (len(want) + len(got_set - want))
    print(f"double postings: {hits} of {len(want)} found, {len(got_set - want)} wrong")
    score = 0.4 * part_balances + 0.2 * part_open + 0.2 * part_parties + 0.2 * part_doubles
    print(f"{score:.4f}")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001 - a broken answer scores 0, never crashes the scorer
        print(f"scoring failed: {exc}")
        print("0.0")
