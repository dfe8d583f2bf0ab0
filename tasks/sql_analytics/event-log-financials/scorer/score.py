#!/usr/bin/env python3
"""Scorer for event-log-financials: compares the four CSV files the agent wrote with the
expected ones (made by generate.py). dim_customer.csv: the fraction of customers whose whole
version history matches (25 %). income_statement.csv (30 %), balance_sheet.csv (30 %) and
cash_flow.csv (15 %): the fraction of their numbers within 0.01 of the expected ones."""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCD_FIELDS = ["version", "valid_from", "valid_to", "name", "country", "segment", "terms_days", "is_current"]


def rows(path: Path) -> list[dict[str, str]] | None:
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            return [{(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)} for row in csv.DictReader(fh)]
    except (OSError, csv.Error):
        return None


def histories(table: list[dict[str, str]]) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for row in table:
        key = row.get("customer_id", "")
        values = []
        for f in SCD_FIELDS:
            v = row.get(f, "")
            if f in ("version", "terms_days", "is_current"):
                try:
                    v = str(int(float(v)))
                except ValueError:
                    pass
            values.append(v)
        out.setdefault(key, []).append(tuple(values))
    return {k: sorted(v, key=lambda t: t[1]) for k, v in out.items()}


def numbers(name: str, key: str) -> float:
    want = rows(HERE / f"expected_{name}")
    assert want is not None
    got = rows(Path(name)) or []
    have = {}
    for row in got:
        have.setdefault(row.get(key, ""), row)
    right = total = 0
    for w in want:
        g = have.get(w[key], {})
        for col, value in w.items():
            if col == key:
                continue
            total += 1
            try:
                if abs(float(g.get(col, "")) - float(value)) <= 0.01 + 1e-9:
                    right += 1
            except ValueError:
                pass
    print(f"{name}: {right}/{total} numbers right")
    return right / total


def main() -> None:
    want = rows(HERE / "expected_dim_customer.csv")
    assert want is not None
    expected = histories(want)
    got = rows(Path("dim_customer.csv"))
    mine = histories(got) if got else {}
    good = sum(1 for cid, hist in expected.items() if mine.get(cid) == hist)
    print(f"dim_customer.csv: {good}/{len(expected)} customer histories right")
    score = 0.25 * good / len(expected)
    score += 0.30 * numbers("income_statement.csv", "month")
    score += 0.30 * numbers("balance_sheet.csv", "month")
    score += 0.15 * numbers("cash_flow.csv", "quarter")
    print(round(score, 4))


main()
