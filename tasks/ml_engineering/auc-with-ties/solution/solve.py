"""Reference solution: Mann-Whitney AUC with average ranks for tied scores."""

import csv

with open("predictions.csv", newline="") as handle:
    rows = [(int(r["label"]), float(r["score"])) for r in csv.DictReader(handle)]
rows.sort(key=lambda r: r[1])
ranks = [0.0] * len(rows)
i = 0
while i < len(rows):
    j = i
    while j + 1 < len(rows) and rows[j + 1][1] == rows[i][1]:
        j += 1
    for k in range(i, j + 1):
        ranks[k] = (i + j) / 2 + 1
    i = j + 1
n_pos = sum(y for y, _ in rows)
n_neg = len(rows) - n_pos
rank_sum = sum(r for r, (y, _) in zip(ranks, rows) if y == 1)
auc = (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
with open("submission.txt", "w") as handle:
    handle.write(f"{auc:.4f}\n")
