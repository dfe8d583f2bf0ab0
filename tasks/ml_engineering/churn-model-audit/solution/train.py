"""Churn model: trains a logistic regression on a labelled export and scores a live export.

Usage: python3 train.py TRAIN_CSV LIVE_CSV OUT_CSV

Prints the validation accuracy on a held-out fifth of the training export and writes OUT_CSV
with the header customer_id,churn (1 = predicted to churn within 90 days, else 0).

Fixed: columns are read by name (live exports order them differently); winback_offer is dropped
(the retention team fills it in after a cancellation, so it is unknown at prediction time); the
label is a cancellation within 90 days of the snapshot, not any cancellation.
"""

import csv
import datetime as dt
import math
import random
import sys

REGIONS = ["central", "east", "north", "south", "west"]
NUMERIC = ["tenure_months", "monthly_fee", "support_calls", "usage_change"]
EPOCHS = 300
LEARNING_RATE = 0.1


def read_rows(path):
    with open(path, newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("customer_id")]


def features(row):
    numbers = [float(row[c]) for c in NUMERIC]
    onehot = [1.0 if row["region"] == r else 0.0 for r in REGIONS]
    return numbers + onehot + [1.0 if row["contract"] == "annual" else 0.0]


def label(row):
    cancel = row["cancel_date"].strip()
    if not cancel:
        return 0
    days = (dt.date.fromisoformat(cancel) - dt.date.fromisoformat(row["snapshot_date"])).days
    return 1 if days <= 90 else 0


def standardiser(xs):
    n, d = len(xs), len(xs[0])
    means = [sum(x[j] for x in xs) / n for j in range(d)]
    stds = [math.sqrt(sum((x[j] - means[j]) ** 2 for x in xs) / n) or 1.0 for j in range(d)]
    return lambda x: [(x[j] - means[j]) / stds[j] for j in range(d)]


def fit(xs, ys):
    d = len(xs[0])
    w = [0.0] * (d + 1)
    for _ in range(EPOCHS):
        grad = [0.0] * (d + 1)
        for x, y in zip(xs, ys):
            z = w[d] + sum(wj * xj for wj, xj in zip(w, x))
            err = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - y
            for j in range(d):
                grad[j] += err * x[j]
            grad[d] += err
        w = [wj - LEARNING_RATE * g / len(xs) for wj, g in zip(w, grad)]
    return w


def predict(w, x):
    return 1 if w[-1] + sum(wj * xj for wj, xj in zip(w, x)) > 0 else 0


def main(train_path, live_path, out_path):
    rows = read_rows(train_path)
    random.Random(7).shuffle(rows)
    cut = len(rows) * 4 // 5
    fit_rows, val_rows = rows[:cut], rows[cut:]
    scale = standardiser([features(r) for r in fit_rows])
    w = fit([scale(features(r)) for r in fit_rows], [label(r) for r in fit_rows])
    correct = sum(predict(w, scale(features(r))) == label(r) for r in val_rows)
    print(f"validation accuracy: {correct / len(val_rows):.4f}")
    live = read_rows(live_path)
    with open(out_path, "w") as handle:
        handle.write("customer_id,churn\n")
        for r in live:
            handle.write(f"{r['customer_id']},{predict(w, scale(features(r)))}\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
