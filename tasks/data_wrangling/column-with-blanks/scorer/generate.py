"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes customers.csv (environment: a standard CSV export whose city and company fields are
quoted and contain commas) and truth.json (scorer: the one column with empty values). Only a
handful of rows, none of them near the top, miss a value, and the quoted commas make a naive
split on "," see empty-looking or shifted fields in the wrong columns.
"""

import csv
import io
import json
import random
import sys
from pathlib import Path

SEED = 93_018
COLUMNS = ["customer_id", "name", "email", "company", "city", "plan", "signup_date", "phone"]
FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Reyes", "Novak", "Haddad"]
COMPANIES = ["Acme, Inc.", "Northwind Traders", "Blue Harbor, LLC", "Kestrel Labs", "Orbit & Co"]
CITIES = ["Portland, OR", "Austin, TX", "Leeds", "Lyon", "Porto", "Denver, CO", "Osaka"]
PLANS = ["free", "team", "business", "enterprise"]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    blank = rng.choice(["email", "city", "plan", "signup_date", "phone"])
    count = rng.randint(240, 320)
    missing = set(rng.sample(range(30, count), rng.randint(3, 6)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = {
            "customer_id": str(5000 + index),
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{index}@example.org",
            "company": rng.choice(COMPANIES),
            "city": rng.choice(CITIES),
            "plan": rng.choice(PLANS),
            "signup_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        }
        if index in missing:
            row[blank] = ""
        writer.writerow([row[c] for c in COLUMNS])
    out = Path(outdir)
    (out / "customers.csv").write_text(buffer.getvalue())
    (out / "truth.json").write_text(json.dumps({"kind": "str", "answer": blank}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
