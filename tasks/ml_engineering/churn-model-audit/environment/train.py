"""Churn model: trains a logistic regression on a labelled export and scores a live export.

Usage: python3 train.py TRAIN_CSV LIVE_CSV OUT_CSV

Prints the validation accuracy on a held-out fifth of the training export and writes OUT_CSV
with the header customer_id,churn (1 = predicted to churn within 90 days, else 0).
"""

import csv
import math
import random
import sys

REGIONS = ["central", "east", "north", "south", "west"]
EPOCHS = 300
LEARNING_RATE = 0.1


def read_rows(path):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)  # header
        return [row for row in reader if row]


def features(row):
    """Numeric feature vector of one export row (the columns as the CRM exports them)."""
    region, contract = row[2], row[3]
    numbers = [float(row[i]) for i in (4, 5, 6, 7, 8)]
    onehot = [1.0 if region == r else 0.0 for r in REGIONS]
    return numbers + onehot + [1.0 if contract == "annual" else 0.0]


def label(row):
    """1 when the customer churned (the export has a cancel date), else 0."""
    return 1 if row[9].strip() else 0


def standardiser(xs):
    n, d = len(xs), len(xs[0])
    means = [sum(x[j] for x in xs) / n for j in range(d)]
    stds = [math.sqrt(sum((x[j] - means[j]) ** 2 for x in xs) / n) or 1.0 for j in range(d)]
    return lambda x: [(x[j] - means[j]) / stds[j] for j in range(d)]


def fit(xs, ys):
    """Full-batch gradient descent on the mean log-loss; returns weights (bias last)."""
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
            handle.write(f"{r[0]},{predict(w, scale(features(r)))}\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
