"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Customers of a subscription business, one row per customer at a monthly snapshot. The target is
churn within 90 days of the snapshot (cancel_date - snapshot_date <= 90 days), drawn from a
logistic model of tenure, fee, support calls, usage change, contract and region. Planted traps:
  * winback_offer is filled in by the retention team when a customer cancels (any time), so in
    the training export it is almost a copy of "cancelled", and in live exports it is always 0;
  * many customers cancel long after the 90-day window (annual contracts at renewal, mostly), so
    "cancel_date is not empty" is the wrong label and pulls the contract effect the wrong way;
  * live exports come from another system with the numeric columns in a different order.
Files: train.csv, live_last_month.csv, live_last_month_outcomes.csv (environment);
fresh_train.csv, fresh_live.csv, fresh_live_labels.csv, bar.json (scorer).
"""

import datetime as dt
import json
import math
import random
import sys
from pathlib import Path

SEED = 90_2026
REGIONS = {"north": 0.25, "south": -0.35, "east": 0.0, "west": 0.45, "central": -0.15}
TRAIN_COLS = ["customer_id", "snapshot_date", "region", "contract", "tenure_months", "monthly_fee",
              "support_calls", "usage_change", "winback_offer", "cancel_date"]
LIVE_COLS = ["customer_id", "snapshot_date", "region", "contract", "monthly_fee", "tenure_months",
             "usage_change", "support_calls", "winback_offer"]


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def customer(rng: random.Random, cid: int, snapshot: dt.date) -> tuple[dict, float, int]:
    """(row, true 90-day churn probability, 90-day churn label)."""
    annual = rng.random() < 0.4
    region = rng.choice(sorted(REGIONS))
    tenure = rng.randint(1, 72)
    fee = round(rng.uniform(20, 120), 2)
    calls = min(9, int(rng.expovariate(0.5)))
    usage = round(rng.gauss(0, 20), 1)
    z = 1.5 * (0.9 - 0.03 * tenure + 0.015 * (fee - 70) + 0.5 * (calls - 2) - 0.05 * usage
               - 1.6 * annual + REGIONS[region])
    p = sigmoid(z)
    churn = 1 if rng.random() < p else 0
    cancel, offer = "", 0
    if churn:
        cancel = (snapshot + dt.timedelta(days=rng.randint(1, 90))).isoformat()
    elif rng.random() < sigmoid(-1.3 + 2.6 * annual + 0.02 * tenure - 0.01 * (fee - 70)):
        cancel = (snapshot + dt.timedelta(days=rng.randint(91, 540))).isoformat()
    if cancel and rng.random() < 0.93:
        offer = rng.choice([10, 15, 20, 25])
    elif not cancel and rng.random() < 0.02:
        offer = 5
    row = {"customer_id": f"C{cid:06d}", "snapshot_date": snapshot.isoformat(), "region": region,
           "contract": "annual" if annual else "monthly", "tenure_months": tenure,
           "monthly_fee": f"{fee:.2f}", "support_calls": calls, "usage_change": usage,
           "winback_offer": offer, "cancel_date": cancel}
    return row, p, churn


def table(rng: random.Random, n: int, first_id: int, snapshot: dt.date) -> list[tuple[dict, float, int]]:
    return [customer(rng, first_id + i, snapshot) for i in range(n)]


def write_csv(path: Path, cols: list[str], rows: list[dict]) -> None:
    lines = [",".join(cols)] + [",".join(str(r[c]) for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n")


def live_rows(items: list[tuple[dict, float, int]]) -> list[dict]:
    return [{**r, "winback_offer": 0} for r, _, _ in items]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    out = Path(outdir)
    train = table(rng, 2500, 100_000, dt.date(2025, 9, 1))
    last = table(rng, 1000, 200_000, dt.date(2026, 3, 1))
    fresh_train = table(rng, 2500, 300_000, dt.date(2025, 10, 1))
    fresh_live = table(rng, 4000, 400_000, dt.date(2026, 4, 1))
    write_csv(out / "train.csv", TRAIN_COLS, [r for r, _, _ in train])
    write_csv(out / "live_last_month.csv", LIVE_COLS, live_rows(last))
    (out / "live_last_month_outcomes.csv").write_text(
        "customer_id,churned_90d\n" + "".join(f"{r['customer_id']},{y}\n" for r, _, y in last))
    write_csv(out / "fresh_train.csv", TRAIN_COLS, [r for r, _, _ in fresh_train])
    write_csv(out / "fresh_live.csv", LIVE_COLS, live_rows(fresh_live))
    (out / "fresh_live_labels.csv").write_text(
        "customer_id,churned_90d\n" + "".join(f"{r['customer_id']},{y}\n" for r, _, y in fresh_live))
    bayes = sum((p >= 0.5) == (y == 1) for _, p, y in fresh_live) / len(fresh_live)
    base = sum(y for _, _, y in fresh_live) / len(fresh_live)
    info = {"bayes_accuracy": round(bayes, 4), "churn_rate": round(base, 4), "bar": 0.82}
    (out / "bar.json").write_text(json.dumps(info, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
