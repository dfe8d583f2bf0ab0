#!/usr/bin/env python3
"""Scorer for payments-reconciliation: compares reconciliation.json with expected.json (made by
generate.py). Sections and weights: open_balances 0.50 (fraction of the 1400 invoices whose
balance is within 0.005), unapplied_lines 0.25 (Jaccard similarity of the two sets of line ids),
bank_fees_eur 0.10 and fx_writeoff 0.15 (half per currency), each within 0.005."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def num(value: object) -> float | None:
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def close(a: object, b: object) -> bool:
    x, y = num(a), num(b)
    return x is not None and y is not None and abs(x - y) <= 0.005 + 1e-9


def main() -> None:
    want = json.loads((HERE / "expected.json").read_text())
    path = Path("reconciliation.json")
    try:
        got = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        assert isinstance(got, dict)
    except (OSError, ValueError, AssertionError) as exc:
        print(f"reconciliation.json is missing or unreadable: {exc}")
        print(0.0)
        return
    score = 0.0
    balances = got.get("open_balances")
    balances = balances if isinstance(balances, dict) else {}
    right = sum(1 for no, v in want["open_balances"].items() if close(balances.get(no), v))
    print(f"open_balances: {right}/{len(want['open_balances'])}")
    score += 0.50 * right / len(want["open_balances"])
    lines = got.get("unapplied_lines")
    mine = {str(x).strip() for x in lines} if isinstance(lines, list) else set()
    theirs = set(want["unapplied_lines"])
    jac = len(mine & theirs) / len(mine | theirs) if mine | theirs else 1.0
    print(f"unapplied_lines: {len(mine & theirs)} common, {len(mine - theirs)} extra, {len(theirs - mine)} missing")
    score += 0.25 * jac
    fees_ok = close(got.get("bank_fees_eur"), want["bank_fees_eur"])
    print(f"bank_fees_eur: {'right' if fees_ok else 'wrong'}")
    score += 0.10 * fees_ok
    fx = got.get("fx_writeoff")
    fx = fx if isinstance(fx, dict) else {}
    for cur, v in want["fx_writeoff"].items():
        ok = close(fx.get(cur), v)
        print(f"fx_writeoff {cur}: {'right' if ok else 'wrong'}")
        score += 0.075 * ok
    print(round(score, 4))


main()
