"""Reference solution: read the export with its real dialect (semicolon, double quotes)."""

import csv

with open("orders.csv", newline="", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle, delimiter=";", quotechar='"'))
with open("submission.txt", "w", encoding="utf-8") as out:
    out.write(f"{sum(int(row['qty']) for row in rows)}\n")
