"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes orders.csv (environment: a semicolon-delimited export whose quoted note fields hold
semicolons, doubled quotes and line breaks) and truth.json (scorer: the total of the qty column).
Counting lines or splitting on every semicolon gives a different total.
"""

import json
import random
import sys
from pathlib import Path

SEED = 20_417
WORDS = ["leave", "at", "door", "call", "first", "fragile", "gift", "wrap", "rear", "gate", "box",
         "invoice", "inside", "no", "bell", "dog", "on", "site", "2nd", "floor", "ask", "for"]


def note(rng: random.Random) -> str:
    kind = rng.random()
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
    if kind < 0.25:
        return text
    if kind < 0.45:
        return f'{text}; qty {rng.randint(2, 90)}; {rng.choice(WORDS)}'
    if kind < 0.65:
        return f'{text}\n{rng.randint(1, 40)};{rng.choice(WORDS)}'
    if kind < 0.8:
        return f'say "{rng.choice(WORDS)}"; {text}'
    return ""


def quote(field: str) -> str:
    if any(c in field for c in ';"\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def main() -> None:
    out = Path(sys.argv[1])
    rng = random.Random(SEED)
    lines = ["order_id;customer;note;qty;unit_price"]
    total = 0
    for i in range(1, 613):
        qty = rng.randint(1, 25)
        total += qty
        customer = rng.choice(["Ames & Co", "Birk; Ltd", "Cole", "Dahl \"Jr\"", "Eko"])
        price = f"{rng.randint(1, 400)},{rng.randint(0, 99):02d}"
        fields = [f"A{10000 + i}", customer, note(rng), str(qty), price]
        lines.append(";".join(quote(f) for f in fields))
    (out / "orders.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    (out / "truth.json").write_text(json.dumps({"total_qty": total}) + "\n")


main()
